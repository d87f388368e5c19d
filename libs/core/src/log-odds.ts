/**
 * Priors and manual overrides are held away from 0 and 1 because a forecaster
 * who writes "certain" leaves no room for evidence to move the estimate: the
 * log-odds would be infinite and every later update a no-op.
 */
export const MIN_PROBABILITY = 0.001;
export const MAX_PROBABILITY = 0.999;

/**
 * Derived probabilities are kept this far from 0 and 1. In double precision
 * 1/(1+e^-L) rounds to exactly 1 once L exceeds about 36.7, and to exactly 0
 * for L below about -745; either would make the log score -Infinity and
 * logit() of the result infinite. Finite log-odds mean "not certain", so the
 * probability we report must say the same.
 */
export const PROBABILITY_EPSILON = 1e-12;

export function isAcceptedProbability(p: number): boolean {
  return Number.isFinite(p) && p >= MIN_PROBABILITY && p <= MAX_PROBABILITY;
}

export function logit(p: number): number {
  if (!(p > 0 && p < 1)) {
    throw new RangeError(`logit needs a probability strictly inside (0, 1), got ${p}`);
  }
  return Math.log(p / (1 - p));
}

export function probabilityFromLogOdds(logOdds: number): number {
  if (Number.isNaN(logOdds)) {
    throw new RangeError('probabilityFromLogOdds got NaN');
  }
  // Only ever exponentiate a non-positive number, so no intermediate value
  // overflows to Infinity and the result never depends on Infinity arithmetic.
  let p: number;
  if (logOdds >= 0) {
    p = 1 / (1 + Math.exp(-logOdds));
  } else {
    const e = Math.exp(logOdds);
    p = e / (1 + e);
  }
  return Math.min(1 - PROBABILITY_EPSILON, Math.max(PROBABILITY_EPSILON, p));
}
