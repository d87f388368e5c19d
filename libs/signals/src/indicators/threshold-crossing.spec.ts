import { thresholdCrossing } from './threshold-crossing.js';

describe('thresholdCrossing', () => {
  it.each([
    [10, 25, 20, 'up'],
    [10, 20, 20, 'up'],
    [25, 10, 20, 'down'],
    [20, 19.999, 20, 'down'],
    [10, 15, 20, null],
    [25, 30, 20, null],
    [20, 20, 20, null],
    [-5, 0, 0, 'up'],
  ] as const)('from %d to %d across %d is %s', (previous, current, threshold, expected) => {
    expect(thresholdCrossing(previous, current, threshold)).toBe(expected);
  });

  it('alternates up and down along a series oscillating around the threshold', () => {
    const series = [10, 25, 30, 15, 20, 19, 21];
    const crossings = series.slice(1).map((value, index) => thresholdCrossing(series[index]!, value, 20));
    expect(crossings).toEqual(['up', null, 'down', 'up', 'down', 'up']);
  });
});
