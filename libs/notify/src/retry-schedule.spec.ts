import { nextRetryDelay, parseRetrySchedule } from './retry-schedule.js';

describe('the webhook retry schedule', () => {
  it('reads durations with units, a bare number being seconds', () => {
    expect(parseRetrySchedule('5s, 5m,30m,2h,1d,250ms,3')).toEqual([5000, 300_000, 1_800_000, 7_200_000, 86_400_000, 250, 3000]);
  });

  it('waits the scheduled time plus at most 10% jitter, and ends when the schedule does', () => {
    const schedule = parseRetrySchedule('5s,5m');
    expect(nextRetryDelay(schedule, 1, () => 0)).toBe(5000);
    expect(nextRetryDelay(schedule, 1, () => 0.999)).toBe(5500);
    expect(nextRetryDelay(schedule, 2, () => 0.5)).toBe(315_000);
    expect(nextRetryDelay(schedule, 3)).toBeNull();
  });
});
