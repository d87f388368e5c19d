/**
 * Every log-odds a prediction holds is a multiple of LOG_ODDS_GRID (2^-49,
 * about 1.8e-15). Below EXACT_LOG_ODDS_LIMIT (16) in magnitude every such
 * multiple is a double, and so is the sum or difference of two of them: the
 * audit trail's additions are then exact, so they commute and undo each other
 * bit for bit. Retracting evidence returns the log-odds to exactly where they
 * were, and the order of moves does not change where they end.
 *
 * Without the grid that cannot hold: once |L| has grown, L + d has lost the
 * low bits of the L it came from, and no single addition can get them back
 * (prior 0.51 plus a strong move, retracted, lands a few ulps off the prior
 * about half the time).
 *
 * The step is as fine as exactness allows over the range that matters: |L| < 16
 * is every probability between 1.1e-7 and 1 - 1.1e-7, and a coarser grid would
 * wider the range only where the probability shown no longer changes. The grid
 * costs at most half a step per move (8.9e-16 in log-odds), the size of an
 * ordinary float rounding there, so the trail still agrees with a plain
 * recomputation (prior plus r * ln(LR), move after move) to within 1e-14 in
 * probability over hundreds of moves. A coarser grid of 2^-46 did not: a
 * fifth of the probabilities of long chains drifted past 1e-14.
 *
 * Past |L| = 16 doubles are coarser than the grid: values stay on it, but an
 * addition may round there as any float addition does.
 */
export const LOG_ODDS_GRID = 2 ** -49;

/** Below this |L| every addition of grid values is exact. */
export const EXACT_LOG_ODDS_LIMIT = 2 ** 4;

/** The nearest multiple of LOG_ODDS_GRID (halves upward); 0, never -0. */
export function onLogOddsGrid(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`onLogOddsGrid needs a finite number, got ${value}`);
  // A double this large is a multiple of 2^-45 already (and scaling it could overflow).
  if (Math.abs(value) >= EXACT_LOG_ODDS_LIMIT) return value;
  // Scaling by a power of two is exact; Math.round of an integral value is that value.
  return Math.round(value / LOG_ODDS_GRID) * LOG_ODDS_GRID + 0;
}

export function isOnLogOddsGrid(value: number): boolean {
  return Number.isFinite(value) && onLogOddsGrid(value) === value;
}

const scratch = new DataView(new ArrayBuffer(8));

/** The double `steps` representable values above (or below, when negative) `value`. */
function stepFloat(value: number, steps: number): number {
  if (steps === 0) return value;
  // Doubles ordered by value map onto a line of integers: negatives mirror the positives.
  scratch.setFloat64(0, value);
  const bits = scratch.getBigInt64(0);
  const ordinal = bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  const moved = ordinal + BigInt(steps);
  scratch.setBigInt64(0, moved < 0n ? -moved | -0x8000000000000000n : moved);
  return scratch.getFloat64(0);
}

/**
 * The delta to record so that `from + delta` (one IEEE addition, as the
 * replay does it) is exactly `target`; when no double does that, the one that
 * lands nearest. Between grid values below EXACT_LOG_ODDS_LIMIT the plain
 * difference is exact and is what this returns.
 */
export function landingDelta(from: number, target: number): number {
  const direct = target - from + 0;
  if (from + direct === target) return direct;
  let best = direct;
  let bestMiss = Math.abs(from + direct - target);
  for (let distance = 1; distance <= 8; distance += 1) {
    for (const steps of [distance, -distance]) {
      const candidate = stepFloat(direct, steps) + 0;
      if (!Number.isFinite(candidate)) continue;
      const landed = from + candidate;
      if (landed === target) return candidate;
      const miss = Math.abs(landed - target);
      if (miss < bestMiss) {
        best = candidate;
        bestMiss = miss;
      }
    }
  }
  return best;
}

/**
 * The delta an audit entry records for an intended move of `delta` from
 * `logOddsBefore`: the move lands on the grid point `grid(before) + grid(delta)`.
 * From a grid value this is `grid(delta)` exactly. A log-odds recorded before
 * the grid (off it) is carried onto it by the first move, by under half a step.
 * A zero delta stays zero: entries that move nothing (a resolution, a repeat
 * of a story) never shift the log-odds.
 */
export function gridDelta(logOddsBefore: number, delta: number): number {
  if (delta === 0) return 0;
  if (!Number.isFinite(logOddsBefore) || !Number.isFinite(delta)) {
    throw new RangeError(`gridDelta needs finite numbers, got ${logOddsBefore} and ${delta}`);
  }
  return landingDelta(logOddsBefore, onLogOddsGrid(logOddsBefore) + onLogOddsGrid(delta));
}
