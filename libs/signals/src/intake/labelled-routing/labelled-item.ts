/** Which way an item bears on a target: towards the prediction (or a rising indicator) or against it. */
export type Direction = 'supports' | 'contradicts';

/** How an item was written, so figures can be read by kind. */
export type ItemKind = 'plain' | 'phrasing' | 'chinese' | 'contradicting' | 'near-miss' | 'two-targets' | 'unrelated';

export interface LabelledItem {
  /** Stable id: d### in the development part, t### in the test part. */
  id: string;
  title: string;
  summary: string;
  language: 'en' | 'zh' | 'mixed';
  kind: ItemKind;
  /** Each target the item should be routed to, with the direction it bears on it; {} routes nowhere. */
  targets: Readonly<Record<string, Direction>>;
}
