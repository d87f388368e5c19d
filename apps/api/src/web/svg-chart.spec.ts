import { niceTicks, probabilityChart, readingsChart, timeAxis } from './svg-chart.js';

const at = (iso: string): number => Date.parse(iso);

describe('timeAxis', () => {
  it('names the date and the time of day under three days', () => {
    const ticks = timeAxis(at('2026-12-05T09:20:00Z'), at('2026-12-07T09:20:00Z'), 5);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(5);
    for (const tick of ticks) expect(tick.label).toMatch(/^\d{1,2} Dec \d{2}:00$/);
    expect(ticks.map((tick) => tick.label)).toEqual(['5 Dec 12:00', '6 Dec 00:00', '6 Dec 12:00', '7 Dec 00:00']);
  });

  it('puts the ticks of a few hours on whole hours, with the date', () => {
    const ticks = timeAxis(at('2026-12-07T10:05:00Z'), at('2026-12-07T14:55:00Z'), 5);
    expect(ticks.map((tick) => tick.label)).toEqual(['7 Dec 11:00', '7 Dec 12:00', '7 Dec 13:00', '7 Dec 14:00']);
  });

  it('names days without a year when the span stays inside one', () => {
    const ticks = timeAxis(at('2026-08-01T00:00:00Z'), at('2026-12-01T00:00:00Z'), 6);
    for (const tick of ticks) expect(tick.label).not.toMatch(/2026/);
    expect(ticks.map((tick) => tick.label)).toContain('Sep');
  });

  it('adds the year when the span crosses one', () => {
    const ticks = timeAxis(at('2025-10-15T00:00:00Z'), at('2026-03-10T00:00:00Z'), 6);
    expect(ticks.map((tick) => tick.label)).toEqual(['Nov 2025', 'Dec 2025', 'Jan 2026', 'Feb 2026', 'Mar 2026']);
    const weekly = timeAxis(at('2025-12-20T00:00:00Z'), at('2026-01-20T00:00:00Z'), 6);
    for (const tick of weekly) expect(tick.label).toMatch(/ (2025|2026)$/);
  });

  it('starts weeks on Mondays at midnight UTC', () => {
    const ticks = timeAxis(at('2026-09-01T00:00:00Z'), at('2026-11-01T00:00:00Z'), 6);
    for (const tick of ticks) {
      expect(new Date(tick.at).getUTCDay()).toBe(1);
      expect(tick.at % 86_400_000).toBe(0);
    }
  });

  it('never gives more ticks than asked for', () => {
    for (const span of [60_000, 3_600_000, 86_400_000, 10 * 86_400_000, 90 * 86_400_000, 400 * 86_400_000, 3 * 365 * 86_400_000]) {
      const from = at('2026-02-03T04:05:06Z');
      expect(timeAxis(from, from + span, 5).length).toBeLessThanOrEqual(5);
    }
  });
});

describe('niceTicks', () => {
  it('gives round steps that cover the values', () => {
    expect(niceTicks(9.9, 22.5, 4)).toEqual([5, 10, 15, 20, 25]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0.12, 0.91, 4)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1200, 4800, 4)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(niceTicks(-3, 7, 4)).toEqual([-5, -2.5, 0, 2.5, 5, 7.5]);
  });

  it('widens a single value into a range', () => {
    const ticks = niceTicks(5, 5, 4);
    expect(ticks[0]).toBeLessThan(5);
    expect(ticks.at(-1)).toBeGreaterThan(5);
  });
});

describe('readingsChart', () => {
  it('labels its y-axis with round values and its unit', () => {
    const chart = readingsChart(
      [
        { observedAt: new Date('2026-09-01T00:00:00Z'), value: 10, crossing: false },
        { observedAt: new Date('2026-11-20T00:00:00Z'), value: 38, crossing: true },
      ],
      [{ value: 25, label: 'threshold' }],
      'GW',
    );
    for (const tick of chart.yTicks) expect(Number(tick.label.replace(/,/g, '')) % 5).toBe(0);
    expect(chart.axis.y).toBe('GW');
  });
});

describe('probabilityChart', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const points = [
    { at: new Date('2026-09-01T00:00:00Z'), probability: 0.3, whatIfProbability: 0.3 },
    { at: new Date('2026-11-01T00:00:00Z'), probability: 0.6, whatIfProbability: 0.3 },
  ];

  it('draws the team and each analyst from their first forecast, as step lines', () => {
    const chart = probabilityChart(points, [], now, false, [
      { key: 'team', label: 'Team', kind: 'team', points: [{ at: new Date('2026-10-01T00:00:00Z'), probability: 0.5 }] },
      { key: 'user:1', label: 'Ada', kind: 'analyst', points: [] },
    ]);
    expect(chart.forecastLines).toHaveLength(1);
    expect(chart.forecastLines[0]).toMatchObject({ key: 'team', kind: 'team', probability: 0.5 });
    expect(chart.forecastLines[0]!.d).toMatch(/^M[\d.]+,[\d.]+H[\d.]+$/);
    expect(chart.axis).toEqual({ x: 'Date (UTC)', y: 'Probability' });
  });

  it('anchors the last date label inward so it is not clipped', () => {
    const chart = probabilityChart(points, [], new Date('2026-11-30T23:00:00Z'), false);
    const last = chart.xTicks.at(-1)!;
    expect(last.at).toBeLessThanOrEqual(chart.frame.width - chart.frame.right);
    expect(chart.xTicksNarrow.length).toBeLessThanOrEqual(3);
  });
});
