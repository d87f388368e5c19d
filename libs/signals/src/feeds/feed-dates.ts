/**
 * Dates as feeds write them: RFC 822 (RSS), ISO 8601 / RFC 3339 (Atom, Dublin
 * Core, JSON Feed) in their extended and compact forms, asctime, and the
 * month names of the common European languages. Read strictly: a value with
 * anything left over ("Sun, Dec x 2012") is refused rather than guessed, and a
 * date without a zone is UTC, the same on every machine.
 */

/** Offsets in minutes east of UTC, for the zone names feeds use. Ambiguous abbreviations (IST, BST for Brazil) take their most common meaning in feeds. */
const ZONE_OFFSETS: ReadonlyMap<string, number> = new Map([
  ['z', 0], ['ut', 0], ['utc', 0], ['gmt', 0], ['wet', 0], ['uct', 0],
  ['est', -300], ['edt', -240], ['et', -300],
  ['cst', -360], ['cdt', -300], ['ct', -360],
  ['mst', -420], ['mdt', -360], ['mt', -420],
  ['pst', -480], ['pdt', -420], ['pt', -480],
  ['ast', -240], ['adt', -180], ['at', -240],
  ['akst', -540], ['akdt', -480], ['hst', -600], ['nst', -210], ['ndt', -150],
  ['bst', 60], ['ist', 60], ['west', 60], ['cet', 60], ['met', 60], ['mez', 60], ['cest', 120], ['mest', 120], ['mesz', 120],
  ['eet', 120], ['eest', 180], ['msk', 180], ['jst', 540], ['kst', 540], ['hkt', 480], ['sgt', 480], ['awst', 480],
  ['acst', 570], ['aest', 600], ['aedt', 660], ['nzst', 720], ['nzdt', 780],
  // RFC 822 military zones (A..I, K..M east, N..Y west); RFC 1123 advises reading them as +0000, but feeds that use them mean them.
  ...[...'abcdefghi'].map((letter, index) => [letter, (index + 1) * 60] as const),
  ...[...'klm'].map((letter, index) => [letter, (index + 10) * 60] as const),
  ...[...'nopqrstuvwxy'].map((letter, index) => [letter, -(index + 1) * 60] as const),
]);

/** Month names and abbreviations in English, French, German, Spanish, Italian, Dutch, Portuguese and the Nordic languages, lower-cased, accents kept. */
const MONTHS: ReadonlyMap<string, number> = (() => {
  const names: string[][] = [
    ['jan', 'january', 'janv', 'janvier', 'januar', 'jän', 'jänner', 'ene', 'enero', 'gen', 'gennaio', 'januari', 'janeiro', 'tammi'],
    ['feb', 'february', 'févr', 'fév', 'fevr', 'février', 'fevrier', 'februar', 'febrero', 'febbraio', 'februari', 'fev', 'fevereiro'],
    ['mar', 'march', 'mars', 'märz', 'mär', 'maerz', 'marzo', 'mrt', 'maart', 'março', 'marco'],
    ['apr', 'april', 'avr', 'avril', 'abr', 'abril', 'aprile'],
    ['may', 'mai', 'mayo', 'mag', 'maggio', 'mei', 'maio', 'maj'],
    ['jun', 'june', 'juin', 'juni', 'junio', 'giu', 'giugno', 'junho'],
    ['jul', 'july', 'juil', 'juillet', 'juli', 'julio', 'lug', 'luglio', 'julho'],
    ['aug', 'august', 'août', 'aout', 'ago', 'agosto', 'augustus', 'aug.'],
    ['sep', 'sept', 'september', 'septembre', 'septiembre', 'set', 'settembre', 'setembro'],
    ['oct', 'october', 'octobre', 'okt', 'oktober', 'octubre', 'ott', 'ottobre', 'out', 'outubro'],
    ['nov', 'november', 'novembre', 'noviembre', 'novembro'],
    ['dec', 'december', 'déc', 'décembre', 'decembre', 'dez', 'dezember', 'dic', 'diciembre', 'dicembre', 'dezembro'],
  ];
  return new Map(names.flatMap((list, month) => list.map((name) => [name, month] as const)));
})();

const EARLIEST_PLAUSIBLE = Date.UTC(1971, 0, 1);
const DAY_MS = 24 * 3600 * 1000;

const ISO_EXTENDED = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T\s]+(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?)?)?\s*(z|[+-]\d{2}(?::?\d{2})?|[a-z]{1,5})?$/i;
const ISO_COMPACT = /^(\d{4})(\d{2})(\d{2})(?:t?(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?)?\s*(z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** `[Day,] 10 Jun 2003 [04:00[:00] [AM|PM]] [zone]`; the day name may be any word (non-English feeds) but must be a word. */
const RFC822 = /^(?:[^\d\s,.]+\.?,?\s*)?(\d{1,2})[\s-]+([^\d\s,.-]+)\.?,?[\s-]+(\d{4}|\d{2})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(am|pm)?)?\s*(.*)$/i;
/** `[Day,] Jun 10, 2003 [04:00[:00]] [zone]` and asctime `Sun Jun 10 04:00:00 [zone] 2003`. */
const MONTH_FIRST = /^(?:[^\d\s,.]+\.?,?\s+)?([^\d\s,.]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(?:(\d{4}),?\s*)?(?:(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?\s*([a-z]{1,5}|[+-]\d{2}:?\d{2})?\s*(\d{4})?$/i;

/** RFC 822, ISO 8601 and the other forms above; null for a missing, unreadable or implausible date (before 1971, or more than a day ahead). */
export function parseFeedDate(value: string, now = Date.now()): Date | null {
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > 80) return null;
  const time = readDate(trimmed);
  if (time === null || Number.isNaN(time) || time < EARLIEST_PLAUSIBLE || time > now + DAY_MS) return null;
  return new Date(time);
}

function readDate(text: string): number | null {
  const common = readCommonDate(text);
  return common === undefined ? readAnyDate(text) : common;
}

/** Every form above, by the general patterns (exported for the test that pins readCommonDate to it). */
export function readAnyDate(text: string): number | null {
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    const iso = ISO_EXTENDED.exec(text) ?? ISO_COMPACT.exec(text);
    if (iso) {
      const [, year, month, day, hour, minute, second, fraction, zone] = iso;
      return utcTime({ year: Number(year), month: month ? Number(month) - 1 : 0, day: day ? Number(day) : 1, hour, minute, second, fraction, zone });
    }
  }
  const rfc = RFC822.exec(text);
  if (rfc) {
    const [, day, monthName, year, hour, minute, second, meridiem, zone] = rfc;
    const month = monthNumber(monthName!);
    if (month === null) return null;
    return utcTime({ year: fullYear(year!), month, day: Number(day), hour: twelveHour(hour, meridiem), minute, second, zone: zone?.trim() || undefined });
  }
  const monthFirst = MONTH_FIRST.exec(text);
  if (monthFirst) {
    const [, monthName, day, year, hour, minute, second, meridiem, zone, trailingYear] = monthFirst;
    const month = monthNumber(monthName!);
    const theYear = year ?? trailingYear;
    if (month === null || !theYear || (year && trailingYear)) return null;
    return utcTime({ year: Number(theYear), month, day: Number(day), hour: twelveHour(hour, meridiem), minute, second, zone });
  }
  return null;
}

function monthNumber(name: string): number | null {
  const key = name.toLowerCase().replace(/\.$/, '');
  return MONTHS.get(key) ?? MONTHS.get(key.slice(0, 3)) ?? null;
}

function fullYear(year: string): number {
  if (year.length === 4) return Number(year);
  const short = Number(year);
  return short < 50 ? 2000 + short : 1900 + short;
}

function twelveHour(hour: string | undefined, meridiem: string | undefined): string | undefined {
  if (hour === undefined || !meridiem) return hour;
  const value = Number(hour) % 12;
  return String(meridiem.toLowerCase() === 'pm' ? value + 12 : value);
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour?: string | undefined;
  minute?: string | undefined;
  second?: string | undefined;
  fraction?: string | undefined;
  zone?: string | undefined;
}

function utcTime(parts: DateParts): number | null {
  const offset = parts.zone === undefined ? 0 : zoneOffsetMinutes(parts.zone);
  if (offset === null) return null;
  return checkedUtcTime(parts.year, parts.month, parts.day, Number(parts.hour ?? 0), Number(parts.minute ?? 0), Number(parts.second ?? 0), fractionMillis(parts.fraction), offset);
}

/** The instant of a calendar date and wall-clock time at `offset` minutes east of UTC; null when the date or time does not exist. A leap second is read as :59. */
function checkedUtcTime(year: number, month: number, day: number, hour: number, minute: number, rawSecond: number, millis: number, offset: number): number | null {
  const second = Math.min(rawSecond, 59);
  if (month > 11 || day < 1 || day > daysIn(year, month) || hour > 24 || minute > 59 || second > 60) return null;
  if (hour === 24 && (minute > 0 || second > 0)) return null;
  return Date.UTC(year, month, day, hour, minute, second, millis) - offset * 60_000;
}

function fractionMillis(fraction: string | undefined): number {
  return fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
}

/**
 * The two forms nearly every feed writes, recognised by one anchored test and
 * read by position instead of by the general patterns (whose match arrays and
 * month and zone look-ups were most of the cost of an item's date):
 *
 * - RFC 822 as RSS writes it: `[Day, ]DD Mon YYYY HH:MM:SS` and then ` GMT`,
 *   ` UT`, ` UTC`, ` Z` or ` ±hhmm`;
 * - RFC 3339 as Atom writes it: `YYYY-MM-DDTHH:MM:SS[.fraction]` and then
 *   nothing, `Z` or `±hh:mm` (or `±hhmm`).
 *
 * Returns what readDate's general path returns for the same text, or
 * undefined when the text is not in one of these forms exactly (a property
 * test pins the two paths together).
 */
export function readCommonDate(text: string): number | null | undefined {
  if (COMMON_RFC822.test(text)) return readCommonRfc822(text);
  if (COMMON_RFC3339.test(text)) return readCommonRfc3339(text);
  return undefined;
}

/** `[Day, ]DD Mon YYYY HH:MM:SS` and a zone of GMT, UT, UTC, Z or ±hhmm. Tested, then read by position: no match arrays. */
const COMMON_RFC822 = /^(?:[A-Za-z]{3}, )?\d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d (?:GMT|UTC?|Z|[+-]\d{4})$/;
/** `YYYY-MM-DDTHH:MM:SS[.fraction]` and no zone, Z or ±hh[:]mm. */
const COMMON_RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:[Zz]|[+-]\d\d:?\d\d)?$/;

function readCommonRfc822(text: string): number | null | undefined {
  const start = text.charCodeAt(3) === 44 /* , */ ? 5 : 0;
  const month = MONTHS.get(text.slice(start + 3, start + 6).toLowerCase());
  if (month === undefined) return undefined;
  const sign = start + 21;
  const offset = text.length === sign + 5 ? numericOffset(text, sign) : 0;
  if (offset === null) return null;
  return checkedUtcTime(digits(text, start + 7, 4), month, digits(text, start, 2), digits(text, start + 12, 2), digits(text, start + 15, 2), digits(text, start + 18, 2), 0, offset);
}

function readCommonRfc3339(text: string): number | null {
  let zone = 19;
  while (zone < text.length && text.charCodeAt(zone) !== 43 /* + */ && text.charCodeAt(zone) !== 45 /* - */ && (text.charCodeAt(zone) | 0x20) !== 122 /* z */) zone += 1;
  const offset = zone + 1 < text.length ? numericOffset(text, zone) : 0;
  if (offset === null) return null;
  const fraction = zone > 20 ? text.slice(20, zone) : undefined;
  return checkedUtcTime(digits(text, 0, 4), digits(text, 5, 2) - 1, digits(text, 8, 2), digits(text, 11, 2), digits(text, 14, 2), digits(text, 17, 2), fractionMillis(fraction), offset);
}

/** `±hhmm` or `±hh:mm` at `sign`, as zoneOffsetMinutes reads it: null beyond 14 hours or 59 minutes. */
function numericOffset(text: string, sign: number): number | null {
  const hours = digits(text, sign + 1, 2);
  const minutes = digits(text, text.charCodeAt(sign + 3) === 58 /* : */ ? sign + 4 : sign + 3, 2);
  if (hours > 14 || minutes > 59) return null;
  return (text.charCodeAt(sign) === 45 /* - */ ? -1 : 1) * (hours * 60 + minutes);
}

/** The number written by `count` ASCII digits at `start` (checked to be digits by the caller). */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) value = value * 10 + text.charCodeAt(index) - 48;
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 1 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 31);
}

/** `+0200`, `-05:00`, `+02`, `GMT+2`, `UTC-05:00`, `Etc/GMT-3` (POSIX sign: east is minus) or a named zone; null when unknown. */
export function zoneOffsetMinutes(zone: string): number | null {
  const name = zone.trim().toLowerCase();
  const named = ZONE_OFFSETS.get(name);
  if (named !== undefined) return named;
  const numeric = /^(gmt|utc|ut)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(name);
  if (numeric) {
    const [, , sign, hours, minutes] = numeric;
    if (Number(hours) > 14 || Number(minutes ?? 0) > 59) return null;
    return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes ?? 0));
  }
  const etc = /^etc\/(?:gmt|utc|ut)(?:([+-])(\d{1,2}))?$/.exec(name);
  if (etc) {
    const [, sign, hours] = etc;
    if (!sign) return 0;
    return (sign === '+' ? -1 : 1) * Number(hours) * 60;
  }
  return null;
}
