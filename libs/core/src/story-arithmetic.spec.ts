import fc from 'fast-check';

import { applyDelta, replayLogOdds } from './confidence.js';
import { deltaLogOdds } from './likelihood-ratio.js';
import { EXACT_LOG_ODDS_LIMIT, gridDelta, onLogOddsGrid } from './log-odds-grid.js';
import { logit, probabilityFromLogOdds } from './log-odds.js';
import {
  EMPTY_STORY,
  isStronger,
  recordInStory,
  retractFromStory,
  storyContribution,
  storyContributionsWithout,
  storyRemoval,
  strongestOf,
  type StoryEvent,
  type StoryItem,
  type StoryState,
} from './story-arithmetic.js';

/**
 * A prediction as the evidence service moves it: a log-odds, the audit
 * entries' deltas, and per story its state and live items. Each story move
 * is one entry of gridDelta(L, change of the story's contribution).
 */
class Ledger {
  readonly entries: number[] = [];
  readonly stories = new Map<string, { state: StoryState; live: StoryItem[] }>();
  /** Whether every log-odds it held stayed where grid additions are exact. */
  stayedExact = true;
  constructor(public logOdds: number) {}

  private move(delta: number): number {
    const step = applyDelta(this.logOdds, gridDelta(this.logOdds, delta));
    this.entries.push(step.deltaLogOdds);
    this.logOdds = step.logOddsAfter;
    if (Math.abs(this.logOdds) >= EXACT_LOG_ODDS_LIMIT) this.stayedExact = false;
    return step.deltaLogOdds;
  }

  record(story: string, item: StoryItem): number {
    const standing = this.stories.get(story) ?? { state: EMPTY_STORY, live: [] };
    const change = recordInStory(standing.state, item);
    this.stories.set(story, { state: change.after, live: [...standing.live, item] });
    return this.move(change.move);
  }

  retract(story: string, evidenceId: string): number {
    const standing = this.stories.get(story)!;
    const remaining = standing.live.filter((item) => item.evidenceId !== evidenceId);
    const change = retractFromStory(standing.state, evidenceId, remaining);
    this.stories.set(story, { state: change.after, live: remaining });
    return this.move(change.move);
  }
}

const likelihoodRatio = fc.oneof(
  fc.constantFrom(1.5, 3, 10, 1 / 1.5, 1 / 3, 1 / 10),
  fc.double({ min: 0.01, max: 100, noNaN: true }),
);
const reliability = fc.oneof(fc.constantFrom(1, 0.8, 0.5, 0), fc.double({ min: 0, max: 1, noNaN: true }));
const itemDelta = fc.tuple(likelihoodRatio, reliability).map(([ratio, r]) => deltaLogOdds(ratio, r));
const items = fc.array(itemDelta, { minLength: 1, maxLength: 8 }).map((deltas) => deltas.map((delta, index) => ({ evidenceId: `e${index}`, deltaLogOdds: delta })));
const prior = fc.double({ min: 0.001, max: 0.999, noNaN: true }).map((p) => onLogOddsGrid(logit(p)));

/** The story's items counted alone: the strongest one, as its own story. */
function aloneLogOdds(start: number, story: readonly StoryItem[]): number {
  const ledger = new Ledger(start);
  ledger.record('alone', strongestOf(story)!);
  return ledger.logOdds;
}

describe('isStronger and strongestOf', () => {
  it('orders by |dL|, and of equals in opposite directions counts the one against', () => {
    expect(isStronger(Math.log(10), Math.log(3))).toBe(true);
    expect(isStronger(Math.log(1 / 10), Math.log(3))).toBe(true);
    expect(isStronger(-1, 1)).toBe(true);
    expect(isStronger(1, -1)).toBe(false);
    expect(isStronger(1, 1)).toBe(false);
  });

  it('keeps the earliest of equal items', () => {
    expect(strongestOf([{ evidenceId: 'a', deltaLogOdds: 1 }, { evidenceId: 'b', deltaLogOdds: 1 }])!.evidenceId).toBe('a');
    expect(strongestOf([])).toBeNull();
  });
});

describe('a story counts once', () => {
  it('the issue: strong LR 10 then moderate LR 3 of one story take 35% to 84.3% and no further', () => {
    const ledger = new Ledger(onLogOddsGrid(logit(0.35)));
    ledger.record('entity-list', { evidenceId: 'briefing', deltaLogOdds: deltaLogOdds(10, 1) });
    expect(probabilityFromLogOdds(ledger.logOdds)).toBeCloseTo(0.8434, 4);
    const repeat = ledger.record('entity-list', { evidenceId: 'weighs', deltaLogOdds: deltaLogOdds(3, 1) });
    expect(repeat).toBe(0);
    expect(probabilityFromLogOdds(ledger.logOdds)).toBeCloseTo(0.8434, 4);
  });

  it('a stronger repeat moves only by the difference', () => {
    const start = onLogOddsGrid(logit(0.55));
    const ledger = new Ledger(start);
    ledger.record('ascend', { evidenceId: 'a', deltaLogOdds: Math.log(1.5) });
    const moved = ledger.record('ascend', { evidenceId: 'b', deltaLogOdds: Math.log(3) });
    expect(moved).toBe(onLogOddsGrid(Math.log(3)) - onLogOddsGrid(Math.log(1.5)));
    ledger.record('ascend', { evidenceId: 'c', deltaLogOdds: Math.log(2) });
    expect(ledger.logOdds).toBe(start + onLogOddsGrid(Math.log(3)));
  });

  it('adding repeats never moves the probability past the strongest item alone', () => {
    fc.assert(
      fc.property(prior, items, (start, story) => {
        const ledger = new Ledger(start);
        story.forEach((item, index) => {
          ledger.record('s', item);
          const alone = aloneLogOdds(start, story.slice(0, index + 1));
          expect(ledger.logOdds).toBe(alone);
          expect(Math.abs(ledger.logOdds - start)).toBeLessThanOrEqual(Math.abs(alone - start));
        });
      }),
    );
  });

  it('the order in which a story arrives does not change where it ends, bit for bit', () => {
    fc.assert(
      fc.property(prior, items.chain((story) => fc.tuple(fc.constant(story), fc.shuffledSubarray(story, { minLength: story.length, maxLength: story.length }))), (start, [story, shuffled]) => {
        const inOrder = new Ledger(start);
        for (const item of story) inOrder.record('s', item);
        const reordered = new Ledger(start);
        for (const item of shuffled) reordered.record('s', item);
        expect(reordered.logOdds).toBe(inOrder.logOdds);
        expect(inOrder.logOdds).toBe(aloneLogOdds(start, story));
      }),
    );
  });

  it('retracting every item of a story, in any order, returns exactly to the prior position', () => {
    fc.assert(
      fc.property(prior, items.chain((story) => fc.tuple(fc.constant(story), fc.shuffledSubarray(story, { minLength: story.length, maxLength: story.length }))), (start, [story, retractions]) => {
        const ledger = new Ledger(start);
        for (const item of story) ledger.record('s', item);
        retractions.forEach((item, index) => {
          ledger.retract('s', item.evidenceId);
          const left = retractions.slice(index + 1);
          // Each retraction leaves the story counting its strongest remaining item.
          expect(ledger.logOdds).toBe(left.length === 0 ? start : start + storyContribution(strongestOf(story.filter((candidate) => left.includes(candidate)))!.deltaLogOdds));
        });
        expect(ledger.logOdds).toBe(start);
      }),
    );
  });

  it('retracting the counted item falls back to the next strongest; retracting a repeat moves nothing', () => {
    const start = onLogOddsGrid(logit(0.35));
    const ledger = new Ledger(start);
    ledger.record('s', { evidenceId: 'strong', deltaLogOdds: Math.log(10) });
    ledger.record('s', { evidenceId: 'moderate', deltaLogOdds: Math.log(3) });
    ledger.record('s', { evidenceId: 'weak', deltaLogOdds: Math.log(1.5) });
    expect(ledger.retract('s', 'moderate')).toBe(0);
    ledger.retract('s', 'strong');
    expect(ledger.logOdds).toBe(start + onLogOddsGrid(Math.log(1.5)));
    expect(ledger.stories.get('s')!.state.strongestEvidenceId).toBe('weak');
    ledger.retract('s', 'weak');
    expect(ledger.logOdds).toBe(start);
  });

  it('many stories interleaved, recorded and retracted in any order, end exactly on the prior plus each story once while |L| < 16', () => {
    const operation = fc.record({ story: fc.constantFrom('a', 'b', 'c', 'd'), delta: itemDelta, retract: fc.boolean() });
    fc.assert(
      fc.property(prior, fc.array(operation, { maxLength: 30 }), (start, operations) => {
        const ledger = new Ledger(start);
        operations.forEach((operation, index) => {
          const standing = ledger.stories.get(operation.story);
          if (operation.retract && standing && standing.live.length > 0) ledger.retract(operation.story, standing.live[index % standing.live.length]!.evidenceId);
          else ledger.record(operation.story, { evidenceId: `e${index}`, deltaLogOdds: operation.delta });
        });
        // Four stories can carry a prediction past |L| = 16, where floats are coarser than the grid.
        fc.pre(ledger.stayedExact);
        let expected = start;
        for (const { live } of [...ledger.stories.values()].sort(() => 0)) expected += storyContribution(strongestOf(live)?.deltaLogOdds ?? null);
        expect(ledger.logOdds).toBe(expected);
        expect(replayLogOdds(start, ledger.entries)).toBe(ledger.logOdds);
      }),
    );
  });
});

describe('what-if over a story', () => {
  const events: StoryEvent[] = [
    { sequence: 2, kind: 'record', evidenceId: 'strong', deltaLogOdds: Math.log(10), moved: onLogOddsGrid(Math.log(10)) },
    { sequence: 3, kind: 'record', evidenceId: 'moderate', deltaLogOdds: Math.log(3), moved: 0 },
    { sequence: 5, kind: 'record', evidenceId: 'weak', deltaLogOdds: Math.log(1.5), moved: 0 },
  ];

  it('excluding the counted item falls back to the next strongest', () => {
    expect(storyContributionsWithout(events, new Set(['strong']))).toEqual([0, onLogOddsGrid(Math.log(3)), onLogOddsGrid(Math.log(3))]);
    expect(storyRemoval(events, new Set(['strong']), 0, 5)).toBe(onLogOddsGrid(Math.log(10)) - onLogOddsGrid(Math.log(3)));
  });

  it('excluding a repeat removes nothing; excluding the whole story removes all it moved', () => {
    expect(storyRemoval(events, new Set(['moderate']), 0, 5)).toBe(0);
    expect(storyRemoval(events, new Set(['strong', 'moderate', 'weak']), 0, 5)).toBe(onLogOddsGrid(Math.log(10)));
  });

  it('counts only what moved after an override', () => {
    // An override at sequence 4 set the probability: the strong item before it no longer counts.
    expect(storyRemoval(events, new Set(['strong']), 4, 5)).toBe(0);
    expect(storyRemoval(events, new Set(['strong']), 2, 3)).toBe(-onLogOddsGrid(Math.log(3)));
  });

  it('matches replaying the story without the excluded items', () => {
    fc.assert(
      fc.property(prior, items, fc.func(fc.boolean()), (start, story, exclude) => {
        const ledger = new Ledger(start);
        const recorded: StoryEvent[] = story.map((item, index) => ({ sequence: index + 2, kind: 'record', evidenceId: item.evidenceId, deltaLogOdds: item.deltaLogOdds, moved: ledger.record('s', item) }));
        const excluded = new Set(story.filter((item) => exclude(item.evidenceId)).map((item) => item.evidenceId));
        const without = new Ledger(start);
        for (const item of story) if (!excluded.has(item.evidenceId)) without.record('s', item);
        expect(ledger.logOdds - storyRemoval(recorded, excluded, 0, story.length + 1)).toBe(without.logOdds);
      }),
    );
  });
});
