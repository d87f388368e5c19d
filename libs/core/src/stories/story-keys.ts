import { type StorySignature } from './story-signature.js';

/**
 * Keys for finding an item's possible same-story partners with an index
 * instead of comparing it with every item in the window. Each key names a
 * fact of the event specific enough to be rare across unrelated news:
 *
 * - the canonical link;
 * - each pair of term-set concepts the item names (`@deepseek & @curbs`),
 *   and each single concept when it names three or fewer (a pair sharing one
 *   concept of few is grouped on concepts alone);
 * - each concept with each number (not years), and each pair of numbers: a
 *   pair that shares numbers and a day but few concepts.
 *
 * So two items' full key sets meet when they share the link, two concepts, a
 * concept and a number, two numbers, or one concept where both name at most
 * three (a property test). The detector could in principle group a pair outside
 * these (one concept in common of many, nothing else but the words); no
 * labelled pair is such a pair (`npm run eval:stories` checks), and it is the
 * price of a search that reads a handful of rows per item, not the window.
 *
 * An item keeps the six lowest hashes of each tier (a bottom-k sketch, so two
 * items sharing many keys share some of their lowest: on the labelled pairs,
 * every pair the detector groups shares one). Keys are 32-bit FNV-1a hashes,
 * stored one row each (StoryKey, by key and time): a collision only adds a
 * candidate, which the detector then turns down.
 */
export function storyKeys(signature: Pick<StorySignature, 'canonicalUrl' | 'concepts' | 'numbers'>): number[] {
  const { specific, general } = storyKeyTiers(signature);
  return [...new Set([...specific, ...general])].sort((a, b) => a - b);
}

/**
 * The keys an item keeps, in two tiers: `specific` ones (the link, numbers
 * with concepts, pairs of numbers) name facts few items share; `general` ones
 * (concepts and their pairs) can be common in a stream about one subject. Of
 * each tier the lowest hashes are kept (so a flood of concept keys never
 * crowds out the numbers), and always the link's.
 */
export function storyKeyTiers(signature: Pick<StorySignature, 'canonicalUrl' | 'concepts' | 'numbers'>): { specific: number[]; general: number[] } {
  // The lowest hashes of each tier (a bottom-k sketch): two items sharing many keys share some of their lowest.
  const { specific, general } = allStoryKeyTiers(signature);
  // The link's key is always kept: the same link is the same story whatever else the two items say.
  const link = signature.canonicalUrl ? hashKey(`u:${signature.canonicalUrl}`) : null;
  const kept = specific.filter((key) => key !== link).slice(0, link === null ? SPECIFIC_KEYS : SPECIFIC_KEYS - 1);
  return { specific: link === null ? kept : [link, ...kept].sort((a, b) => a - b), general: general.slice(0, GENERAL_KEYS) };
}

/** Every key of each tier, lowest hash first (storyKeyTiers keeps the first few of each). */
export function allStoryKeyTiers(signature: Pick<StorySignature, 'canonicalUrl' | 'concepts' | 'numbers'>): { specific: number[]; general: number[] } {
  const specific = new Set<string>();
  const general = new Set<string>();
  if (signature.canonicalUrl) specific.add(`u:${signature.canonicalUrl}`);
  const concepts = [...signature.concepts].sort();
  if (concepts.length <= 3) for (const concept of concepts) general.add(`c:${concept}`);
  for (let first = 0; first < concepts.length; first += 1) {
    for (let second = first + 1; second < concepts.length; second += 1) general.add(`c:${concepts[first]}&${concepts[second]}`);
  }
  // By value alone: "5000万" (a bare number) and "5000万元" are one key. Years are in most news of a year.
  const numbers = [...new Set(signature.numbers.filter((number) => number.kind !== 'year').map((number) => String(number.value)))].sort();
  for (const concept of concepts) for (const number of numbers) specific.add(`c:${concept}|n:${number}`);
  for (let first = 0; first < numbers.length; first += 1) {
    for (let second = first + 1; second < numbers.length; second += 1) specific.add(`n:${numbers[first]}&${numbers[second]}`);
  }
  const hashed = (keys: Set<string>) => [...new Set([...keys].map(hashKey))].sort((a, b) => a - b);
  return { specific: hashed(specific), general: hashed(general) };
}

/** How many keys of each tier an item keeps: its lowest hashes. */
export const SPECIFIC_KEYS = 6;
export const GENERAL_KEYS = 6;

/** FNV-1a over the key's UTF-16 code units, as a signed 32-bit integer. */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
