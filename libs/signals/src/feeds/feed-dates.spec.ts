import fc from 'fast-check';

import { parseFeedDate, readAnyDate, readCommonDate, zoneOffsetMinutes } from './feed-dates.js';

const now = Date.parse('2026-11-28T00:00:00Z');
const iso = (value: string): string | null => parseFeedDate(value, now)?.toISOString() ?? null;

describe('parseFeedDate', () => {
  it.each([
    ['Tue, 10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['Mon, 09 Jun 2003 23:00:00 ET', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 06:00:00 MEST', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 07:00:00 Etc/GMT-3', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 03 04:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['20030610T040000Z', '2003-06-10T04:00:00.000Z'],
    ['2003-06-10T06:00:00+0200', '2003-06-10T04:00:00.000Z'],
    ['2003-06-10T04:00:00.25Z', '2003-06-10T04:00:00.250Z'],
    ['mar., 10 juin 2003 04:00:00 +0000', '2003-06-10T04:00:00.000Z'],
    ['10 Mär 2003 04:00:00 GMT', '2003-03-10T04:00:00.000Z'],
    ['June 10, 2003 4:00 PM', '2003-06-10T16:00:00.000Z'],
    ['Tue Jun 10 04:00:00 2003', '2003-06-10T04:00:00.000Z'],
  ])('reads %s', (value, expected) => {
    expect(iso(value)).toBe(expected);
  });

  it('reads a date without a zone as UTC, whatever the machine', () => {
    expect(iso('2003-06-10T04:00:00')).toBe('2003-06-10T04:00:00.000Z');
    expect(iso('Tue, 10 Jun 2003 04:00:00')).toBe('2003-06-10T04:00:00.000Z');
  });

  it.each(['Sun, Dec x 2012', 'yesterday', '30 Feb 2003', 'Tue, 10 Jun 2003 04:00:00 GMT trailing', '2003-13-01', '1970-01-01T00:00:00Z', '2030-01-01T00:00:00Z', ''])(
    'refuses %j',
    (value) => {
      expect(iso(value)).toBeNull();
    },
  );
});

describe('zoneOffsetMinutes', () => {
  it('knows numeric, named and POSIX zones', () => {
    expect(zoneOffsetMinutes('+05:30')).toBe(330);
    expect(zoneOffsetMinutes('GMT-3')).toBe(-180);
    expect(zoneOffsetMinutes('Etc/GMT+5')).toBe(-300);
    expect(zoneOffsetMinutes('PT')).toBe(-480);
    expect(zoneOffsetMinutes('Mars/Olympus')).toBeNull();
  });
});

describe('readCommonDate', () => {
  /** Mostly `usual`, sometimes one of `unusual`: dates close to the common forms, and near misses of them. */
  const usually = (usual: fc.Arbitrary<string>, ...unusual: string[]): fc.Arbitrary<string> => fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: fc.constantFrom(...unusual), weight: 1 });
  const twoDigits = fc.oneof(fc.integer({ min: 0, max: 99 }).map((value) => String(value).padStart(2, '0')), fc.constantFrom('00', '12', '23', '24', '28', '29', '30', '31', '59', '60'));
  const year = usually(fc.constantFrom('2003', '2024', '2026'), '1970', '0099', '2000', '1900', '99', '20O3');
  const rfc822 = fc
    .tuple(
      usually(fc.constant('Fri, '), '', 'mar., ', 'Xyz, ', 'Fri ', 'Fri,', '1ri, ', 'Fr, '),
      usually(twoDigits, '1', '7', ''),
      usually(fc.constant(' '), '-', '  '),
      usually(fc.constantFrom('Jan', 'Feb', 'Jun', 'Nov', 'nov', 'NOV'), 'Mai', 'Dez', 'Xyz', 'Mär', 'Sept', 'Jun.'),
      year,
      usually(fc.constant(' '), '  ', ', '),
      twoDigits,
      twoDigits,
      usually(twoDigits.map((second) => `:${second}`), '', ':5', ':05.5'),
      usually(fc.constantFrom(' GMT', ' UT', ' UTC', ' Z', ' +0000', ' -0500', ' +0530'), ' +1500', ' +0160', ' +14:00', ' EST', ' gmt', ' PM', ' AM', '', ' ', '  GMT', ' +05', ' -0000', 'GMT', ' Etc/GMT-3', ' +00000'),
    )
    .map(([day, date, gap, month, theYear, beforeTime, hour, minute, second, zone]) => `${day}${date}${gap}${month} ${theYear}${beforeTime}${hour}:${minute}${second}${zone}`);
  const rfc3339 = fc
    .tuple(
      year,
      twoDigits,
      twoDigits,
      usually(fc.constant('T'), 't', ' ', 'TT'),
      twoDigits,
      twoDigits,
      usually(twoDigits, '5', '5.'),
      usually(fc.constantFrom('', '.1', '.25', '.123456', ',5'), '.', '.x'),
      usually(fc.constantFrom('', 'Z', 'z', '+01:00', '-05:30', '+0100', '-0000'), '+1500', '+14:59', '+00:60', '+01', ' Z', 'GMT', '+01:0', 'Zulu', 'A', 'J', '0'),
    )
    .map(([theYear, month, day, separator, hour, minute, second, fraction, zone]) => `${theYear}-${month}-${day}${separator}${hour}:${minute}:${second}${fraction}${zone}`);
  const dates = fc.oneof(rfc822, rfc3339).chain((text) => fc.oneof({ arbitrary: fc.constant(text), weight: 9 }, { arbitrary: fc.nat(text.length).map((end) => text.slice(0, end)), weight: 1 }));

  it('whenever it reads a date, reads what the general patterns read', () => {
    let answered = 0;
    fc.assert(
      fc.property(dates, (text) => {
        const fast = readCommonDate(text);
        if (fast === undefined) return;
        answered += 1;
        expect(fast).toBe(readAnyDate(text));
      }),
      { numRuns: 20_000 },
    );
    expect(answered).toBeGreaterThan(5_000);
  });

  it('reads the forms RSS and Atom write, and leaves the rest to the general patterns', () => {
    expect(readCommonDate('Fri, 27 Nov 2026 10:00:00 GMT')).toBe(Date.parse('2026-11-27T10:00:00Z'));
    expect(readCommonDate('27 Nov 2026 10:00:00 -0500')).toBe(Date.parse('2026-11-27T15:00:00Z'));
    expect(readCommonDate('2026-11-27T10:00:00.25+01:00')).toBe(Date.parse('2026-11-27T09:00:00.250Z'));
    expect(readCommonDate('2026-11-27T10:00:00')).toBe(Date.parse('2026-11-27T10:00:00Z'));
    expect(readCommonDate('Fri, 31 Feb 2026 10:00:00 GMT')).toBeNull();
    for (const text of ['Tue, 10 Jun 2003 04:00:00 EST', 'Tue, 10 Jun 03 04:00 GMT', 'mar., 10 juin 2003 04:00:00 +0000', '20030610T040000Z', '2003-06-10', 'June 10, 2003 4:00 PM', 'Fri, 27 Nov 2026 10:00:00 PM']) {
      expect(readCommonDate(text)).toBeUndefined();
    }
  });
});
