/**
 * The quantities a news item states, read alike in English and Chinese, so
 * "10,000" = "1万" = "10k", "2 billion yuan" = "20亿元", "seven in ten" =
 * "七成" = "70%". Two reports of one event agree on its numbers; reports of
 * two events of one kind (another round, another tender) mostly do not.
 */

/** What a number counts: money in yuan or US dollars, a share, a process node, a year, or anything else. */
export type StoryNumberKind = 'yuan' | 'usd' | 'percent' | 'nm' | 'year' | 'count';

export interface StoryNumber {
  kind: StoryNumberKind;
  value: number;
}

const SCALE_WORDS: Readonly<Record<string, number>> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  mln: 1e6,
  million: 1e6,
  millions: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  billions: 1e9,
  trillion: 1e12,
  tn: 1e12,
};

const CARDINAL_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, thirteen: 13,
  fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50,
  sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, dozen: 12,
};

const CHINESE_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CHINESE_SMALL_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };
const CHINESE_BIG_UNITS: Readonly<Record<string, number>> = { 万: 1e4, 亿: 1e8 };

/** A Chinese numeral (一万二千, 十一, 两百, 五十) as a number; NaN if it is not one. */
export function chineseNumeral(text: string): number {
  let total = 0;
  let section = 0;
  let digit = -1;
  for (const character of text) {
    if (character in CHINESE_DIGITS) {
      digit = CHINESE_DIGITS[character]!;
    } else if (character in CHINESE_SMALL_UNITS) {
      section += (digit < 0 ? 1 : digit) * CHINESE_SMALL_UNITS[character]!;
      digit = -1;
    } else if (character in CHINESE_BIG_UNITS) {
      const unit = CHINESE_BIG_UNITS[character]!;
      const part = section + Math.max(digit, 0);
      total = (total + (part === 0 ? 1 : part)) * unit;
      section = 0;
      digit = -1;
    } else {
      return Number.NaN;
    }
  }
  return total + section + Math.max(digit, 0);
}

const HAN = /\p{Script=Han}/u;
/** Stands in for a run of Chinese characters in the English reading, so a number beside one is left to the Chinese reading. */
const HAN_MARK = '\u0001';

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/** Units after a number in Chinese text, and the kind they make it. */
function chineseKind(unit: string): StoryNumberKind {
  if (unit.startsWith('美元')) return 'usd';
  if (unit.startsWith('元') || unit.startsWith('人民币')) return 'yuan';
  if (unit === '%' || unit === '％') return 'percent';
  if (unit.startsWith('纳米')) return 'nm';
  return 'count';
}

/**
 * Arabic or Chinese numerals in Chinese text with what follows them:
 * 52亿元, 1.6万卡, 30%, 七成, 约8000台, 7纳米, 2027年 (a year; a month and
 * day is a date, see storyDates). 万卡 alone is ten thousand cards, as
 * Chinese news writes it.
 */
const CHINESE_NUMBER =
  /(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(万|亿|万亿)?(余|多)?\s*(美元|元|人民币|%|％|纳米|成|年(?!代)|月|日|号|倍|家|台|颗|名|个|人|卡|项|款|批|张|座|架|所|位)?/gu;

function chineseNumbers(text: string, found: StoryNumber[]): void {
  for (const match of text.matchAll(CHINESE_NUMBER)) {
    const [, digits, big, , unit = ''] = match;
    const before = text[match.index - 1] ?? '';
    const after = text[match.index + match[0].length] ?? '';
    const arabic = /\d/u.test(digits![0]!);
    // Digits glued to Latin letters are a name (V4, 950DT, H100), not a quantity.
    if (arabic && (/[A-Za-z.\-_]/u.test(before) || (unit === '' && !big && /[A-Za-z]/u.test(after)))) continue;
    if (unit === '月' || unit === '日' || unit === '号' || unit === '倍') continue;
    let value = arabic ? Number(digits) : chineseNumeral(digits!);
    if (!Number.isFinite(value)) continue;
    // Only numbers written in Chinese: with a Chinese scale or unit, or beside Chinese characters (English ones are englishNumbers').
    if (!big && unit === '' && !HAN.test(before) && !HAN.test(after)) continue;
    // A Chinese numeral needs a unit or a scale to be a quantity (一 in 一家 is "a").
    if (!arabic && !big && (unit === '' || value < 2)) continue;
    if (big) value *= big === '万亿' ? 1e12 : CHINESE_BIG_UNITS[big]!;
    if (unit === '成') {
      found.push({ kind: 'percent', value: round(value * 10) });
      continue;
    }
    if (unit.startsWith('年')) {
      if (arabic && digits!.length === 4) found.push({ kind: 'year', value });
      continue;
    }
    if (arabic && digits!.length === 4 && unit === '' && !big && value >= 1990 && value <= 2100 && /^[-–]\d{2,4}/u.test(text.slice(match.index + 4))) {
      found.push({ kind: 'year', value });
      continue;
    }
    found.push({ kind: chineseKind(unit), value: round(value) });
  }
  // 万卡 / 千卡 with no numeral: ten thousand (a thousand) accelerator cards.
  for (const match of text.matchAll(/(?<![\d零〇一二两三四五六七八九十百千万亿])(万|千)卡/gu)) found.push({ kind: 'count', value: match[1] === '万' ? 1e4 : 1e3 });
  if (/一半|半数/u.test(text)) found.push({ kind: 'percent', value: 50 });
}

/**
 * English numbers: 10,000; 1.2 billion yuan; $720 million; 5.2bn yuan;
 * 30% / 30 per cent; seven in ten; half; 7nm / 7-nanometre; 2026-27; ten
 * thousand. Digits glued to letters (V4, H100, 950DT) are names; month and
 * day ("Feb 19") is a date and left to storyDates.
 */
const ENGLISH_NUMBER =
  /(us\$|\$|usd\s?|rmb\s?|¥)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a dozen|dozen|hundred)\b)(?:[\s-]?(k|thousand|million|millions|mn|mln|m|billion|billions|bn|b|trillion|tn)\b)?(?:[\s-]?(%|percent|per cent|in ten|nanometres?|nanometers?|nm)\b|%)?(?:\s+(yuan|renminbi|rmb|dollars|usd|us dollars))?/giu;

const MONTH_BEFORE = /\b(jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)\.?\s*$/iu;
const MONTH_AFTER = /^\s*(jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)\b/iu;

function englishNumbers(text: string, found: StoryNumber[]): void {
  for (const match of text.matchAll(ENGLISH_NUMBER)) {
    const [whole, currency = '', rawDigits, rawScale = '', rawUnit = '', rawCurrencyAfter = ''] = match;
    const before = text.slice(0, match.index);
    const after = text.slice(match.index + whole.length);
    const digits = rawDigits!.toLowerCase();
    const isDigits = /\d/u.test(digits);
    // Beside Chinese characters: chineseNumbers reads it.
    if (before.endsWith(HAN_MARK) || after.startsWith(HAN_MARK)) continue;
    if (isDigits && /[A-Za-z\-_.]$/u.test(before) && !currency) continue;
    if (isDigits && /^[A-Za-z]/u.test(after) && !rawScale && !rawUnit && !/^(?:st|nd|rd|th)\b/iu.test(after)) continue;
    if (isDigits && (MONTH_BEFORE.test(before) || (MONTH_AFTER.test(after) && !rawScale && !rawUnit))) continue;
    if (isDigits && /^(?:st|nd|rd|th)\b/iu.test(after)) continue;
    // Years: four digits from 1990 to 2100 with no unit, also "2026-27".
    let value = isDigits ? Number(digits.replaceAll(',', '')) : digits.includes('dozen') ? 12 : CARDINAL_WORDS[digits]!;
    const scale = rawScale.toLowerCase();
    const unit = rawUnit.toLowerCase();
    if (isDigits && /^\d{4}$/u.test(digits) && value >= 1990 && value <= 2100 && !scale && !unit && !currency && !rawCurrencyAfter) {
      found.push({ kind: 'year', value });
      continue;
    }
    // A lone "one"/"two" without a scale or a unit is an article, not a quantity worth comparing.
    if (!isDigits && value < 10 && !scale && !unit) continue;
    if (scale) value *= SCALE_WORDS[scale]!;
    if (unit === 'in ten') {
      found.push({ kind: 'percent', value: value * 10 });
      continue;
    }
    if (unit === '%' || unit === 'percent' || unit === 'per cent' || whole.endsWith('%')) {
      found.push({ kind: 'percent', value: round(value) });
      continue;
    }
    if (unit.startsWith('nano') || unit === 'nm') {
      found.push({ kind: 'nm', value });
      continue;
    }
    const money = currency.toLowerCase().trim() || rawCurrencyAfter.toLowerCase();
    const kind: StoryNumberKind = /\$|usd|dollar/u.test(money) ? 'usd' : /yuan|rmb|renminbi|¥/u.test(money) ? 'yuan' : 'count';
    found.push({ kind, value: round(value) });
    // "DeepSeek and 10 other entities" is 11 entities, as "DeepSeek等11家实体" counts them.
    if (kind === 'count' && /\band\s+$/iu.test(before) && /^\s+others?\b/iu.test(after)) found.push({ kind, value: value + 1 });
  }
  if (/\bhalf\b/iu.test(text)) found.push({ kind: 'percent', value: 50 });
  if (/\b(?:two[\s-]thirds)\b/iu.test(text)) found.push({ kind: 'percent', value: 67 });
}

/** The numbers of a text, English and Chinese, each kind and value once, in a stable order. */
export function storyNumbers(text: string): StoryNumber[] {
  const normalised = text.normalize('NFKC');
  const found: StoryNumber[] = [];
  englishNumbers(normalised.replace(/\p{Script=Han}+/gu, HAN_MARK), found);
  if (/\p{Script=Han}/u.test(normalised)) chineseNumbers(normalised, found);
  const seen = new Map<string, StoryNumber>();
  // 0 and 1 are more often "Day 0", "No. 1" or "a" than a quantity of the event.
  for (const number of found) if (number.kind !== 'count' || number.value >= 2) seen.set(`${number.kind}:${number.value}`, number);
  return [...seen.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.value - b.value));
}

/** Yuan per US dollar that news conversions fall within. */
const YUAN_PER_DOLLAR = { low: 6.4, high: 7.6 } as const;

/** Whether two stated numbers can be the same quantity: the same kind and value, or dollars and yuan at a plausible rate. */
export function sameQuantity(a: StoryNumber, b: StoryNumber): boolean {
  const equal = Math.abs(a.value - b.value) <= 1e-9 * Math.max(1, Math.abs(a.value));
  if (a.kind === b.kind) return equal;
  // "最高5000万" is money by its context: a large bare number matches an amount of the same value.
  if ((a.kind === 'count' || b.kind === 'count') && a.value >= 1e4) return equal;
  const usd = a.kind === 'usd' ? a : b.kind === 'usd' ? b : null;
  const yuan = a.kind === 'yuan' ? a : b.kind === 'yuan' ? b : null;
  if (!usd || !yuan || usd.value < 1e5) return false;
  const rate = yuan.value / usd.value;
  return rate >= YUAN_PER_DOLLAR.low && rate <= YUAN_PER_DOLLAR.high;
}

/** Kinds that can be compared with each other: money is one family, each other kind its own. */
export function quantityFamily(kind: StoryNumberKind): string {
  return kind === 'usd' || kind === 'yuan' ? 'money' : kind;
}
