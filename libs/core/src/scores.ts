import { logit, probabilityFromLogOdds } from './log-odds.js';

export type Outcome = 0 | 1;

export interface ProbabilityPoint {
  at: Date;
  probability: number;
}

export interface ResolvedForecast {
  probability: number;
  outcome: Outcome;
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  meanForecast: number | null;
  observedFrequency: number | null;
  wilsonLower: number | null;
  wilsonUpper: number | null;
}

export interface WilsonInterval {
  lower: number;
  upper: number;
}

/** z for a two-sided 95% interval. */
export const WILSON_Z_95 = 1.959964;

const CALIBRATION_BIN_COUNT = 10;
const MS_PER_DAY = 86_400_000;

function assertProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`probability must be within [0, 1], got ${p}`);
  }
}

function assertOutcome(outcome: number): asserts outcome is Outcome {
  if (outcome !== 0 && outcome !== 1) {
    throw new RangeError(`outcome must be 0 or 1, got ${outcome}`);
  }
}

/** One-term Brier score: 0 is perfect, 1 is certain and wrong. */
export function brierScore(probability: number, outcome: Outcome): number {
  assertProbability(probability);
  assertOutcome(outcome);
  const error = probability - outcome;
  return error * error;
}

/**
 * Natural-log score: 0 is perfect, -Infinity is certain and wrong.
 * log1p keeps precision when 1 - p would round away a tiny p.
 */
export function logScore(probability: number, outcome: Outcome): number {
  assertProbability(probability);
  assertOutcome(outcome);
  return outcome === 1 ? Math.log(probability) : Math.log1p(-probability);
}

/**
 * Brier score averaged over every UTC calendar day from the day of creation to
 * the day of resolution, both included. Each day is scored with the
 * probability in force at the end of that day (or at resolution, on the last
 * day), so a forecaster is rewarded for being right early, not only at the end.
 *
 * `points` must be sorted by time; the first is the prior set at creation. If
 * a day ends before the first point (a clock skew of a few ms between the
 * prediction row and its first history row), the prior is taken to have been
 * in force since creation.
 */
export function timeAveragedBrier(
  points: readonly ProbabilityPoint[],
  createdAt: Date,
  resolvedAt: Date,
  outcome: Outcome,
): number {
  assertOutcome(outcome);
  if (points.length === 0) {
    throw new RangeError('timeAveragedBrier needs at least the prior point');
  }
  const created = createdAt.getTime();
  const resolved = resolvedAt.getTime();
  if (!Number.isFinite(created) || !Number.isFinite(resolved)) {
    throw new RangeError('createdAt and resolvedAt must be valid dates');
  }
  if (resolved < created) {
    throw new RangeError('resolvedAt is before createdAt');
  }
  let previousAt = -Infinity;
  for (const point of points) {
    const at = point.at.getTime();
    if (!(at >= previousAt)) {
      throw new RangeError('probability points must be valid dates sorted ascending');
    }
    assertProbability(point.probability);
    previousAt = at;
  }

  const firstDay = Math.floor(created / MS_PER_DAY);
  const lastDay = Math.floor(resolved / MS_PER_DAY);
  let next = 0;
  let inForce = points[0]!.probability;
  let total = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    // Date has millisecond resolution, so the day's last instant is the next midnight minus 1 ms.
    const cutoff = Math.min((day + 1) * MS_PER_DAY - 1, resolved);
    while (next < points.length && points[next]!.at.getTime() <= cutoff) {
      inForce = points[next]!.probability;
      next++;
    }
    total += brierScore(inForce, outcome);
  }
  return total / (lastDay - firstDay + 1);
}

/** Mean one-term Brier score; null when there is nothing to score. */
export function meanBrier(forecasts: readonly ResolvedForecast[]): number | null {
  if (forecasts.length === 0) return null;
  let total = 0;
  for (const forecast of forecasts) {
    total += brierScore(forecast.probability, forecast.outcome);
  }
  return total / forecasts.length;
}

/**
 * Wilson score interval for a binomial proportion. Unlike the normal
 * approximation it stays inside [0, 1] and is sensible for the small, lopsided
 * bins a calibration table produces. Undefined for n = 0, so that throws.
 */
export function wilsonInterval(successes: number, n: number, z: number = WILSON_Z_95): WilsonInterval {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`n must be a positive integer, got ${n}`);
  }
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must be an integer within [0, ${n}], got ${successes}`);
  }
  if (!(Number.isFinite(z) && z > 0)) {
    throw new RangeError(`z must be a positive finite number, got ${z}`);
  }
  const phat = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (phat + z2 / (2 * n)) / denominator;
  const halfWidth = (z * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n))) / denominator;
  // At 0 or n successes the bound is exactly 0 or 1 on paper; rounding can overshoot by an ulp.
  return {
    lower: Math.max(0, centre - halfWidth),
    upper: Math.min(1, centre + halfWidth),
  };
}

function binLower(index: number): number {
  return index / CALIBRATION_BIN_COUNT;
}

function binIndex(probability: number): number {
  // p * 10 can round up across a boundary (the double just below 0.9 gives
  // exactly 9), so the estimate is checked against the bounds the table
  // reports. It never rounds down across one: k/10 * 10 rounds to exactly k
  // for every k here, and rounding is monotone.
  const index = Math.min(CALIBRATION_BIN_COUNT - 1, Math.floor(probability * CALIBRATION_BIN_COUNT));
  return index > 0 && probability < binLower(index) ? index - 1 : index;
}

/**
 * Ten bins [0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]; the last bin is closed so
 * that p = 1 has a home. Empty bins report null statistics rather than 0,
 * which would read as "observed never".
 */
export function calibrationTable(forecasts: readonly ResolvedForecast[]): CalibrationBin[] {
  const counts = new Array<number>(CALIBRATION_BIN_COUNT).fill(0);
  const forecastSums = new Array<number>(CALIBRATION_BIN_COUNT).fill(0);
  const successes = new Array<number>(CALIBRATION_BIN_COUNT).fill(0);
  for (const { probability, outcome } of forecasts) {
    assertProbability(probability);
    assertOutcome(outcome);
    const index = binIndex(probability);
    counts[index]!++;
    forecastSums[index]! += probability;
    successes[index]! += outcome;
  }
  return counts.map((count, index) => {
    const lower = binLower(index);
    const upper = binLower(index + 1);
    if (count === 0) {
      return {
        lower,
        upper,
        count,
        meanForecast: null,
        observedFrequency: null,
        wilsonLower: null,
        wilsonUpper: null,
      };
    }
    const interval = wilsonInterval(successes[index]!, count);
    return {
      lower,
      upper,
      count,
      meanForecast: forecastSums[index]! / count,
      observedFrequency: successes[index]! / count,
      wilsonLower: interval.lower,
      wilsonUpper: interval.upper,
    };
  });
}

/** One move of a prediction's trail, as scoring sees it: its delta and from when it counts. */
export interface TrailMove {
  /**
   * The time from which the move counts. For evidence, overrides and retractions
   * this is when it was recorded (never its observedAt, which the reporter chooses);
   * for a quiet day, the end of the day it stands for.
   */
  countsFrom: Date;
  deltaLogOdds: number;
}

/** Every score of one forecast track, all taken at the time the event happened. */
export interface TrackScores {
  /** The probability the track held at the event time. */
  probability: number;
  brier: number;
  logScore: number;
  timeAveragedBrier: number;
}

/**
 * The log-odds from the prior with every move that counts at `at`, folded in
 * trail order with plain `+` (as replayLogOdds), so that when no later move is
 * left out it is bit-identical to the stored log-odds after the last counted move.
 */
export function logOddsCountedAt(priorLogOdds: number, moves: readonly TrailMove[], at: Date): number {
  const time = at.getTime();
  let logOdds = priorLogOdds;
  for (const move of moves) {
    if (move.countsFrom.getTime() <= time) logOdds = logOdds + move.deltaLogOdds;
  }
  return logOdds;
}

/**
 * The model's probability points for scoring a prediction at its event time:
 * the prior at creation, then the probability counted at the end of each UTC day
 * from creation to the event, the last one at the event time itself. Moves that
 * count only after `occurredAt` play no part.
 */
export function modelTrackPoints(priorLogOdds: number, moves: readonly TrailMove[], createdAt: Date, occurredAt: Date): ProbabilityPoint[] {
  const created = createdAt.getTime();
  const occurred = occurredAt.getTime();
  if (!Number.isFinite(created) || !Number.isFinite(occurred) || occurred < created) {
    throw new RangeError('occurredAt must be a valid time at or after createdAt');
  }
  const points: ProbabilityPoint[] = [{ at: new Date(created), probability: probabilityFromLogOdds(priorLogOdds) }];
  const inTrailOrder = moves.every((move, index) => index === 0 || move.countsFrom.getTime() >= moves[index - 1]!.countsFrom.getTime());
  let next = 0;
  let running = priorLogOdds;
  for (let day = Math.floor(created / MS_PER_DAY); day <= Math.floor(occurred / MS_PER_DAY); day++) {
    const cutoff = Math.min((day + 1) * MS_PER_DAY - 1, occurred);
    let logOdds: number;
    if (inTrailOrder) {
      // The moves that count by a cutoff are a prefix of the trail: fold on from the last cutoff.
      while (next < moves.length && moves[next]!.countsFrom.getTime() <= cutoff) {
        running = running + moves[next]!.deltaLogOdds;
        next++;
      }
      logOdds = running;
    } else {
      logOdds = logOddsCountedAt(priorLogOdds, moves, new Date(cutoff));
    }
    points.push({ at: new Date(cutoff), probability: probabilityFromLogOdds(logOdds) });
  }
  return points;
}

/**
 * Scores one track (the model, the team or one analyst) at the event time:
 * Brier and log score of the probability in force at `occurredAt`, and the
 * time-averaged Brier over each UTC day from `startAt` (the track's first point)
 * to `occurredAt`. Points after `occurredAt` are after the fact and left out;
 * null when the track had no point by then.
 */
export function scoreTrack(points: readonly ProbabilityPoint[], occurredAt: Date, outcome: Outcome): TrackScores | null {
  const occurred = occurredAt.getTime();
  const counted = points.filter((point) => point.at.getTime() <= occurred);
  if (counted.length === 0) return null;
  const probability = counted.at(-1)!.probability;
  return {
    probability,
    brier: brierScore(probability, outcome),
    logScore: logScore(probability, outcome),
    timeAveragedBrier: timeAveragedBrier(counted, counted[0]!.at, occurredAt, outcome),
  };
}

/**
 * The team forecast: the geometric mean of the odds of each member's forecast,
 * p = 1 / (1 + e^-mean(logit(p_i))). Unlike the mean of probabilities it treats
 * 0.01 and 0.001 as the tenfold difference in odds they are. Null for no forecasts.
 */
export function aggregateForecast(probabilities: readonly number[]): number | null {
  if (probabilities.length === 0) return null;
  let total = 0;
  for (const probability of probabilities) total += logit(probability);
  return probabilityFromLogOdds(total / probabilities.length);
}

export interface MemberForecast {
  member: string;
  at: Date;
  probability: number;
}

/** The team forecast over time: after each member forecast, the aggregate of every member's latest one. */
export function teamTrackPoints(forecasts: readonly MemberForecast[]): ProbabilityPoint[] {
  const sorted = [...forecasts].sort((a, b) => a.at.getTime() - b.at.getTime());
  const latest = new Map<string, number>();
  return sorted.map((forecast) => {
    latest.set(forecast.member, forecast.probability);
    return { at: forecast.at, probability: aggregateForecast([...latest.values()])! };
  });
}
