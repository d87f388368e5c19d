import { parseFeedDate, zoneOffsetMinutes } from './feed-dates.js';

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
