export type CrossingDirection = 'up' | 'down';

/**
 * Which way a series crossed a threshold between two consecutive readings.
 * The threshold itself counts as "above": going from below to exactly the
 * threshold is a crossing up, and leaving it for anything lower a crossing
 * down, so a series oscillating around the threshold alternates up and down.
 */
export function thresholdCrossing(previous: number, current: number, threshold: number): CrossingDirection | null {
  if (previous < threshold && current >= threshold) return 'up';
  if (previous >= threshold && current < threshold) return 'down';
  return null;
}
