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
