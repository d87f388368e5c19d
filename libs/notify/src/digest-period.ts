import type { DigestFrequency } from '#db';

export interface DigestSchedule {
  frequency: DigestFrequency;
  timezone: string;
  /** Local hour, 0..23. */
  sendHour: number;
  /** Local weekday of a weekly digest, 0 = Sunday. */
  sendWeekday: number;
}

export interface DigestPeriod {
  start: Date;
  end: Date;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timezone, format);
  }
  return format;
}

/** Whether Intl knows the IANA time zone. */
export function isTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `timezone` at `instant`, as if it were UTC (milliseconds). */
function wallClock(instant: number, timezone: string): number {
  const parts = Object.fromEntries(formatter(timezone).formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** The instant at which it is `hour`:00 on a local date in `timezone` (in a DST gap, the hour after). */
export function zonedInstant(date: LocalDate, hour: number, timezone: string): Date {
  const wanted = Date.UTC(date.year, date.month - 1, date.day, hour);
  let guess = wanted - (wallClock(wanted, timezone) - wanted);
  // Once more: the offset at the guess may differ from the offset at the first probe (a DST change between them).
  guess = wanted - (wallClock(guess, timezone) - guess);
  return new Date(guess);
}

function localDate(instant: Date, timezone: string): LocalDate & { weekday: number } {
  const wall = new Date(wallClock(instant.getTime(), timezone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), weekday: wall.getUTCDay() };
}

function addDays(date: LocalDate, days: number): LocalDate & { weekday: number } {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(), weekday: shifted.getUTCDay() };
}

/**
 * The latest digest period that has ended by `now`: it ends at the most recent
 * local send time (the send hour, on the send weekday for weekly digests) and
 * starts at the one before. A period is identified by its start.
 */
export function lastEndedPeriod(schedule: DigestSchedule, now: Date): DigestPeriod {
  const today = localDate(now, schedule.timezone);
  for (let back = 0; back <= 8; back += 1) {
    const date = addDays(today, -back);
    if (schedule.frequency === 'weekly' && date.weekday !== schedule.sendWeekday) continue;
    const end = zonedInstant(date, schedule.sendHour, schedule.timezone);
    if (end.getTime() > now.getTime()) continue;
    const start = zonedInstant(addDays(date, schedule.frequency === 'weekly' ? -7 : -1), schedule.sendHour, schedule.timezone);
    return { start, end };
  }
  throw new Error('No send time in the last eight days');
}

/**
 * When the next digest on this schedule goes out: the next local send time after `now` (the digest job
 * checks every 5 minutes, so within 5 minutes of it). A digest with nothing in it is not sent unless
 * DIGEST_SEND_EMPTY is true.
 */
export function nextSendTime(schedule: DigestSchedule, now: Date): Date {
  const today = localDate(now, schedule.timezone);
  for (let ahead = 0; ahead <= 8; ahead += 1) {
    const date = addDays(today, ahead);
    if (schedule.frequency === 'weekly' && date.weekday !== schedule.sendWeekday) continue;
    const at = zonedInstant(date, schedule.sendHour, schedule.timezone);
    if (at.getTime() > now.getTime()) return at;
  }
  throw new Error('No send time in the next eight days');
}
