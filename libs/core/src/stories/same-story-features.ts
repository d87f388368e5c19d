import { quantityFamily, sameQuantity, type StoryNumber } from './story-numbers.js';
import { type StoryGrams, type StorySignature } from './story-signature.js';

/** One item of a pair as the detector compares it: its signature and its text's n-grams. */
export interface ComparedItem {
  signature: StorySignature;
  grams: StoryGrams;
}

/** What the detector knows about a pair of items. */
export interface SameStoryFeatures {
  /** The same canonical link (tracking parameters, AMP and mobile editions ignored). */
  sameLink: boolean;
  /** Days between the two items' times. */
  gapDays: number;
  /** One mostly in Chinese and the other mostly in Latin letters: text similarity says little. */
  crossScript: boolean;
  /** Jaccard of the titles' n-grams (Latin trigrams, CJK bigrams). */
  titleSimilarity: number;
  /** Jaccard of title and summary's n-grams. */
  textSimilarity: number;
  /** Jaccard of the term-set concepts named (entities, places, actions, across languages). */
  conceptSimilarity: number;
  /** Numbers of one that the other states too (same quantity, across languages and currencies). */
  sharedNumbers: number;
  /** Kinds of number (money, shares, counts, years, nodes) both state with no value in common. */
  conflictingNumbers: number;
  /** Both name a day and some day of one is within a day of one of the other's. */
  sharedDate: boolean;
  /** Both name days and none is within a day of the other's. */
  conflictingDates: boolean;
  /** Exactly one title reads as a reaction to news rather than the news: a denial, a response, a question or an explainer. */
  followUpMismatch: boolean;
}


function jaccard<T>(a: ReadonlySet<T> | readonly T[], b: ReadonlySet<T> | readonly T[]): number {
  const first = a instanceof Set ? a : new Set(a as readonly T[]);
  const second = b instanceof Set ? b : new Set(b as readonly T[]);
  if (first.size === 0 || second.size === 0) return 0;
  let shared = 0;
  for (const value of first) if (second.has(value)) shared += 1;
  return shared / (first.size + second.size - shared);
}

function numberAgreement(a: readonly StoryNumber[], b: readonly StoryNumber[]): { shared: number; conflicting: number } {
  let shared = 0;
  for (const number of a) if (b.some((other) => sameQuantity(number, other))) shared += 1;
  const families = new Set(a.map((number) => quantityFamily(number.kind)));
  let conflicting = 0;
  for (const family of families) {
    const mine = a.filter((number) => quantityFamily(number.kind) === family);
    const theirs = b.filter((number) => quantityFamily(number.kind) === family);
    if (theirs.length > 0 && !mine.some((number) => b.some((other) => sameQuantity(number, other)))) conflicting += 1;
  }
  return { shared, conflicting };
}

/** Days within this many of each other are the same day (time zones, a report written the day after). */
const SAME_DAY_TOLERANCE = 1;

export function sameStoryFeatures(a: ComparedItem, b: ComparedItem): SameStoryFeatures {
  const numbers = numberAgreement(a.signature.numbers, b.signature.numbers);
  const near = (day: number, days: readonly number[]) => days.some((other) => Math.abs(other - day) <= SAME_DAY_TOLERANCE);
  const bothDated = a.signature.dates.length > 0 && b.signature.dates.length > 0;
  const sharedDate = bothDated && a.signature.dates.some((day) => near(day, b.signature.dates));
  const scripts = new Set([a.signature.script, b.signature.script]);
  return {
    sameLink: a.signature.canonicalUrl !== null && a.signature.canonicalUrl === b.signature.canonicalUrl,
    gapDays: Math.abs(a.signature.at - b.signature.at) / 86_400_000,
    crossScript: scripts.has('cjk') && scripts.has('latin'),
    titleSimilarity: jaccard(a.grams.title, b.grams.title),
    textSimilarity: jaccard(a.grams.text, b.grams.text),
    conceptSimilarity: jaccard(a.signature.concepts, b.signature.concepts),
    sharedNumbers: numbers.shared,
    conflictingNumbers: numbers.conflicting,
    sharedDate,
    conflictingDates: bothDated && !sharedDate,
    followUpMismatch: a.signature.followUp !== b.signature.followUp,
  };
}
