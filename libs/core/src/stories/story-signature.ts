import { canonicalUrl } from '../canonical-url.js';
import { ConceptMatcher } from '../routing/concept-features.js';
import { textGrams } from '../summary-similarity.js';
import { storyDates } from './story-dates.js';
import { type StoryNumber, storyNumbers } from './story-numbers.js';

/** A news item as the same-story detector reads it. */
export interface NewsItem {
  title: string;
  summary: string | null;
  url: string | null;
  /** When the item says it was published; null if it does not say. */
  publishedAt: Date | null;
  /** When it was stored: stands in for a missing or future publication time. */
  storedAt?: Date | null;
}

/** Which script a text is mostly written in: Chinese characters, Latin letters, or both in good measure. */
export type StoryScript = 'latin' | 'cjk' | 'mixed';

/**
 * What says which event an item reports, read once per item and kept with it:
 * its canonical link, when, its script, the term sets' concepts it names
 * (entities, places, actions, in English or Chinese), its numbers and dates
 * (normalised across languages) and whether its title reads as a follow-up. Comparing two
 * signatures (and the two texts) is `sameStoryFeatures`.
 */
export interface StorySignature {
  canonicalUrl: string | null;
  /** Milliseconds since 1970: publication, or storage if publication is missing or later. */
  at: number;
  script: StoryScript;
  /** Term-set names (without `@`), sorted. */
  concepts: string[];
  numbers: StoryNumber[];
  /** Day numbers (days since 1970), sorted. */
  dates: number[];
  /** Its title reads as a follow-up to news (isFollowUpTitle): a denial, a response, a question, an explainer. */
  followUp: boolean;
}

/**
 * Headlines of a story about a story: a denial, a response, a reaction, a
 * question or an explainer. Reported beside the news itself they are another
 * event (the labelled pairs' rule: "a denial or response vs the original").
 */
const FOLLOW_UP =
  /\b(?:denies|denied|deny|denial|refutes|refuted|rebuts|rebuffs|dismisses|responds|responded|response|reacts|reaction|retaliates|retaliation|condemns|slams|criticises|criticizes|protests|vows|complies|comply|explainer|analysis|opinion)\b|\bwhat\b.*\bmeans\b|[?？]|否认|辟谣|澄清|回应|回击|反制|驳斥|谴责|表态|答记者问|坚决反对/iu;

export function isFollowUpTitle(title: string): boolean {
  return FOLLOW_UP.test(title.normalize('NFKC'));
}


const HAN_CHARACTER = /\p{Script=Han}/gu;
const LATIN_LETTER = /\p{Script=Latin}/gu;

export function storyScript(text: string): StoryScript {
  const han = text.match(HAN_CHARACTER)?.length ?? 0;
  const latin = text.match(LATIN_LETTER)?.length ?? 0;
  // A Chinese character carries about as much as three Latin letters.
  const share = (han * 3) / Math.max(1, han * 3 + latin);
  return share >= 0.75 ? 'cjk' : share <= 0.25 ? 'latin' : 'mixed';
}

/** When an item happened as far as grouping knows: its publication time, unless missing or later than when it was stored. */
export function storyTime(item: Pick<NewsItem, 'publishedAt' | 'storedAt'>): number {
  const published = item.publishedAt?.getTime();
  const stored = item.storedAt?.getTime();
  if (published === undefined || Number.isNaN(published)) return stored ?? 0;
  return stored === undefined ? published : Math.min(published, stored);
}

/** Reads items' signatures with one set of term sets (compiled once). */
export class StorySignatureReader {
  private readonly concepts: ConceptMatcher;

  /** `termSets`: the shared term sets by name, each term as a rule query writes it. */
  constructor(termSets: Readonly<Record<string, readonly string[]>>) {
    this.concepts = new ConceptMatcher(termSets);
  }

  read(item: NewsItem): StorySignature {
    const text = `${item.title}\n${item.summary ?? ''}`;
    return {
      canonicalUrl: item.url ? canonicalUrl(item.url) : null,
      at: storyTime(item),
      script: storyScript(text),
      concepts: this.concepts.features({ title: item.title, summary: item.summary }, false).map((feature) => feature.slice(1)),
      numbers: storyNumbers(text),
      dates: storyDates(text, item.publishedAt ?? item.storedAt ?? null),
      followUp: isFollowUpTitle(item.title),
    };
  }
}

/** The character n-grams of an item's title and of its whole text, as the detector compares them. */
export interface StoryGrams {
  title: Set<string>;
  text: Set<string>;
}

export function storyGrams(item: Pick<NewsItem, 'title' | 'summary'>): StoryGrams {
  return { title: textGrams(item.title), text: textGrams(`${item.title} ${item.summary ?? ''}`) };
}
