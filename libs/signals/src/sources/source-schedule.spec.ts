import { DomainError } from '#core';

import { assertValidCron, backoffSeconds, MAX_BACKOFF_SECONDS, nextFetchAfterFailure, nextFetchAfterSuccess } from './source-schedule.js';

const NOW = new Date('2026-11-28T12:00:30Z');
const noJitter = (): number => 0;
const fullJitter = (): number => 0.999999;
const secondsAfterNow = (date: Date): number => (date.getTime() - NOW.getTime()) / 1000;

describe('backoff after failures', () => {
  it('doubles from a minute and is capped at a day', () => {
    expect([1, 2, 3, 4, 5].map(backoffSeconds)).toEqual([60, 120, 240, 480, 960]);
    expect(backoffSeconds(11)).toBe(61_440);
    expect(backoffSeconds(12)).toBe(MAX_BACKOFF_SECONDS);
    expect(backoffSeconds(10_000)).toBe(MAX_BACKOFF_SECONDS);
  });

  it('keeps retrying at least daily, and the next time only grows with the streak even with jitter', () => {
    let previous = 0;
    for (let streak = 1; streak <= 40; streak += 1) {
      const low = secondsAfterNow(nextFetchAfterFailure(streak, NOW, { random: noJitter }));
      const high = secondsAfterNow(nextFetchAfterFailure(streak, NOW, { random: fullJitter }));
      expect(low).toBeGreaterThanOrEqual(previous);
      expect(high).toBeLessThanOrEqual(MAX_BACKOFF_SECONDS + 300);
      if (streak < 12) expect(high).toBeLessThan(secondsAfterNow(nextFetchAfterFailure(streak + 1, NOW, { random: noJitter })));
      previous = low;
    }
  });

  it('waits as long as Retry-After asks, up to a day', () => {
    expect(secondsAfterNow(nextFetchAfterFailure(1, NOW, { retryAfterSeconds: 3600, random: noJitter }))).toBe(3600);
    expect(secondsAfterNow(nextFetchAfterFailure(1, NOW, { retryAfterSeconds: 10 * 86400, random: noJitter }))).toBe(86400);
  });
});

describe('next fetch after an answer', () => {
  it('follows the interval, with jitter of at most 10%', () => {
    const timing = { schedule: null, intervalSeconds: 1800, minIntervalSeconds: null };
    expect(secondsAfterNow(nextFetchAfterSuccess(timing, NOW, { random: noJitter }))).toBe(1800);
    const jittered = secondsAfterNow(nextFetchAfterSuccess(timing, NOW, { random: fullJitter }));
    expect(jittered).toBeGreaterThan(1800);
    expect(jittered).toBeLessThan(1980);
  });

  it('takes the larger of the configured interval and what the feed or server asked', () => {
    const base = { schedule: null, intervalSeconds: 600 };
    expect(secondsAfterNow(nextFetchAfterSuccess({ ...base, minIntervalSeconds: 3600 }, NOW, { random: noJitter }))).toBe(3600);
    expect(secondsAfterNow(nextFetchAfterSuccess({ ...base, minIntervalSeconds: 60 }, NOW, { random: noJitter }))).toBe(600);
    expect(secondsAfterNow(nextFetchAfterSuccess({ ...base, minIntervalSeconds: null }, NOW, { retryAfterSeconds: 7200, random: noJitter }))).toBe(7200);
    // A feed cannot park itself for a month.
    expect(secondsAfterNow(nextFetchAfterSuccess({ ...base, minIntervalSeconds: 30 * 86400 }, NOW, { random: noJitter }))).toBe(86400);
  });

  it('follows a cron schedule (UTC), never sooner than a minute', () => {
    const hourly = { schedule: '0 * * * *', intervalSeconds: null, minIntervalSeconds: null };
    expect(nextFetchAfterSuccess(hourly, NOW, { random: noJitter }).toISOString()).toBe('2026-11-28T13:00:00.000Z');
    const everySecond = { schedule: '* * * * * *', intervalSeconds: null, minIntervalSeconds: null };
    expect(secondsAfterNow(nextFetchAfterSuccess(everySecond, NOW, { random: noJitter }))).toBe(60);
  });

  it('refuses an invalid cron expression with a domain error naming schedule', () => {
    expect(() => assertValidCron('61 * * * *')).toThrow(DomainError);
    try {
      assertValidCron('every day');
    } catch (error) {
      expect((error as DomainError).field).toBe('schedule');
    }
    expect(() => assertValidCron('*/15 * * * *')).not.toThrow();
  });

  it('takes only standard five-field expressions: no macros, no missing or extra fields', () => {
    for (const schedule of ['* * *', '@reboot', '@hourly', '0 0 * * * *', '* * * * * * *', '', '* * * * ?', '*/0 * * * *']) {
      expect(() => assertValidCron(schedule)).toThrow(DomainError);
    }
    for (const schedule of ['0 6 * * 1-5', '*/10 8-18 * * MON-FRI', '0 0 1,15 * *', '30 2 * JAN,JUL SUN']) {
      expect(() => assertValidCron(schedule)).not.toThrow();
    }
  });
});
