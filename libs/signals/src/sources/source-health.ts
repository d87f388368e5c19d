import type { Source } from '#db';

/** A source that has not fetched successfully for this long is failing, and announced once (`source.failing`). */
export const SOURCE_FAILING_AFTER_SECONDS = 2 * 24 * 3600;

export type SourceHealthState = 'healthy' | 'failing' | 'erroring' | 'never-fetched' | 'disabled';

/** How a source is doing, as the API shows it: what an analyst needs to tell a broken feed from a blocked one. */
export interface SourceHealth {
  /** healthy: the last fetch worked; erroring: it failed, not yet for long; failing: no success for SOURCE_FAILING_AFTER_SECONDS. */
  state: SourceHealthState;
  /** The last error with its cause (HTTP status, not well-formed at line N, external entity refused...), or null. */
  lastError: string | null;
  consecutiveFailures: number;
  /** Since when no fetch has worked (the last success, else the source's creation), while it fails; else null. */
  failingSince: string | null;
  /** Items (feeds) or readings (JSON, CSV) the last successful fetch read, new and already stored; null when unknown. */
  itemsPerFetch: number | null;
  nextFetchDue: string;
}

type HealthFields = Pick<Source, 'enabled' | 'lastFetchedAt' | 'lastSuccessAt' | 'lastError' | 'failureStreak' | 'nextFetchAt' | 'createdAt' | 'lastFetchSummary'>;

/** Since when the source has been failing, or null when its last fetch worked. */
export function failingSince(source: HealthFields): Date | null {
  return source.failureStreak > 0 ? (source.lastSuccessAt ?? source.createdAt) : null;
}

/**
 * Whether a failed fetch at `now` is the first to find the source failing
 * for SOURCE_FAILING_AFTER_SECONDS: the previous fetch had not yet crossed
 * the line. `source` is the row as it was before this fetch.
 */
export function crossesFailingThreshold(source: HealthFields, now: Date): boolean {
  const since = source.lastSuccessAt ?? source.createdAt;
  const limit = since.getTime() + SOURCE_FAILING_AFTER_SECONDS * 1000;
  if (now.getTime() < limit) return false;
  return source.failureStreak === 0 || source.lastFetchedAt === null || source.lastFetchedAt.getTime() < limit;
}

export function sourceHealth(source: HealthFields, now = new Date()): SourceHealth {
  const since = failingSince(source);
  let state: SourceHealthState;
  if (!source.enabled) state = 'disabled';
  else if (since) state = now.getTime() - since.getTime() >= SOURCE_FAILING_AFTER_SECONDS * 1000 ? 'failing' : 'erroring';
  else state = source.lastFetchedAt ? 'healthy' : 'never-fetched';
  return {
    state,
    lastError: source.lastError,
    consecutiveFailures: source.failureStreak,
    failingSince: since?.toISOString() ?? null,
    itemsPerFetch: itemsRead(source.lastFetchSummary),
    nextFetchDue: source.nextFetchAt.toISOString(),
  };
}

function itemsRead(summary: unknown): number | null {
  if (typeof summary !== 'object' || summary === null) return null;
  const { status, newItems, duplicateItems, readingsRecorded } = summary as Record<string, unknown>;
  if (status !== 'fetched') return null;
  const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
  return count(newItems) + count(duplicateItems) + count(readingsRecorded);
}
