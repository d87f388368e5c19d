import fc from 'fast-check';

import { applyDelta, replayLogOdds } from './confidence.js';
import { logit, probabilityFromLogOdds } from './log-odds.js';
import {
  aggregateForecast,
  logOddsCountedAt,
  modelTrackPoints,
  scoreTrack,
  teamTrackPoints,
  type ProbabilityPoint,
  type TrailMove,
  brierScore,
  calibrationTable,
  logScore,
  meanBrier,
  timeAveragedBrier,
  wilsonInterval,
  type Outcome,
  type ResolvedForecast,
} from './scores.js';

const probabilityArb = fc.double({ min: 0, max: 1, noNaN: true });
const outcomeArb = fc.constantFrom<Outcome>(0, 1);

/** Neighbouring double, stepping `steps` ulps; valid for the non-negative values used here. */
function ulpStep(x: number, steps: number): number {
  const buffer = new Float64Array([x]);
  new BigInt64Array(buffer.buffer)[0]! += BigInt(steps);
  return buffer[0]!;
}

// Uniform doubles almost never land on a bin edge, so edges and their neighbours are drawn on purpose.
const binEdgeArb = fc
  .tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: -2, max: 2 }))
  .map(([k, steps]) => ulpStep(k / 10, steps))
  .filter((p) => p >= 0 && p <= 1);
const forecastProbabilityArb = fc.oneof(probabilityArb, binEdgeArb);
const forecastArb: fc.Arbitrary<ResolvedForecast> = fc.record({
  probability: forecastProbabilityArb,
  outcome: outcomeArb,
});

describe('brierScore', () => {
  it('matches hand-computed values', () => {
    expect(brierScore(0.7, 1)).toBeCloseTo(0.09, 15);
    expect(brierScore(0.7, 0)).toBeCloseTo(0.49, 15);
    expect(brierScore(1, 1)).toBe(0);
    expect(brierScore(1, 0)).toBe(1);
    expect(brierScore(0.5, 0)).toBe(0.25);
  });

  it('matches its definition', () => {
    fc.assert(
      fc.property(probabilityArb, outcomeArb, (p, o) => {
        const expected = o === 1 ? (1 - p) * (1 - p) : p * p;
        expect(brierScore(p, o)).toBeCloseTo(expected, 15);
        expect(brierScore(p, o)).toBeGreaterThanOrEqual(0);
        expect(brierScore(p, o)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('rejects invalid input', () => {
    expect(() => brierScore(1.2, 1)).toThrow(RangeError);
    expect(() => brierScore(Number.NaN, 1)).toThrow(RangeError);
    expect(() => brierScore(0.5, 2 as Outcome)).toThrow(RangeError);
  });
});

describe('logScore', () => {
  it('matches hand-computed values', () => {
    expect(logScore(0.8, 1)).toBeCloseTo(-0.2231435513142097, 15);
    expect(logScore(0.7, 0)).toBeCloseTo(-1.2039728043259361, 15);
    expect(logScore(1, 1)).toBe(0);
    expect(logScore(0, 1)).toBe(-Infinity);
    expect(logScore(1, 0)).toBe(-Infinity);
  });

  it('matches its definition', () => {
    fc.assert(
      fc.property(probabilityArb, outcomeArb, (p, o) => {
        const expected = o === 1 ? Math.log(p) : Math.log(1 - p);
        const actual = logScore(p, o);
        if (Number.isFinite(expected)) {
          expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
        } else {
          expect(actual).toBe(expected);
        }
        expect(actual).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('keeps precision for tiny probabilities of the outcome not happening', () => {
    expect(logScore(1e-20, 0)).toBe(-1e-20);
  });
});

describe('timeAveragedBrier', () => {
  const at = (iso: string): Date => new Date(iso);

  it('scores the probability in force at the end of each UTC day', () => {
    const points = [
      { at: at('2024-01-01T10:00:00Z'), probability: 0.6 },
      { at: at('2024-01-01T20:00:00Z'), probability: 0.7 },
      { at: at('2024-01-02T12:00:00Z'), probability: 0.8 },
      // after resolution: must be ignored
      { at: at('2024-01-03T09:00:00Z'), probability: 0.1 },
    ];
    // day 1 ends at 0.7 -> 0.09; day 2 at 0.8 -> 0.04; day 3 capped at 08:00 -> 0.8 -> 0.04
    const score = timeAveragedBrier(points, at('2024-01-01T10:00:00Z'), at('2024-01-03T08:00:00Z'), 1);
    expect(score).toBeCloseTo((0.09 + 0.04 + 0.04) / 3, 15);
  });

  it('counts a point exactly at midnight towards the day it starts', () => {
    const points = [
      { at: at('2024-03-01T00:00:00Z'), probability: 0.2 },
      { at: at('2024-03-02T00:00:00Z'), probability: 0.9 },
    ];
    // day 1 ends at 0.2 -> 0.04; day 2 at 0.9 -> 0.81
    const score = timeAveragedBrier(points, at('2024-03-01T00:00:00Z'), at('2024-03-02T05:00:00Z'), 0);
    expect(score).toBeCloseTo((0.04 + 0.81) / 2, 15);
  });

  it('scores a same-day resolution on one day', () => {
    const points = [
      { at: at('2024-05-05T01:00:00Z'), probability: 0.3 },
      { at: at('2024-05-05T02:00:00Z'), probability: 0.6 },
    ];
    expect(timeAveragedBrier(points, at('2024-05-05T01:00:00Z'), at('2024-05-05T03:00:00Z'), 0)).toBeCloseTo(
      0.36,
      15,
    );
  });

  it('falls back to the prior when the first point is a moment after creation', () => {
    const points = [{ at: at('2024-01-01T23:59:59.999Z'), probability: 0.4 }];
    expect(timeAveragedBrier(points, at('2024-01-01T23:59:59.998Z'), at('2024-01-01T23:59:59.998Z'), 1)).toBeCloseTo(
      0.36,
      15,
    );
  });

  it('equals the plain Brier score when the probability never changes', () => {
    fc.assert(
      fc.property(
        probabilityArb,
        outcomeArb,
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 0, max: 400 * 86_400_000 }),
        (p, o, created, duration) => {
          const createdAt = new Date(created);
          const points = [{ at: createdAt, probability: p }];
          const score = timeAveragedBrier(points, createdAt, new Date(created + duration), o);
          expect(score).toBeCloseTo(brierScore(p, o), 12);
        },
      ),
    );
  });

  it('rejects unsorted points, an empty history and a resolution before creation', () => {
    const t0 = at('2024-01-01T00:00:00Z');
    const t1 = at('2024-01-02T00:00:00Z');
    expect(() =>
      timeAveragedBrier(
        [
          { at: t1, probability: 0.5 },
          { at: t0, probability: 0.5 },
        ],
        t0,
        t1,
        1,
      ),
    ).toThrow(RangeError);
    expect(() => timeAveragedBrier([], t0, t1, 1)).toThrow(RangeError);
    expect(() => timeAveragedBrier([{ at: t0, probability: 0.5 }], t1, t0, 1)).toThrow(RangeError);
  });
});

describe('meanBrier', () => {
  it('averages Brier scores and is null for no forecasts', () => {
    expect(meanBrier([])).toBeNull();
    expect(
      meanBrier([
        { probability: 0.7, outcome: 1 },
        { probability: 0.7, outcome: 0 },
      ]),
    ).toBeCloseTo(0.29, 15);
  });
});

describe('wilsonInterval', () => {
  it('matches hand-computed 95% intervals', () => {
    const half = wilsonInterval(5, 10);
    expect(half.lower).toBeCloseTo(0.23659308901147935, 12);
    expect(half.upper).toBeCloseTo(0.7634069109885206, 12);

    const none = wilsonInterval(0, 10);
    expect(none.lower).toBe(0);
    expect(none.upper).toBeCloseTo(0.2775328030260577, 12);

    const one = wilsonInterval(1, 3);
    expect(one.lower).toBeCloseTo(0.06149194402093078, 12);
    expect(one.upper).toBeCloseTo(0.7923404011921757, 12);
  });

  it('uses a custom z', () => {
    const interval = wilsonInterval(5, 10, 1);
    // centre 0.5, half-width sqrt(0.025 + 0.0025) / 1.1
    expect(interval.lower).toBeCloseTo(0.5 - Math.sqrt(0.0275) / 1.1, 14);
    expect(interval.upper).toBeCloseTo(0.5 + Math.sqrt(0.0275) / 1.1, 14);
  });

  it('contains the observed proportion and stays inside [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        ([s, n]) => {
          const { lower, upper } = wilsonInterval(s, n);
          expect(lower).toBeGreaterThanOrEqual(0);
          expect(upper).toBeLessThanOrEqual(1);
          expect(lower).toBeLessThanOrEqual(s / n + 1e-15);
          expect(upper).toBeGreaterThanOrEqual(s / n - 1e-15);
        },
      ),
    );
  });

  it('rejects n = 0 and impossible counts', () => {
    expect(() => wilsonInterval(0, 0)).toThrow(RangeError);
    expect(() => wilsonInterval(4, 3)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 3)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 3, 0)).toThrow(RangeError);
  });
});

describe('calibrationTable', () => {
  it('has ten bins with null statistics when empty', () => {
    const table = calibrationTable([]);
    expect(table.map((bin) => [bin.lower, bin.upper])).toEqual([
      [0, 0.1],
      [0.1, 0.2],
      [0.2, 0.3],
      [0.3, 0.4],
      [0.4, 0.5],
      [0.5, 0.6],
      [0.6, 0.7],
      [0.7, 0.8],
      [0.8, 0.9],
      [0.9, 1],
    ]);
    for (const bin of table) {
      expect(bin).toMatchObject({
        count: 0,
        meanForecast: null,
        observedFrequency: null,
        wilsonLower: null,
        wilsonUpper: null,
      });
    }
  });

  it('fills bins with hand-computed statistics', () => {
    const table = calibrationTable([
      { probability: 0.72, outcome: 1 },
      { probability: 0.78, outcome: 0 },
      { probability: 0.7, outcome: 1 },
      { probability: 0.1, outcome: 0 },
      { probability: 1, outcome: 1 },
      { probability: 0.9, outcome: 1 },
    ]);
    expect(table[7]).toMatchObject({ count: 3, observedFrequency: 2 / 3 });
    expect(table[7]!.meanForecast).toBeCloseTo(0.7333333333333333, 14);
    expect(table[7]!.wilsonLower).toBeCloseTo(0.2076595988078242, 12);
    expect(table[7]!.wilsonUpper).toBeCloseTo(0.9385080559790691, 12);
    expect(table[1]).toMatchObject({ count: 1, meanForecast: 0.1, observedFrequency: 0 });
    expect(table[0]!.count).toBe(0);
    expect(table[9]).toMatchObject({ count: 2, meanForecast: 0.95, observedFrequency: 1 });
  });

  it('puts the double just below a boundary in the lower bin', () => {
    // the largest double below 0.9; naive floor(p * 10) rounds it up into [0.9, 1]
    const justBelow = 0.8999999999999999;
    expect(justBelow).toBeLessThan(0.9);
    expect(Math.floor(justBelow * 10)).toBe(9);
    const table = calibrationTable([{ probability: justBelow, outcome: 1 }]);
    expect(table[8]!.count).toBe(1);
    expect(table[9]!.count).toBe(0);
  });

  it('partitions the input: every forecast lands in exactly one bin that contains it', () => {
    fc.assert(
      fc.property(fc.array(forecastArb, { maxLength: 100 }), (forecasts) => {
        const table = calibrationTable(forecasts);
        expect(table).toHaveLength(10);
        expect(table.reduce((sum, bin) => sum + bin.count, 0)).toBe(forecasts.length);
        for (const { probability } of forecasts) {
          const containing = table.filter(
            (bin, index) => probability >= bin.lower && (index === 9 ? probability <= bin.upper : probability < bin.upper),
          );
          expect(containing).toHaveLength(1);
        }
        table.forEach((bin, index) => {
          const inBin = forecasts.filter(
            ({ probability }) => probability >= bin.lower && (index === 9 ? probability <= 1 : probability < bin.upper),
          );
          expect(bin.count).toBe(inBin.length);
        });
      }),
    );
  });

  it('puts p = 1.0 in the last bin', () => {
    fc.assert(
      fc.property(outcomeArb, (outcome) => {
        const table = calibrationTable([{ probability: 1, outcome }]);
        expect(table[9]!.count).toBe(1);
      }),
    );
  });
});

describe('scoring at the event time', () => {
  const DAY = 86_400_000;
  const created = Date.UTC(2026, 0, 10, 9, 30);
  // A trail in recording order: each move a few minutes to a few days after the one before.
  const trailArb = fc.array(
    fc.record({ gapMs: fc.integer({ min: 0, max: 3 * DAY }), deltaLogOdds: fc.double({ min: -4, max: 4, noNaN: true }) }),
    { maxLength: 40 },
  );
  const priorArb = fc.double({ min: logit(0.001), max: logit(0.999), noNaN: true });

  function toMoves(trail: { gapMs: number; deltaLogOdds: number }[]): TrailMove[] {
    let at = created;
    return trail.map(({ gapMs, deltaLogOdds }) => {
      at += gapMs;
      return { countsFrom: new Date(at), deltaLogOdds };
    });
  }

  it('equals scoring the replay truncated at occurredAt', () => {
    fc.assert(
      fc.property(priorArb, trailArb, fc.integer({ min: 0, max: 60 * DAY }), outcomeArb, (prior, trail, offset, outcome) => {
        const moves = toMoves(trail);
        const occurredAt = new Date(created + offset);
        const scored = scoreTrack(modelTrackPoints(prior, moves, new Date(created), occurredAt), occurredAt, outcome)!;

        // The replay truncated at occurredAt, and its history as the audit trail stores it.
        const truncated = moves.filter((move) => move.countsFrom.getTime() <= occurredAt.getTime());
        const probability = probabilityFromLogOdds(replayLogOdds(prior, truncated.map((move) => move.deltaLogOdds)));
        const history: ProbabilityPoint[] = [{ at: new Date(created), probability: applyDelta(prior, 0).probabilityAfter }];
        let logOdds = prior;
        for (const move of truncated) {
          const step = applyDelta(logOdds, move.deltaLogOdds);
          logOdds = step.logOddsAfter;
          history.push({ at: move.countsFrom, probability: step.probabilityAfter });
        }
        expect(scored.probability).toBe(probability);
        expect(scored.brier).toBe(brierScore(probability, outcome));
        expect(scored.logScore).toBe(logScore(probability, outcome));
        expect(scored.timeAveragedBrier).toBe(timeAveragedBrier(history, new Date(created), occurredAt, outcome));
      }),
    );
  });

  it('is unchanged by any move that counts only after the event, whatever it is', () => {
    fc.assert(
      fc.property(priorArb, trailArb, trailArb, fc.integer({ min: 0, max: 30 * DAY }), outcomeArb, (prior, before, after, offset, outcome) => {
        const occurredAt = new Date(created + offset);
        const honest = toMoves(before).filter((move) => move.countsFrom.getTime() <= occurredAt.getTime());
        const late = after.map(({ gapMs, deltaLogOdds }) => ({ countsFrom: new Date(occurredAt.getTime() + 1 + gapMs), deltaLogOdds }));
        const score = (moves: TrailMove[]) => scoreTrack(modelTrackPoints(prior, moves, new Date(created), occurredAt), occurredAt, outcome);
        expect(score([...honest, ...late])).toEqual(score(honest));
      }),
    );
  });

  it('counts a move recorded late but standing for an earlier time (a caught-up quiet day) from that time', () => {
    const prior = logit(0.5);
    const moves: TrailMove[] = [
      { countsFrom: new Date(created + 3 * DAY), deltaLogOdds: Math.log(0.01) },
      { countsFrom: new Date(created + DAY), deltaLogOdds: Math.log(0.5) },
    ];
    expect(logOddsCountedAt(prior, moves, new Date(created + 2 * DAY))).toBe(prior + Math.log(0.5));
    const occurredAt = new Date(created + 2 * DAY);
    const points = modelTrackPoints(prior, moves, new Date(created), occurredAt);
    expect(points.at(-1)).toEqual({ at: occurredAt, probability: probabilityFromLogOdds(prior + Math.log(0.5)) });
  });

  it('refuses an event before creation and is null for a track with no forecast by then', () => {
    expect(() => modelTrackPoints(0, [], new Date(created), new Date(created - 1))).toThrow(RangeError);
    expect(scoreTrack([{ at: new Date(created + DAY), probability: 0.4 }], new Date(created), 1)).toBeNull();
  });
});

describe('the team forecast', () => {
  it('is the geometric mean of the odds', () => {
    // Odds 1/9 and 9/1 average to even odds; 0.2 and 0.8 likewise.
    expect(aggregateForecast([0.1, 0.9])).toBeCloseTo(0.5, 15);
    // Odds 1 and 4: geometric mean 2, p = 2/3.
    expect(aggregateForecast([0.5, 0.8])).toBeCloseTo(2 / 3, 14);
    expect(aggregateForecast([0.3])).toBeCloseTo(0.3, 15);
    expect(aggregateForecast([])).toBeNull();
  });

  it('follows each member\'s latest forecast', () => {
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);
    const points = teamTrackPoints([
      { member: 'b', at: at(2), probability: 0.8 },
      { member: 'a', at: at(1), probability: 0.5 },
      { member: 'a', at: at(3), probability: 0.2 },
    ]);
    expect(points.map((point) => point.at)).toEqual([at(1), at(2), at(3)]);
    expect(points[0]!.probability).toBeCloseTo(0.5, 15);
    expect(points[1]!.probability).toBeCloseTo(2 / 3, 14);
    expect(points[2]!.probability).toBeCloseTo(0.5, 14);
  });
});
