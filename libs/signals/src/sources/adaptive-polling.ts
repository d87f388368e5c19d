import { DEFAULT_FETCH_INTERVAL_SECONDS, MIN_FETCH_INTERVAL_SECONDS } from './source-schedule.js';

/** Adaptive polling never waits longer than a day, nor more than four times the configured interval. */
export const MAX_ADAPTIVE_INTERVAL_SECONDS = 24 * 3600;
const SHORTEN = 0.5;
const LENGTHEN = 1.5;
const BOUND_FACTOR = 4;

export interface PollingState {
  /** A cron schedule is kept as it is: adaptive polling applies to interval sources. */
  schedule: string | null;
  intervalSeconds: number | null;
  /** The interval in force, or null for the configured one. */
  pollIntervalSeconds: number | null;
  /** Null until the first successful fetch: what the first fetch finds is the backlog, not a rate. */
  lastSuccessAt: Date | null;
}

export interface PollInterval {
  seconds: number;
  reason: string;
}

/** The bounds adaptive polling keeps an interval source within: a quarter to four times its interval (at least a minute, at most a day). */
export function pollingBounds(intervalSeconds: number): { min: number; max: number } {
  return {
    min: Math.max(MIN_FETCH_INTERVAL_SECONDS, Math.round(intervalSeconds / BOUND_FACTOR)),
    max: Math.max(intervalSeconds, Math.min(MAX_ADAPTIVE_INTERVAL_SECONDS, intervalSeconds * BOUND_FACTOR)),
  };
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 600 || seconds % 60 === 0) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}

/**
 * The next polling interval after a successful fetch: a source whose fetches bring something new is
 * polled twice as often, one that brings nothing a half less often, within its bounds; a cron source
 * keeps its schedule (null). The reason says why, for the sources API and page.
 */
export function nextPollInterval(source: PollingState, changed: number): PollInterval | null {
  if (source.schedule) return null;
  const configured = source.intervalSeconds ?? DEFAULT_FETCH_INTERVAL_SECONDS;
  const { min, max } = pollingBounds(configured);
  const current = Math.min(max, Math.max(min, source.pollIntervalSeconds ?? configured));
  if (source.lastSuccessAt === null) return { seconds: current, reason: `every ${duration(current)} as configured, until fetches show how often it changes` };
  if (changed > 0) {
    const seconds = Math.max(min, Math.round(current * SHORTEN));
    return { seconds, reason: `${changed} new on the last fetch: every ${duration(seconds)}${seconds === min ? ' (the shortest, a quarter of the configured interval)' : ''}` };
  }
  const seconds = Math.min(max, Math.round(current * LENGTHEN));
  return { seconds, reason: `nothing new on the last fetch: every ${duration(seconds)}${seconds === max ? ' (the longest, four times the configured interval)' : ''}` };
}
