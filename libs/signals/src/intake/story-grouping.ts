import { type ComparedItem, DEFAULT_SAME_STORY_MODEL, isSameStory, preDecideSameStory, type SameStoryModel, storyGrams, type StorySignature } from '#core';

/** A stored item that may be in the same story as a new one: found by a shared key within the window. */
export interface StoryCandidate {
  id: string;
  storyId: string;
  title: string;
  summary: string | null;
  signature: StorySignature;
}

/** A new item to group: its signature and keys, and the candidates the index found for it. */
export interface GroupedItem {
  id: string;
  title: string;
  summary: string | null;
  signature: StorySignature;
  keys: readonly number[];
  candidates: readonly StoryCandidate[];
}

/** Where a new item goes: an existing story (`joins`), or a new one under `storyId`. */
export interface StoryAssignment {
  id: string;
  storyId: string;
  /** The story existed before this batch. */
  joins: boolean;
  /** The item it was matched with, and how (null: a story of its own). */
  matchedWith: { id: string; reason: 'link' | 'model'; score: number | null } | null;
}

/** Within one batch, a key more earlier items share than this is left out, and at most this many earlier items are compared. */
const BATCH_HOT_KEY_ITEMS = 64;
const BATCH_CANDIDATES = 10;

/** Decisions already taken for pairs (by the new item's id, then the other's): a second pass over the same batch reads them instead of comparing again. */
export type PairDecisions = Map<string, Map<string, PairDecision>>;
type PairDecision = { same: boolean; reason: 'link' | 'model' | null; score: number | null };

/** Items' signatures and n-grams by id, worked out once for every pass over a batch. */
export type ComparedItems = Map<string, ComparedItem>;

const LINKED: PairDecision = { same: true, reason: 'link', score: null };
const NEVER: PairDecision = { same: false, reason: null, score: null };

/** A link outranks any score. */
const LINK_SCORE = 2;

/**
 * Puts each new item, in order, in the story of the stored or earlier new
 * item it matches best (the same canonical link first, then the detector's
 * highest score; ties to the lower id, so the answer never depends on the
 * order rows came back in), or in a new story (`newStoryId(item id)`: a
 * second pass over a batch already stored gives an item the story it started
 * the first time). Stories are never merged: an item that matches items of
 * two stories joins the best.
 */
export function assignStories(
  items: readonly GroupedItem[],
  newStoryId: (itemId: string) => string,
  model: SameStoryModel = DEFAULT_SAME_STORY_MODEL,
  decisions: PairDecisions = new Map(),
  compared: ComparedItems = new Map(),
): StoryAssignment[] {
  const comparedOf = (item: { id: string; title: string; summary: string | null; signature: StorySignature }): ComparedItem => {
    let entry = compared.get(item.id);
    if (!entry) {
      entry = { signature: item.signature, grams: storyGrams(item) };
      compared.set(item.id, entry);
    }
    return entry;
  };
  const assigned: (GroupedItem & { storyId: string })[] = [];
  /** Per key, the positions in `assigned` of the batch's items that have it. */
  const batchIndex = new Map<number, number[]>();
  const assignments: StoryAssignment[] = [];
  for (const item of items) {
    const keys = new Set(item.keys);
    const mine = decisions.get(item.id) ?? decisions.set(item.id, new Map()).get(item.id)!;
    let best: { storyId: string; id: string; reason: 'link' | 'model'; score: number; joins: boolean } | null = null;
    const consider = (other: { id: string; title: string; summary: string | null; signature: StorySignature }, storyId: string, joins: boolean) => {
      let decision = mine.get(other.id);
      if (!decision) {
        // The signatures decide most candidates (a link; too far apart; numbers or days that disagree) with no n-grams read.
        const first = preDecideSameStory(item.signature, other.signature, model);
        const full = first === null ? isSameStory(comparedOf(item), comparedOf(other), model) : null;
        decision = first === 'link' ? LINKED : full ? { same: full.same, reason: full.same ? 'model' : null, score: full.score } : NEVER;
        mine.set(other.id, decision);
      }
      if (!decision.same) return;
      const score = decision.reason === 'link' ? LINK_SCORE : (decision.score ?? 0);
      if (!best || score > best.score || (score === best.score && other.id < best.id)) best = { storyId, id: other.id, reason: decision.reason === 'link' ? 'link' : 'model', score, joins };
    };
    for (const candidate of item.candidates) consider(candidate, candidate.storyId, true);
    // Items of this batch before it (the index does not hold them yet): as for stored ones, the few sharing most keys,
    // leaving out keys so many share that reading them would cost more than they tell.
    const shared = new Map<number, number>();
    for (const key of keys) {
      const holders = batchIndex.get(key);
      if (!holders || holders.length > BATCH_HOT_KEY_ITEMS) continue;
      for (const holder of holders) shared.set(holder, (shared.get(holder) ?? 0) + 1);
    }
    const nearest = [...shared].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, BATCH_CANDIDATES);
    for (const [position] of nearest) consider(assigned[position]!, assigned[position]!.storyId, false);
    const chosen = best as { storyId: string; id: string; reason: 'link' | 'model'; score: number; joins: boolean } | null;
    const storyId = chosen?.storyId ?? newStoryId(item.id);
    // An item joining an earlier new item's story joins a story that did not exist before this batch.
    const joins = chosen ? chosen.joins || assignments.find((assignment) => assignment.storyId === chosen.storyId)?.joins === true : false;
    assignments.push({ id: item.id, storyId, joins, matchedWith: chosen ? { id: chosen.id, reason: chosen.reason, score: chosen.reason === 'link' ? null : chosen.score } : null });
    for (const key of keys) (batchIndex.get(key) ?? batchIndex.set(key, []).get(key)!).push(assigned.length);
    assigned.push({ ...item, storyId });
  }
  return assignments;
}
