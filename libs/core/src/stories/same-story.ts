import { type ComparedItem, type SameStoryFeatures, sameStoryFeatures } from './same-story-features.js';
import { type StoryGrams, type StorySignature } from './story-signature.js';

/**
 * The same-story detector: whether two news items report the same event.
 *
 * 1. The same canonical link is the same story (one article reached by
 *    different links: tracking parameters, AMP, mobile editions).
 * 2. Otherwise the two must be within the window of each other (by
 *    publication time), and must not disagree on what they state: numbers of
 *    one kind with no value in common ("3.1 billion yuan" against "5.2
 *    billion yuan", another round or another tender) or days more than one
 *    apart (a follow-up, a denial the day after) veto.
 * 3. What remains is scored by a small logistic model over the pair's
 *    features (text and title similarity within one script, the term-set
 *    concepts both name, shared numbers and dates, a follow-up beside the news): at or above the
 *    threshold it is the same story. The weights were fitted on the
 *    development part of the labelled story pairs, and the whole rule chosen
 *    by cross-validation there (`npm run eval:stories`, docs/rules-and-search.md).
 */
export interface SameStoryModel {
  /** The model's inputs (SAME_STORY_MODEL_INPUTS), in the order of `weights`. */
  inputs: readonly SameStoryModelInput[];
  weights: readonly number[];
  bias: number;
  /** At or above this probability two items are the same story. */
  threshold: number;
  /** Items further apart than this (hours) are never grouped, but by their link. */
  windowHours: number;
}

/** What the model may read of a pair's features, each scaled to [0, 1]. Text similarity counts only between texts in one script. */
export const SAME_STORY_MODEL_INPUTS = {
  textSimilarity: (features: SameStoryFeatures) => (features.crossScript ? 0 : features.textSimilarity),
  titleSimilarity: (features: SameStoryFeatures) => (features.crossScript ? 0 : features.titleSimilarity),
  conceptSimilarity: (features: SameStoryFeatures) => features.conceptSimilarity,
  sharedNumbers: (features: SameStoryFeatures) => Math.min(features.sharedNumbers, 3) / 3,
  sharedDate: (features: SameStoryFeatures) => (features.sharedDate ? 1 : 0),
  crossScript: (features: SameStoryFeatures) => (features.crossScript ? 1 : 0),
  followUpMismatch: (features: SameStoryFeatures) => (features.followUpMismatch ? 1 : 0),
  gapDays: (features: SameStoryFeatures) => Math.min(features.gapDays, 3) / 3,
} as const satisfies Record<string, (features: SameStoryFeatures) => number>;

export type SameStoryModelInput = keyof typeof SAME_STORY_MODEL_INPUTS;

/** The inputs chosen by cross-validation on the development pairs (`npm run eval:stories` compares the others). */
export const SAME_STORY_CHOSEN_INPUTS: readonly SameStoryModelInput[] = ['textSimilarity', 'conceptSimilarity', 'sharedNumbers', 'sharedDate', 'followUpMismatch'];

export function sameStoryModelInputs(features: SameStoryFeatures, inputs: readonly SameStoryModelInput[]): number[] {
  return inputs.map((input) => SAME_STORY_MODEL_INPUTS[input](features));
}

/** Trained on all 134 development pairs by `npm run eval:stories` (which prints these numbers); see train-same-story.ts. */
export const DEFAULT_SAME_STORY_MODEL: SameStoryModel = {
  inputs: SAME_STORY_CHOSEN_INPUTS,
  weights: [0.5369, 3.5434, 1.7316, 1.0574, -1.178],
  bias: -1.8406,
  threshold: 0.5466,
  windowHours: 72,
};

/** Why two items were or were not taken for one story. */
export type SameStoryReason = 'link' | 'model' | 'outside-window' | 'numbers-disagree' | 'dates-disagree' | 'below-threshold';

export interface SameStoryDecision {
  same: boolean;
  reason: SameStoryReason;
  /** The model's probability (null where a link or a veto decided first). */
  score: number | null;
  features: SameStoryFeatures;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The model's probability that a pair of features is one story (no window, no vetoes). */
export function sameStoryProbability(features: SameStoryFeatures, model: SameStoryModel): number {
  const inputs = sameStoryModelInputs(features, model.inputs);
  let z = model.bias;
  inputs.forEach((value, index) => {
    z += value * (model.weights[index] ?? 0);
  });
  return sigmoid(z);
}

/** The detector's rule on features already worked out (see SameStoryModel). */
export function decideSameStory(features: SameStoryFeatures, model: SameStoryModel = DEFAULT_SAME_STORY_MODEL): SameStoryDecision {
  if (features.sameLink) return { same: true, reason: 'link', score: null, features };
  if (features.gapDays * 24 > model.windowHours) return { same: false, reason: 'outside-window', score: null, features };
  if (features.conflictingNumbers > 0) return { same: false, reason: 'numbers-disagree', score: null, features };
  if (features.conflictingDates) return { same: false, reason: 'dates-disagree', score: null, features };
  const score = sameStoryProbability(features, model);
  return score >= model.threshold ? { same: true, reason: 'model', score, features } : { same: false, reason: 'below-threshold', score, features };
}

/**
 * What the signatures alone decide, before any text is compared: the same link
 * (one story), or too far apart in time, or numbers or days that disagree
 * (never). Null when the model has to score the pair. Grouping asks this first,
 * so most candidates cost no n-grams.
 */
export function preDecideSameStory(a: StorySignature, b: StorySignature, model: SameStoryModel = DEFAULT_SAME_STORY_MODEL): 'link' | 'never' | null {
  if (a.canonicalUrl !== null && a.canonicalUrl === b.canonicalUrl) return 'link';
  if (Math.abs(a.at - b.at) / 3_600_000 > model.windowHours) return 'never';
  const features = sameStoryFeatures({ signature: a, grams: NO_GRAMS }, { signature: b, grams: NO_GRAMS });
  return features.conflictingNumbers > 0 || features.conflictingDates ? 'never' : null;
}

const NO_GRAMS: StoryGrams = { title: new Set(), text: new Set() };

/** Whether two items (their signatures and n-grams) report the same event. */
export function isSameStory(a: ComparedItem, b: ComparedItem, model: SameStoryModel = DEFAULT_SAME_STORY_MODEL): SameStoryDecision {
  return decideSameStory(sameStoryFeatures(a, b), model);
}
