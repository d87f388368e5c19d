import { assignFolds } from './cross-validation-folds.js';
import { macroAverage, microAverage, precisionRecall } from './routing-metrics.js';

describe('routing metrics', () => {
  it('computes precision, recall and F1 from counts', () => {
    expect(precisionRecall(3, 1, 2)).toEqual({ truePositives: 3, falsePositives: 1, falseNegatives: 2, precision: 0.75, recall: 0.6, f1: (2 * 0.75 * 0.6) / 1.35 });
  });

  it('scores routing nothing when nothing was relevant as perfect, and missing everything as 0', () => {
    expect(precisionRecall(0, 0, 0).f1).toBe(1);
    expect(precisionRecall(0, 0, 4)).toMatchObject({ precision: 1, recall: 0, f1: 0 });
  });

  it('pools counts for the micro average and averages scores for the macro average', () => {
    const targets = [precisionRecall(9, 1, 0), precisionRecall(0, 0, 1)];
    expect(microAverage(targets)).toMatchObject({ truePositives: 9, falsePositives: 1, falseNegatives: 1, precision: 0.9, recall: 0.9 });
    expect(macroAverage(targets)).toEqual({ precision: (0.9 + 1) / 2, recall: 0.5, f1: targets[0]!.f1 / 2 });
  });
});

describe('assignFolds', () => {
  it('deals each stratum across the folds, folds differing in size by one at most', () => {
    const strata = [...Array(7).fill('a'), ...Array(5).fill('b'), ...Array(11).fill('')];
    const folds = assignFolds(strata, 5);
    const sizes = [0, 1, 2, 3, 4].map((fold) => folds.filter((assigned) => assigned === fold).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const stratum of ['a', 'b']) {
      const used = new Set(strata.map((s, index) => (s === stratum ? folds[index] : -1)).filter((fold) => fold >= 0));
      expect(used.size).toBe(5);
    }
    expect(assignFolds(strata, 5)).toEqual(folds);
  });

  it('refuses fewer than two folds', () => {
    expect(() => assignFolds(['a'], 1)).toThrow(RangeError);
  });
});
