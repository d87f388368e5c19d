export type EvidenceDirection = 'supports' | 'contradicts';
export type EvidenceStrength = 'weak' | 'moderate' | 'strong';

export const STRENGTH_LIKELIHOOD_RATIOS: Readonly<Record<EvidenceStrength, number>> = Object.freeze({
  weak: 1.5,
  moderate: 3,
  strong: 10,
});

/**
 * A single piece of evidence may shift the odds by at most a factor of 100
 * either way; anything stronger is closer to a resolution than to evidence.
 */
export const MIN_LIKELIHOOD_RATIO = 1 / 100;
export const MAX_LIKELIHOOD_RATIO = 100;

export function likelihoodRatioFor(direction: EvidenceDirection, strength: EvidenceStrength): number {
  const ratio = STRENGTH_LIKELIHOOD_RATIOS[strength];
  if (ratio === undefined) {
    throw new RangeError(`unknown evidence strength: ${String(strength)}`);
  }
  switch (direction) {
    case 'supports':
      return ratio;
    case 'contradicts':
      return 1 / ratio;
    default:
      throw new RangeError(`unknown evidence direction: ${String(direction)}`);
  }
}

export function isAcceptedLikelihoodRatio(likelihoodRatio: number): boolean {
  return (
    Number.isFinite(likelihoodRatio) &&
    likelihoodRatio >= MIN_LIKELIHOOD_RATIO &&
    likelihoodRatio <= MAX_LIKELIHOOD_RATIO
  );
}

/**
 * Reliability scales the evidence in log-odds space, so r = 0.5 counts the
 * evidence as half as many bits and r = 0 ignores it.
 */
export function deltaLogOdds(likelihoodRatio: number, reliability: number): number {
  if (!isAcceptedLikelihoodRatio(likelihoodRatio)) {
    throw new RangeError(
      `likelihood ratio must be within [${MIN_LIKELIHOOD_RATIO}, ${MAX_LIKELIHOOD_RATIO}], got ${likelihoodRatio}`,
    );
  }
  if (!(reliability >= 0 && reliability <= 1)) {
    throw new RangeError(`reliability must be within [0, 1], got ${reliability}`);
  }
  // 0 * ln(LR < 1) is -0; a stored or hashed -0 would be a needless surprise.
  if (reliability === 0) return 0;
  return reliability * Math.log(likelihoodRatio);
}

/**
 * Likelihood ratio of "nothing happened today" for a prediction of the form
 * "X happens by the deadline".
 *
 * `daysRemaining` counts the days on which X could still happen, including
 * the day just observed to be quiet. If X is going to happen, it is assumed
 * equally likely to happen on any of those n days, so a quiet day has
 * probability (n-1)/n under "X happens" and 1 under "X does not happen".
 * Applied day after day the ratios telescope: after k quiet days the odds
 * are the starting odds times (n-k)/n, falling in proportion to time left.
 *
 * Returns null for n <= 1: the deadline is today or has passed, and a quiet
 * final day would give a ratio of 0 (infinite log-odds). That is a resolution,
 * not an update, so the caller must not apply anything.
 */
export function quietDayLikelihoodRatio(daysRemaining: number): number | null {
  if (!Number.isInteger(daysRemaining)) {
    throw new RangeError(`daysRemaining must be an integer, got ${daysRemaining}`);
  }
  if (daysRemaining <= 1) return null;
  return (daysRemaining - 1) / daysRemaining;
}
