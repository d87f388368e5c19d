import { isTimeZone, lastEndedPeriod, nextSendTime, zonedInstant } from './digest-period.js';

describe('digest periods', () => {
  it('finds the instant of a local hour, across a DST change', () => {
    expect(zonedInstant({ year: 2026, month: 11, day: 29 }, 8, 'Europe/Berlin').toISOString()).toBe('2026-11-29T07:00:00.000Z');
    expect(zonedInstant({ year: 2026, month: 7, day: 1 }, 8, 'Europe/Berlin').toISOString()).toBe('2026-07-01T06:00:00.000Z');
    expect(zonedInstant({ year: 2026, month: 3, day: 29 }, 8, 'Europe/Berlin').toISOString()).toBe('2026-03-29T06:00:00.000Z');
    expect(zonedInstant({ year: 2026, month: 1, day: 1 }, 23, 'America/Los_Angeles').toISOString()).toBe('2026-01-02T07:00:00.000Z');
  });

  it('ends a daily period at the last send time passed, and starts it a local day before', () => {
    const schedule = { frequency: 'daily' as const, timezone: 'Europe/Berlin', sendHour: 8, sendWeekday: 1 };
    expect(lastEndedPeriod(schedule, new Date('2026-11-29T07:30:00Z'))).toEqual({ start: new Date('2026-11-28T07:00:00Z'), end: new Date('2026-11-29T07:00:00Z') });
    expect(lastEndedPeriod(schedule, new Date('2026-11-29T06:59:59Z'))).toEqual({ start: new Date('2026-11-27T07:00:00Z'), end: new Date('2026-11-28T07:00:00Z') });
    // The day DST ends is 25 hours long.
    expect(lastEndedPeriod(schedule, new Date('2026-10-25T09:00:00Z'))).toEqual({ start: new Date('2026-10-24T06:00:00Z'), end: new Date('2026-10-25T07:00:00Z') });
  });

  it('ends a weekly period on the send weekday', () => {
    // 2026-11-29 is a Sunday; Monday 8:00 UTC.
    const schedule = { frequency: 'weekly' as const, timezone: 'UTC', sendHour: 8, sendWeekday: 1 };
    expect(lastEndedPeriod(schedule, new Date('2026-11-29T12:00:00Z'))).toEqual({ start: new Date('2026-11-16T08:00:00Z'), end: new Date('2026-11-23T08:00:00Z') });
    expect(lastEndedPeriod(schedule, new Date('2026-11-30T08:00:00Z'))).toEqual({ start: new Date('2026-11-23T08:00:00Z'), end: new Date('2026-11-30T08:00:00Z') });
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('says when the next digest goes out: the next local send time, on the send weekday for weekly ones', () => {
    const berlin = { frequency: 'daily' as const, timezone: 'Europe/Berlin', sendHour: 8, sendWeekday: 1 };
    // 07:30 UTC is 08:30 in Berlin in winter: today's send time has passed.
    expect(nextSendTime(berlin, new Date('2026-12-07T07:30:00Z')).toISOString()).toBe('2026-12-08T07:00:00.000Z');
    expect(nextSendTime(berlin, new Date('2026-12-07T06:30:00Z')).toISOString()).toBe('2026-12-07T07:00:00.000Z');
    // 2026-12-07 is a Monday; a weekly digest on Wednesdays.
    expect(nextSendTime({ ...berlin, frequency: 'weekly', sendWeekday: 3 }, new Date('2026-12-07T06:30:00Z')).toISOString()).toBe('2026-12-09T07:00:00.000Z');
  });
});
