import fc from 'fast-check';
import { replayLogOdds } from './confidence.js';
import {
  MAX_LIKELIHOOD_RATIO,
  MIN_LIKELIHOOD_RATIO,
  STRENGTH_LIKELIHOOD_RATIOS,
  deltaLogOdds,
  isAcceptedLikelihoodRatio,
  likelihoodRatioFor,
  quietDayLikelihoodRatio,
} from './likelihood-ratio.js';

describe('likelihoodRatioFor', () => {
  it('uses the strength table', () => {
    expect(STRENGTH_LIKELIHOOD_RATIOS).toEqual({ weak: 1.5, moderate: 3, strong: 10 });
    expect(likelihoodRatioFor('supports', 'weak')).toBe(1.5);
    expect(likelihoodRatioFor('supports', 'moderate')).toBe(3);
    expect(likelihoodRatioFor('supports', 'strong')).toBe(10);
  });

  it('inverts the ratio for contradicting evidence', () => {
    expect(likelihoodRatioFor('contradicts', 'weak')).toBe(1 / 1.5);
    expect(likelihoodRatioFor('contradicts', 'moderate')).toBe(1 / 3);
    expect(likelihoodRatioFor('contradicts', 'strong')).toBe(0.1);
  });

  it('rejects unknown values', () => {
    expect(() => likelihoodRatioFor('sideways' as never, 'weak')).toThrow(RangeError);
    expect(() => likelihoodRatioFor('supports', 'huge' as never)).toThrow(RangeError);
  });
});

describe('isAcceptedLikelihoodRatio', () => {
  it('accepts [1/100, 100] inclusive and nothing else', () => {
    expect(MIN_LIKELIHOOD_RATIO).toBe(0.01);
    expect(MAX_LIKELIHOOD_RATIO).toBe(100);
    expect(isAcceptedLikelihoodRatio(0.01)).toBe(true);
    expect(isAcceptedLikelihoodRatio(100)).toBe(true);
    expect(isAcceptedLikelihoodRatio(1)).toBe(true);
    expect(isAcceptedLikelihoodRatio(0.0099)).toBe(false);
    expect(isAcceptedLikelihoodRatio(100.01)).toBe(false);
    expect(isAcceptedLikelihoodRatio(0)).toBe(false);
    expect(isAcceptedLikelihoodRatio(-2)).toBe(false);
    expect(isAcceptedLikelihoodRatio(Infinity)).toBe(false);
    expect(isAcceptedLikelihoodRatio(Number.NaN)).toBe(false);
  });
});

describe('deltaLogOdds', () => {
  it('is reliability * ln(LR)', () => {
    expect(deltaLogOdds(2, 1)).toBeCloseTo(0.6931471805599453, 15);
    expect(deltaLogOdds(0.5, 1)).toBeCloseTo(-0.6931471805599453, 15);
    expect(deltaLogOdds(3, 0.5)).toBeCloseTo(0.5493061443340549, 15);
    expect(deltaLogOdds(1, 1)).toBe(0);
  });

  it('halves the effect at reliability 0.5', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), (lr) => {
        expect(deltaLogOdds(lr, 0.5)).toBeCloseTo(deltaLogOdds(lr, 1) / 2, 14);
      }),
    );
  });

  it('ignores evidence at reliability 0 without producing -0', () => {
    expect(Object.is(deltaLogOdds(0.1, 0), 0)).toBe(true);
    expect(Object.is(deltaLogOdds(10, 0), 0)).toBe(true);
  });

  it('throws RangeError for out-of-range inputs', () => {
    expect(() => deltaLogOdds(2, -0.01)).toThrow(RangeError);
    expect(() => deltaLogOdds(2, 1.01)).toThrow(RangeError);
    expect(() => deltaLogOdds(2, Number.NaN)).toThrow(RangeError);
    expect(() => deltaLogOdds(0, 1)).toThrow(RangeError);
    expect(() => deltaLogOdds(-1, 1)).toThrow(RangeError);
    expect(() => deltaLogOdds(101, 1)).toThrow(RangeError);
    expect(() => deltaLogOdds(Number.NaN, 1)).toThrow(RangeError);
  });
});

describe('quietDayLikelihoodRatio', () => {
  it('is (n-1)/n', () => {
    expect(quietDayLikelihoodRatio(365)).toBe(364 / 365);
    expect(quietDayLikelihoodRatio(2)).toBe(0.5);
    expect(quietDayLikelihoodRatio(4)).toBe(0.75);
  });

  it('returns null on or after the deadline', () => {
    expect(quietDayLikelihoodRatio(1)).toBeNull();
    expect(quietDayLikelihoodRatio(0)).toBeNull();
    expect(quietDayLikelihoodRatio(-3)).toBeNull();
  });

  it('rejects non-integers', () => {
    expect(() => quietDayLikelihoodRatio(2.5)).toThrow(RangeError);
    expect(() => quietDayLikelihoodRatio(Number.NaN)).toThrow(RangeError);
    expect(() => quietDayLikelihoodRatio(Infinity)).toThrow(RangeError);
  });

  it('364 quiet days out of 365 take L0 to L0 + ln(1/365)', () => {
    const l0 = 0.4054651081081644;
    const deltas: number[] = [];
    for (let n = 365; n >= 2; n--) {
      deltas.push(deltaLogOdds(quietDayLikelihoodRatio(n)!, 1));
    }
    expect(deltas).toHaveLength(364);
    expect(replayLogOdds(l0, deltas)).toBeCloseTo(l0 + Math.log(1 / 365), 10);
  });

  it('makes the odds fall in proportion to the time left', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 1000 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))),
        fc.double({ min: -5, max: 5, noNaN: true }),
        ([n, k], l0) => {
          let logOdds = l0;
          for (let day = 0; day < k; day++) {
            logOdds += deltaLogOdds(quietDayLikelihoodRatio(n - day)!, 1);
          }
          expect(logOdds).toBeCloseTo(l0 + Math.log((n - k) / n), 9);
        },
      ),
    );
  });
});
