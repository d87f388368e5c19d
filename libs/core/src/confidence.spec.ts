import fc from 'fast-check';
import { applyDelta, overrideDelta, replayLogOdds, retractionDelta } from './confidence.js';
import { deltaLogOdds } from './likelihood-ratio.js';
import { logit } from './log-odds.js';

const logOddsArb = fc.double({ min: -30, max: 30, noNaN: true });
const deltaArb = fc.double({ min: -Math.log(100), max: Math.log(100), noNaN: true });

describe('applyDelta', () => {
  it('takes 0.6 to 0.75 with a likelihood ratio of 2', () => {
    const step = applyDelta(logit(0.6), deltaLogOdds(2, 1));
    expect(step.logOddsBefore).toBeCloseTo(0.4054651081081644, 14);
    expect(step.deltaLogOdds).toBeCloseTo(0.6931471805599453, 15);
    expect(step.logOddsAfter).toBeCloseTo(Math.log(3), 14);
    expect(step.probabilityBefore).toBeCloseTo(0.6, 14);
    expect(step.probabilityAfter).toBeCloseTo(0.75, 14);
  });

  it('moves 0.5 to sqrt(2)/(1+sqrt(2)) with LR 2 at reliability 0.5', () => {
    const step = applyDelta(0, deltaLogOdds(2, 0.5));
    expect(step.probabilityBefore).toBe(0.5);
    expect(step.probabilityAfter).toBeCloseTo(0.5857864376269051, 14);
  });

  it('adds with plain +', () => {
    fc.assert(
      fc.property(logOddsArb, deltaArb, (before, delta) => {
        expect(applyDelta(before, delta).logOddsAfter).toBe(before + delta);
      }),
    );
  });

  it('rejects non-finite inputs', () => {
    expect(() => applyDelta(Number.NaN, 0)).toThrow(RangeError);
    expect(() => applyDelta(0, Infinity)).toThrow(RangeError);
    expect(() => applyDelta(Number.MAX_VALUE, Number.MAX_VALUE)).toThrow(RangeError);
  });
});

describe('overrideDelta', () => {
  it('is logit(p) - logOddsBefore', () => {
    expect(overrideDelta(0, 0.75)).toBeCloseTo(Math.log(3), 14);
    expect(overrideDelta(Math.log(3), 0.5)).toBeCloseTo(-Math.log(3), 14);
  });

  it('lands on the requested probability', () => {
    fc.assert(
      fc.property(logOddsArb, fc.double({ min: 0.001, max: 0.999, noNaN: true }), (before, p) => {
        expect(applyDelta(before, overrideDelta(before, p)).probabilityAfter).toBeCloseTo(p, 12);
      }),
    );
  });

  it('rejects probabilities outside (0, 1)', () => {
    expect(() => overrideDelta(0, 1)).toThrow(RangeError);
    expect(() => overrideDelta(0, 0)).toThrow(RangeError);
  });
});

describe('replayLogOdds', () => {
  it('sums hand-picked deltas in order', () => {
    expect(replayLogOdds(0, [])).toBe(0);
    expect(replayLogOdds(1, [0.5, -0.25, 2])).toBe(3.25);
  });

  it('is bit-identical to applying the deltas one by one', () => {
    fc.assert(
      fc.property(logOddsArb, fc.array(deltaArb, { maxLength: 200 }), (prior, deltas) => {
        let stored = prior;
        for (const delta of deltas) {
          stored = applyDelta(stored, delta).logOddsAfter;
        }
        expect(Object.is(replayLogOdds(prior, deltas), stored)).toBe(true);
      }),
    );
  });

  it('depends on order only through rounding, never by more than a few ulps', () => {
    fc.assert(
      fc.property(logOddsArb, fc.array(deltaArb, { maxLength: 50 }), (prior, deltas) => {
        const reversed = replayLogOdds(prior, [...deltas].reverse());
        expect(replayLogOdds(prior, deltas)).toBeCloseTo(reversed, 10);
      }),
    );
  });
});

describe('retractionDelta', () => {
  it('negates the delta', () => {
    expect(retractionDelta(0.7)).toBe(-0.7);
    expect(retractionDelta(-2)).toBe(2);
    expect(Object.is(retractionDelta(0), 0)).toBe(true);
  });

  it('restores the earlier log-odds within 1e-12', () => {
    fc.assert(
      fc.property(logOddsArb, deltaArb, (before, delta) => {
        const applied = applyDelta(before, delta).logOddsAfter;
        const restored = applyDelta(applied, retractionDelta(delta)).logOddsAfter;
        expect(Math.abs(restored - before)).toBeLessThanOrEqual(1e-12);
      }),
    );
  });

  it('rejects non-finite deltas', () => {
    expect(() => retractionDelta(Number.NaN)).toThrow(RangeError);
  });
});
