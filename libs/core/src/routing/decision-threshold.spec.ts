import fc from 'fast-check';

import { bestThreshold } from './decision-threshold.js';

function fBeta(scores: number[], relevant: boolean[], threshold: number, beta: number): number {
  let truePositives = 0;
  let routed = 0;
  scores.forEach((score, index) => {
    if (score >= threshold) {
      routed += 1;
      if (relevant[index]) truePositives += 1;
    }
  });
  const positives = relevant.filter(Boolean).length;
  return ((1 + beta * beta) * truePositives) / (beta * beta * positives + routed);
}

describe('bestThreshold', () => {
  it('puts the threshold halfway between the lowest relevant score kept and the next', () => {
    expect(bestThreshold([0.9, 0.8, 0.3, 0.1], [true, true, false, false])).toBeCloseTo(0.55);
  });

  it('gives up an outlying relevant item when taking it would route too many others', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.1];
    const relevant = [true, true, false, false, false, false, true];
    expect(bestThreshold(scores, relevant)).toBeCloseTo(0.75);
  });

  it('leans to precision with a beta below 1', () => {
    const scores = [0.9, 0.8, 0.7, 0.6];
    const relevant = [true, false, true, true];
    expect(bestThreshold(scores, relevant, 1)).toBeLessThan(0.6);
    expect(bestThreshold(scores, relevant, 0.2)).toBeCloseTo(0.85);
  });

  it('never splits items with the same score', () => {
    expect(bestThreshold([0.5, 0.5, 0.2], [true, false, false])).toBeCloseTo(0.35);
  });

  it('is infinite when there is nothing relevant to route', () => {
    expect(bestThreshold([0.5, 0.2], [false, false])).toBe(Infinity);
  });

  it('reaches the best F-beta of any threshold', () => {
    const labelled = fc.array(fc.tuple(fc.integer({ min: -20, max: 20 }), fc.boolean()), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(labelled, fc.constantFrom(0.5, 1, 2), (items, beta) => {
        const scores = items.map(([score]) => score);
        const relevant = items.map(([, isRelevant]) => isRelevant);
        fc.pre(relevant.some(Boolean));
        const chosen = fBeta(scores, relevant, bestThreshold(scores, relevant, beta), beta);
        for (const candidate of scores) expect(chosen).toBeGreaterThanOrEqual(fBeta(scores, relevant, candidate, beta) - 1e-12);
      }),
    );
  });
});
