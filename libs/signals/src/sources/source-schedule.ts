import { CronExpressionParser } from 'cron-parser';

import { DomainError } from '#core';

/** The scheduler ticks once a minute, so no source is fetched more often than that. */
export const MIN_FETCH_INTERVAL_SECONDS = 60;
export const DEFAULT_FETCH_INTERVAL_SECONDS = 30 * 60;
/** Backoff never waits longer than a day: a broken source is still tried daily and recovers on its own. */
export const MAX_BACKOFF_SECONDS = 24 * 60 * 60;
const FIRST_BACKOFF_SECONDS = 60;
/** What a feed may ask for (`<ttl>`, `max-age`, `Retry-After`) is honoured up to a day, so a typo cannot park a source for months. */
export const MAX_REQUESTED_INTERVAL_SECONDS = 24 * 60 * 60;

export interface SourceTiming {
  /** A cron expression (UTC), or null to use intervalSeconds. */
  schedule: string | null;
  intervalSeconds: number | null;
  /** The longest interval the feed asked for on its last answer (`<ttl>`, `Cache-Control: max-age`). */
  minIntervalSeconds: number | null;
}

/** One cron field: numbers, names, `*`, ranges, steps and lists; no macros such as `@reboot`. */
const CRON_FIELD = /^(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/[0-9]+)?(?:,(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/[0-9]+)?)*$/;

/**
 * Throws a DomainError naming `schedule` unless it is a standard five-field
 * cron expression (minute hour day-of-month month day-of-week, UTC) that
 * parses. cron-parser alone also takes fewer fields, a seconds field and
 * macros, none of which a fetch schedule should mean.
 */
export function assertValidCron(schedule: string): void {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((field) => CRON_FIELD.test(field))) {
    throw new DomainError(
      'invalid',
      'invalid-schedule',
      'schedule must be a five-field cron expression (minute hour day-of-month month day-of-week, UTC), e.g. "*/15 * * * *"',
      'schedule',
    );
  }
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' });
  } catch (error) {
    throw new DomainError('invalid', 'invalid-schedule', `schedule is not a valid cron expression: ${(error as Error).message}`, 'schedule');
  }
}

/** Up to 10% of the delay, at most five minutes: spreads sources that share a schedule over the following ticks. */
function jitterMs(delayMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(delayMs * 0.1, 5 * 60 * 1000));
}

function clampRequested(seconds: number | null | undefined): number {
  return seconds && seconds > 0 ? Math.min(seconds, MAX_REQUESTED_INTERVAL_SECONDS) : 0;
}

/**
 * When to fetch again after an answer (200 or 304): the configured schedule,
 * but never sooner than the feed or server asked, and never within a minute.
 */
export function nextFetchAfterSuccess(
  timing: SourceTiming,
  now: Date,
  options: { retryAfterSeconds?: number | null; random?: () => number } = {},
): Date {
  const random = options.random ?? Math.random;
  const configuredAt = timing.schedule
    ? CronExpressionParser.parse(timing.schedule, { currentDate: now, tz: 'UTC' }).next().toDate().getTime()
    : now.getTime() + (timing.intervalSeconds ?? DEFAULT_FETCH_INTERVAL_SECONDS) * 1000;
  const requestedSeconds = Math.max(MIN_FETCH_INTERVAL_SECONDS, clampRequested(timing.minIntervalSeconds), clampRequested(options.retryAfterSeconds));
  const at = Math.max(configuredAt, now.getTime() + requestedSeconds * 1000);
  return new Date(at + jitterMs(at - now.getTime(), random));
}

/** 1, 2, 4, 8... minutes for consecutive failures, capped at a day. */
export function backoffSeconds(failureStreak: number): number {
  const exponent = Math.max(0, failureStreak - 1);
  return Math.min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** Math.min(exponent, 30));
}

/** When to try again after the `failureStreak`-th failure in a row, or later if the server said so (429/503 Retry-After). */
export function nextFetchAfterFailure(
  failureStreak: number,
  now: Date,
  options: { retryAfterSeconds?: number | null; random?: () => number } = {},
): Date {
  const random = options.random ?? Math.random;
  const delayMs = Math.max(backoffSeconds(failureStreak), clampRequested(options.retryAfterSeconds)) * 1000;
  return new Date(now.getTime() + delayMs + jitterMs(delayMs, random));
}

/** A host that answered 429 or 503 without a Retry-After is left alone this long. */
export const HOST_BACKOFF_SECONDS = 60;

/** How long every source on a host waits after the host answered 429 or 503: its Retry-After (capped at a day), else a minute. */
export function hostBackoffSeconds(retryAfterSeconds: number | null | undefined): number {
  return Math.max(HOST_BACKOFF_SECONDS, clampRequested(retryAfterSeconds));
}

/**
 * When to try a source whose fetch was put off without asking the server (its
 * host is backing off, or stayed busy): not before `retryAt`, spread by up to
 * 10% so a host's sources do not all come back in the same instant. Not a failure.
 */
export function nextFetchAfterDeferral(retryAt: Date, now: Date, random: () => number = Math.random): Date {
  const at = Math.max(retryAt.getTime(), now.getTime() + 1000);
  return new Date(at + jitterMs(at - now.getTime(), random));
}
