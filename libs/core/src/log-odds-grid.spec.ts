import fc from 'fast-check';

import { applyDelta, replayLogOdds } from './confidence.js';
import { EXACT_LOG_ODDS_LIMIT, gridDelta, isOnLogOddsGrid, landingDelta, LOG_ODDS_GRID, onLogOddsGrid } from './log-odds-grid.js';
import { logit } from './log-odds.js';

const anyLogOdds = fc.double({ min: -40, max: 40, noNaN: true });
const anyDelta = fc.double({ min: -Math.log(100), max: Math.log(100), noNaN: true });
/** Log-odds a move of at most ln(100) either way keeps inside the exact range. */
const exactGridLogOdds = fc.double({ min: -(EXACT_LOG_ODDS_LIMIT - Math.log(100)), max: EXACT_LOG_ODDS_LIMIT - Math.log(100), noNaN: true }).map(onLogOddsGrid);

describe('onLogOddsGrid', () => {
  it('rounds to the nearest multiple of 2^-49, within half a step, and is idempotent', () => {
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), (value) => {
        const snapped = onLogOddsGrid(value);
        expect(Math.abs(snapped - value)).toBeLessThanOrEqual(LOG_ODDS_GRID / 2);
        expect(onLogOddsGrid(snapped)).toBe(snapped);
        expect(Object.is(snapped, -0)).toBe(false);
      }),
    );
  });

  it('leaves values past the exact range alone: they are on the grid already', () => {
    expect(onLogOddsGrid(20.1)).toBe(20.1);
    expect(isOnLogOddsGrid(-EXACT_LOG_ODDS_LIMIT - 0.3)).toBe(true);
    expect(isOnLogOddsGrid(logit(0.35))).toBe(false);
  });
});

describe('gridDelta', () => {
  it('from a grid value inside the exact range is the delta on the grid, and lands exactly', () => {
    fc.assert(
      fc.property(exactGridLogOdds, anyDelta, (before, delta) => {
        const recorded = gridDelta(before, delta);
        expect(recorded).toBe(onLogOddsGrid(delta));
        expect(before + recorded).toBe(before + onLogOddsGrid(delta));
        expect(isOnLogOddsGrid(before + recorded)).toBe(true);
      }),
    );
  });

  it('moves a log-odds recorded before the grid by what was asked, to within a step and a half of the grid', () => {
    fc.assert(
      fc.property(exactGridLogOdds.map((value) => value + LOG_ODDS_GRID / 3), anyDelta.filter((delta) => delta !== 0), (before, delta) => {
        const after = applyDelta(before, gridDelta(before, delta)).logOddsAfter;
        // Onto the grid when one addition can get there; an off-grid value of finer bits than the result sometimes cannot.
        expect(Math.abs(after - (before + delta))).toBeLessThanOrEqual(LOG_ODDS_GRID * 1.5);
      }),
    );
  });

  it('carries the prior of a prediction created before the grid onto it with its first move', () => {
    for (const prior of [0.35, 0.6, 0.55, 0.5, 0.02, 0.97]) {
      const after = applyDelta(logit(prior), gridDelta(logit(prior), Math.log(3))).logOddsAfter;
      expect(isOnLogOddsGrid(after)).toBe(true);
    }
  });

  it('keeps a zero move zero, even off the grid', () => {
    expect(gridDelta(logit(0.35), 0)).toBe(0);
  });

  it('makes moves commute and undo each other exactly inside the exact range: any order of any moves ends on the exact sum', () => {
    fc.assert(
      fc.property(exactGridLogOdds, fc.array(anyDelta, { maxLength: 12 }), fc.integer(), (start, deltas, seed) => {
        const fold = (order: readonly number[]) => order.reduce((logOdds, delta) => logOdds + gridDelta(logOdds, delta), start);
        const shuffled = [...deltas].sort((a, b) => ((a * 1e9 + seed) % 7) - ((b * 1e9 + seed) % 7));
        // Every partial sum, in either order, stays where grid additions are exact.
        const within = (order: readonly number[]) => order.every((_, index) => Math.abs(fold(order.slice(0, index + 1))) < EXACT_LOG_ODDS_LIMIT);
        fc.pre(within(deltas) && within(shuffled));
        expect(fold(shuffled)).toBe(fold(deltas));
        const there = fold(deltas);
        const back = deltas.reduce((logOdds, delta) => logOdds + gridDelta(logOdds, -onLogOddsGrid(delta)), there);
        expect(back).toBe(start);
      }),
    );
  });

  it('replays bit for bit: folding the recorded deltas gives every stored log-odds', () => {
    fc.assert(
      fc.property(anyLogOdds, fc.array(anyDelta, { maxLength: 20 }), (prior, deltas) => {
        let logOdds = prior;
        const recorded: number[] = [];
        for (const delta of deltas) {
          const step = applyDelta(logOdds, gridDelta(logOdds, delta));
          recorded.push(step.deltaLogOdds);
          logOdds = step.logOddsAfter;
        }
        expect(replayLogOdds(prior, recorded)).toBe(logOdds);
      }),
    );
  });
});

describe('landingDelta', () => {
  it('finds the delta that lands exactly where plain subtraction does not', () => {
    // 0.1 + (0.3 - 0.1) is 0.30000000000000004, not 0.3.
    const delta = landingDelta(0.1, 0.3);
    expect(0.1 + delta).toBe(0.3);
  });

  it('never lands further from the target than the plain difference, and exactly between grid values', () => {
    fc.assert(
      fc.property(exactGridLogOdds.map((value) => value / 2), exactGridLogOdds.map((value) => value / 2), (from, target) => {
        expect(Math.abs(from + landingDelta(from, target) - target)).toBeLessThanOrEqual(Math.abs(from + (target - from) - target));
        expect(onLogOddsGrid(from) + landingDelta(onLogOddsGrid(from), onLogOddsGrid(target))).toBe(onLogOddsGrid(target));
      }),
    );
  });
});
