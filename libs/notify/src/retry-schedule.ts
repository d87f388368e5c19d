const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `5s,5m,30m,2h` -> milliseconds. A bare number is seconds. (The config validated the shape.) */
export function parseRetrySchedule(text: string): number[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(part);
      if (!match) throw new Error(`Not a duration: ${part}`);
      return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS]);
    });
}

/**
 * The wait before the next attempt after `failedAttempts` failures, or null
 * when the schedule is used up. Up to 10% jitter spreads retries of a burst.
 */
export function nextRetryDelay(schedule: readonly number[], failedAttempts: number, random: () => number = Math.random): number | null {
  const base = schedule[failedAttempts - 1];
  if (base === undefined) return null;
  return Math.round(base + base * 0.1 * random());
}
