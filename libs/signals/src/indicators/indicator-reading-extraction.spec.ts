import { ReadingExtractionError, readingFromJson, readingsFromCsv, toReadingValue } from './indicator-reading-extraction.js';

const AT = new Date('2026-11-28T00:00:00Z');

describe('toReadingValue', () => {
  it.each([
    [42, 42],
    ['1234.5', 1234.5],
    [' -3 ', -3],
    ['1,234,567.8', 1234567.8],
    ['12%', 12],
    ['1e3', 1000],
  ])('reads %j as %d', (raw, value) => expect(toReadingValue(raw)).toBe(value));

  it.each([['abc'], [''], [null], [true], [Number.NaN], [Infinity], ['1,23'], [{}]])('refuses %j', (raw) => expect(toReadingValue(raw)).toBeNull());
});

describe('readingFromJson', () => {
  it('takes the number at the pointer', () => {
    expect(readingFromJson('{"data":[{"value":"17.5"}]}', '/data/0/value', AT)).toEqual({ value: 17.5, observedAt: AT });
  });

  it.each([
    ['not JSON', '{nope', '/a', /not valid JSON/],
    ['missing member', '{"a":1}', '/b', /finds nothing/],
    ['not a number', '{"a":"high"}', '/a', /not a number/],
  ])('fails clearly on %s', (_name, text, pointer, message) => {
    expect(() => readingFromJson(text, pointer, AT)).toThrow(ReadingExtractionError);
    expect(() => readingFromJson(text, pointer, AT)).toThrow(message);
  });
});

describe('readingsFromCsv', () => {
  it('reads the named columns, reports bad rows with their line, accepts ; and a BOM', () => {
    const csv = '\uFEFFdate;count;note\n2026-11-01;10;a\n2026-11-02;n/a;b\nnot-a-date;12;c\n2026-11-04;"1,500";d\n';
    const { readings, skipped } = readingsFromCsv(csv, { value: 'count', time: 'date' });
    expect(readings.map(({ value, observedAt }) => [value, observedAt.toISOString()])).toEqual([
      [10, '2026-11-01T00:00:00.000Z'],
      [1500, '2026-11-04T00:00:00.000Z'],
    ]);
    expect(skipped.map((row) => row.line)).toEqual([3, 4]);
    expect(skipped[0]?.reason).toMatch(/"count" is not a number/);
  });

  it('fails the document when a column is missing, naming the columns it has', () => {
    expect(() => readingsFromCsv('when,value\n2026-11-01,1\n', { value: 'value', time: 'date' })).toThrow(/no column "date".*when, value/);
  });
});
