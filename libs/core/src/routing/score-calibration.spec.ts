import fc from 'fast-check';

import { calibratedProbability, fitScoreCalibration } from './score-calibration.js';

describe('score calibration', () => {
  it('keeps the order of scores and maps them into (0, 1)', () => {
    const scores = [-3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4];
    const relevant = [false, false, false, true, false, false, true, true, true, true];
    const calibration = fitScoreCalibration(scores, relevant);
    expect(calibration.slope).toBeGreaterThan(0);
    const probabilities = scores.map((score) => calibratedProbability(score, calibration));
    expect(probabilities).toEqual([...probabilities].sort((a, b) => a - b));
    for (const probability of probabilities) {
      expect(probability).toBeGreaterThan(0);
      expect(probability).toBeLessThan(1);
    }
  });

  it('stays finite on separable scores, with a steep but bounded slope', () => {
    const calibration = fitScoreCalibration([-2, -1, 1, 2], [false, false, true, true]);
    expect(Number.isFinite(calibration.slope)).toBe(true);
    expect(calibratedProbability(2, calibration)).toBeGreaterThan(0.5);
    expect(calibratedProbability(-2, calibration)).toBeLessThan(0.5);
  });

  it('falls back to a unit slope at the base rate when higher scores are not more relevant', () => {
    expect(fitScoreCalibration([1, 2, 3, 4, 5], [true, true, false, false, false])).toEqual({ slope: 1, intercept: Math.log(3 / 4) });
  });

  it('gives close to the base rate when scores say nothing', () => {
    const calibration = fitScoreCalibration([0, 0, 0, 0, 0, 0, 0, 0], [true, false, false, false, true, false, false, false]);
    expect(calibratedProbability(0, calibration)).toBeCloseTo(0.3, 1);
  });

  it('always returns finite numbers', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.boolean()), { maxLength: 30 }), (items) => {
        const calibration = fitScoreCalibration(items.map(([score]) => score), items.map(([, relevant]) => relevant));
        expect(Number.isFinite(calibration.slope) && Number.isFinite(calibration.intercept)).toBe(true);
      }),
    );
  });
});
