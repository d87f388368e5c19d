import { logit, probabilityFromLogOdds } from './log-odds.js';

export interface ConfidenceStep {
  logOddsBefore: number;
  deltaLogOdds: number;
  logOddsAfter: number;
  probabilityBefore: number;
  probabilityAfter: number;
}

function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${value}`);
  }
}

/**
 * The after-state is exactly `logOddsBefore + delta` with nothing else mixed
 * in, so that replayLogOdds over the stored deltas reproduces it bit for bit.
 */
export function applyDelta(logOddsBefore: number, delta: number): ConfidenceStep {
  assertFinite('logOddsBefore', logOddsBefore);
  assertFinite('delta', delta);
  const logOddsAfter = logOddsBefore + delta;
  assertFinite('logOddsAfter', logOddsAfter);
  return {
    logOddsBefore,
    deltaLogOdds: delta,
    logOddsAfter,
    probabilityBefore: probabilityFromLogOdds(logOddsBefore),
    probabilityAfter: probabilityFromLogOdds(logOddsAfter),
  };
}

/**
 * An override is recorded as an ordinary delta so the history stays a plain
 * sum. Floating-point addition may land a few ulps away from
 * logit(newProbability); the stored sum, not the logit, is the truth.
 */
export function overrideDelta(logOddsBefore: number, newProbability: number): number {
  assertFinite('logOddsBefore', logOddsBefore);
  return logit(newProbability) - logOddsBefore;
}

/**
 * Folds left with plain `+`, in order, starting from the prior. The stored
 * state is produced by the same additions in the same order (applyDelta), and
 * IEEE-754 addition is deterministic, so a replay is bit-identical to the
 * stored value. Do not "improve" this with Kahan or pairwise summation: a
 * different rounding path would make honest histories fail verification.
 */
export function replayLogOdds(priorLogOdds: number, deltas: readonly number[]): number {
  let logOdds = priorLogOdds;
  for (const delta of deltas) {
    logOdds = logOdds + delta;
  }
  return logOdds;
}

/**
 * Retraction appends the negated delta rather than deleting history, which
 * keeps the audit chain append-only. It restores the earlier log-odds up to
 * rounding, not necessarily bit for bit.
 */
export function retractionDelta(delta: number): number {
  assertFinite('delta', delta);
  // 0 - d equals -d for every non-zero d, but retracting a zero delta gives 0 rather than -0.
  return 0 - delta;
}
