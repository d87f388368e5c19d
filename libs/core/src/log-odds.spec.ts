import fc from 'fast-check';
import {
  MAX_PROBABILITY,
  MIN_PROBABILITY,
  isAcceptedProbability,
  logit,
  probabilityFromLogOdds,
} from './log-odds.js';

describe('logit', () => {
  it('matches hand-computed values', () => {
    expect(logit(0.5)).toBe(0);
    expect(logit(0.6)).toBeCloseTo(0.4054651081081644, 14);
    expect(logit(0.75)).toBeCloseTo(Math.log(3), 14);
    expect(logit(0.2)).toBeCloseTo(-Math.log(4), 14);
  });

  it('rejects probabilities outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, 1.1, Number.NaN, Infinity]) {
      expect(() => logit(p)).toThrow(RangeError);
    }
  });
});

describe('probabilityFromLogOdds', () => {
  it('matches hand-computed values', () => {
    expect(probabilityFromLogOdds(0)).toBe(0.5);
    expect(probabilityFromLogOdds(Math.log(3))).toBeCloseTo(0.75, 15);
    expect(probabilityFromLogOdds(-Math.log(3))).toBeCloseTo(0.25, 15);
    expect(probabilityFromLogOdds(Math.log(2) / 2)).toBeCloseTo(0.5857864376269051, 14);
  });

  it('is the inverse of logit', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), (p) => {
        expect(probabilityFromLogOdds(logit(p))).toBeCloseTo(p, 12);
      }),
    );
  });

  it('stays strictly inside (0, 1) at the extremes', () => {
    for (const l of [1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 40, -800]) {
      const p = probabilityFromLogOdds(l);
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
  });

  it('stays strictly inside (0, 1) for any double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (l) => {
        const p = probabilityFromLogOdds(l);
        expect(p > 0 && p < 1).toBe(true);
      }),
    );
  });

  it('is monotone non-decreasing', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(probabilityFromLogOdds(lo)).toBeLessThanOrEqual(probabilityFromLogOdds(hi));
      }),
    );
  });

  it('rejects NaN', () => {
    expect(() => probabilityFromLogOdds(Number.NaN)).toThrow(RangeError);
  });
});

describe('accepted probability range', () => {
  it('is [0.001, 0.999]', () => {
    expect(MIN_PROBABILITY).toBe(0.001);
    expect(MAX_PROBABILITY).toBe(0.999);
    expect(isAcceptedProbability(0.001)).toBe(true);
    expect(isAcceptedProbability(0.999)).toBe(true);
    expect(isAcceptedProbability(0.5)).toBe(true);
    expect(isAcceptedProbability(0.0009)).toBe(false);
    expect(isAcceptedProbability(0.9991)).toBe(false);
    expect(isAcceptedProbability(Number.NaN)).toBe(false);
  });
});
