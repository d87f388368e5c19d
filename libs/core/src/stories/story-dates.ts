/**
 * The days a news item names, read alike in English and Chinese, so
 * "Dec 3" = "12月3日" = "2026-12-03", and "on Thursday" or "周四" is the
 * Thursday before the item was published. Two reports of one event name the
 * same day (give or take one, for time zones); a follow-up names another.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6, jul: 7, july: 7,
  aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};
const MONTH = '(jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)\\.?';
const MONTH_DAY = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?`, 'giu');
const DAY_MONTH = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:,?\\s+(\\d{4})\\b)?`, 'giu');
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/gu;
const WEEKDAYS: Readonly<Record<string, number>> = { sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6 };
const ENGLISH_WEEKDAY = /\b(sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b/giu;
const CHINESE_WEEKDAYS: Readonly<Record<string, number>> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };
const CHINESE_DATE = /(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]/gu;
const CHINESE_DAY_ONLY = /(?<![\d月])(\d{1,2})日(?!前|内|起|后)/gu;
const CHINESE_WEEKDAY = /(?:周|星期|礼拜)([一二三四五六日天])/gu;

const DAY_MS = 86_400_000;
/** Chinese news is dated in China's time (UTC+8); other text by UTC, which a day's tolerance covers. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Days since 1970-01-01 of a calendar date. */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The day as YYYY-MM-DD. */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1;
}

/** A month and day without a year: the year that puts it nearest the reference day. */
function nearestYear(month: number, day: number, reference: number): number | null {
  const year = new Date(reference * DAY_MS).getUTCFullYear();
  let best: number | null = null;
  for (const candidate of [year - 1, year, year + 1]) {
    if (!validDay(candidate, month, day)) continue;
    const value = dayNumber(candidate, month, day);
    if (best === null || Math.abs(value - reference) < Math.abs(best - reference)) best = value;
  }
  return best;
}

/** The last day on or before the reference day that falls on a weekday (0 Sunday ... 6 Saturday). */
function lastWeekday(weekday: number, reference: number): number {
  // 1970-01-01 was a Thursday (4).
  const referenceWeekday = (((reference + 4) % 7) + 7) % 7;
  return reference - ((referenceWeekday - weekday + 7) % 7);
}

/**
 * The days a text names, as day numbers (days since 1970), sorted and each
 * once. `publishedAt` anchors dates without a year, weekdays and
 * today/yesterday; without it only dates with a year count.
 */
export function storyDates(text: string, publishedAt: Date | null): number[] {
  const normalised = text.normalize('NFKC');
  const chinese = /\p{Script=Han}/u.test(normalised);
  const reference = publishedAt ? Math.floor((publishedAt.getTime() + (chinese ? CHINA_OFFSET_MS : 0)) / DAY_MS) : null;
  const days = new Set<number>();
  const add = (year: number | null, month: number, day: number): void => {
    if (year !== null) {
      if (validDay(year, month, day)) days.add(dayNumber(year, month, day));
    } else if (reference !== null) {
      const value = nearestYear(month, day, reference);
      if (value !== null) days.add(value);
    }
  };
  for (const match of normalised.matchAll(ISO_DATE)) add(Number(match[1]), Number(match[2]), Number(match[3]));
  for (const match of normalised.matchAll(MONTH_DAY)) add(match[3] ? Number(match[3]) : null, MONTHS[match[1]!.toLowerCase()]!, Number(match[2]));
  for (const match of normalised.matchAll(DAY_MONTH)) add(match[3] ? Number(match[3]) : null, MONTHS[match[2]!.toLowerCase()]!, Number(match[1]));
  for (const match of normalised.matchAll(CHINESE_DATE)) add(match[1] ? Number(match[1]) : null, Number(match[2]), Number(match[3]));
  if (reference !== null) {
    for (const match of normalised.matchAll(ENGLISH_WEEKDAY)) days.add(lastWeekday(WEEKDAYS[match[1]!.toLowerCase()]!, reference));
    for (const match of normalised.matchAll(CHINESE_WEEKDAY)) days.add(lastWeekday(CHINESE_WEEKDAYS[match[1]!]!, reference));
    if (/\btoday\b|今日|今天|今晨/iu.test(normalised)) days.add(reference);
    if (/\byesterday\b|昨日|昨天|昨晚/iu.test(normalised)) days.add(reference - 1);
    // "14日发布": a day of the month the item was published in (or the month before, if that day is still to come).
    const withoutFullDates = normalised.replace(CHINESE_DATE, ' ');
    for (const match of withoutFullDates.matchAll(CHINESE_DAY_ONLY)) {
      const date = new Date(reference * DAY_MS);
      const day = Number(match[1]);
      let value = validDay(date.getUTCFullYear(), date.getUTCMonth() + 1, day) ? dayNumber(date.getUTCFullYear(), date.getUTCMonth() + 1, day) : null;
      if (value !== null && value > reference + 1) {
        const previous = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1));
        value = validDay(previous.getUTCFullYear(), previous.getUTCMonth() + 1, day) ? dayNumber(previous.getUTCFullYear(), previous.getUTCMonth() + 1, day) : null;
      }
      if (value !== null) days.add(value);
    }
  }
  return [...days].sort((a, b) => a - b);
}
