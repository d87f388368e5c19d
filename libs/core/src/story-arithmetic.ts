import { onLogOddsGrid } from './log-odds-grid.js';

/**
 * Evidence that reports one event (one story) counts as one observation. Per
 * story and prediction, the story contributes the dL of its strongest live
 * item, on the log-odds grid: a weaker repeat moves nothing, a stronger one
 * moves by the difference, and retracting the counted item falls back to the
 * next strongest (nothing, once every item is retracted). The prediction moves
 * by the change of the contribution, a difference of two grid values, so a
 * story's moves add up exactly to its contribution: the order its items come
 * in does not change where the prediction ends, and retracting them all
 * returns it to where the story found it, bit for bit.
 */

/** One item of a story as it bears on one prediction: its own dL = r * ln(LR). */
export interface StoryItem {
  evidenceId: string;
  deltaLogOdds: number;
}

/**
 * Whether an item of dL `a` counts over one of dL `b`: the larger |dL|; of two
 * equally strong items in opposite directions, the one against the prediction
 * (so which came first never matters). Equal dLs are equally good: the earlier
 * item stays counted.
 */
export function isStronger(a: number, b: number): boolean {
  const size = Math.abs(a);
  const other = Math.abs(b);
  return size > other || (size === other && a < b);
}

/** The item a story counts: the strongest, the first of equals in the order given (recording order). */
export function strongestOf<T extends StoryItem>(items: readonly T[]): T | null {
  let strongest: T | null = null;
  for (const item of items) if (strongest === null || isStronger(item.deltaLogOdds, strongest.deltaLogOdds)) strongest = item;
  return strongest;
}

/** What a story counted with this dL contributes to the log-odds (nothing counted: 0). */
export function storyContribution(strongestDeltaLogOdds: number | null): number {
  return strongestDeltaLogOdds === null ? 0 : onLogOddsGrid(strongestDeltaLogOdds);
}

/** A story's standing on one prediction: the item it counts, and what it contributes. */
export interface StoryState {
  strongestEvidenceId: string | null;
  /** The counted item's own dL (0 when none is counted). */
  strongestDeltaLogOdds: number;
  /** What the story adds to the prediction's log-odds now: storyContribution of the counted item's dL. */
  appliedDeltaLogOdds: number;
}

export const EMPTY_STORY: StoryState = Object.freeze({ strongestEvidenceId: null, strongestDeltaLogOdds: 0, appliedDeltaLogOdds: 0 });

export interface StoryChange {
  before: StoryState;
  after: StoryState;
  /** The prediction's move: after.appliedDeltaLogOdds - before.appliedDeltaLogOdds (exact between grid values). */
  move: number;
  /** An item recorded but not counted: the item the story counts instead ("counted once with"). */
  countedOnceWith: string | null;
}

/** A new item joins the story: it is counted if it is stronger than the one counted so far. */
export function recordInStory(state: StoryState, item: StoryItem): StoryChange {
  if (state.strongestEvidenceId !== null && !isStronger(item.deltaLogOdds, state.strongestDeltaLogOdds)) {
    return { before: state, after: state, move: 0, countedOnceWith: state.strongestEvidenceId };
  }
  const after: StoryState = {
    strongestEvidenceId: item.evidenceId,
    strongestDeltaLogOdds: item.deltaLogOdds,
    appliedDeltaLogOdds: storyContribution(item.deltaLogOdds),
  };
  return { before: state, after, move: after.appliedDeltaLogOdds - state.appliedDeltaLogOdds + 0, countedOnceWith: null };
}

/**
 * An item is retracted; `remaining` are the story's other live items on the
 * prediction, in recording order. Retracting an item that is not counted
 * moves nothing; retracting the counted one falls back to the strongest of
 * the rest.
 */
export function retractFromStory(state: StoryState, evidenceId: string, remaining: readonly StoryItem[]): StoryChange {
  if (state.strongestEvidenceId !== evidenceId) {
    return { before: state, after: state, move: 0, countedOnceWith: null };
  }
  const next = strongestOf(remaining.filter((item) => item.evidenceId !== evidenceId));
  const after: StoryState = next
    ? { strongestEvidenceId: next.evidenceId, strongestDeltaLogOdds: next.deltaLogOdds, appliedDeltaLogOdds: storyContribution(next.deltaLogOdds) }
    : EMPTY_STORY;
  return { before: state, after, move: after.appliedDeltaLogOdds - state.appliedDeltaLogOdds + 0, countedOnceWith: null };
}

/** One entry of a story's history on one prediction, as the trail has it. */
export interface StoryEvent {
  sequence: number;
  kind: 'record' | 'retract';
  evidenceId: string;
  /** The item's own dL on this prediction. */
  deltaLogOdds: number;
  /** What the entry actually moved the prediction by. */
  moved: number;
}

/**
 * The story's contribution after each event (in sequence order) had the
 * `excluded` items never been recorded.
 */
export function storyContributionsWithout(events: readonly StoryEvent[], excluded: ReadonlySet<string>): number[] {
  const live: StoryItem[] = [];
  return events.map((event) => {
    if (!excluded.has(event.evidenceId)) {
      if (event.kind === 'record') live.push({ evidenceId: event.evidenceId, deltaLogOdds: event.deltaLogOdds });
      else {
        const index = live.findIndex((item) => item.evidenceId === event.evidenceId);
        if (index >= 0) live.splice(index, 1);
      }
    }
    return storyContribution(strongestOf(live)?.deltaLogOdds ?? null);
  });
}

/**
 * How much less the log-odds would hold at sequence `until` had the `excluded`
 * items of this story never been recorded, counting only moves after sequence
 * `since` (an override sets the probability outright: what came before it no
 * longer counts). What the story actually moved in that span, less what it
 * would have moved without them; excluding an item that was never counted
 * removes nothing, excluding the counted one falls back to the next strongest.
 */
export function storyRemoval(events: readonly StoryEvent[], excluded: ReadonlySet<string>, since: number, until: number): number {
  const without = storyContributionsWithout(events, excluded);
  let moved = 0;
  let atSince = 0;
  let atUntil = 0;
  events.forEach((event, index) => {
    if (event.sequence <= since) atSince = without[index]!;
    if (event.sequence <= until) atUntil = without[index]!;
    if (event.sequence > since && event.sequence <= until) moved += event.moved;
  });
  return moved - (atUntil - atSince);
}
