import fc from 'fast-check';

import { dayNumber, dayText, storyDates } from './story-dates.js';

const days = (text: string, publishedAt: string) => storyDates(text, new Date(publishedAt)).map(dayText);

describe('storyDates', () => {
  it('reads one day alike in English, Chinese and ISO', () => {
    const published = '2026-12-03T09:00:00Z';
    expect(days('The rule takes effect Dec 3', published)).toEqual(['2026-12-03']);
    expect(days('新规12月3日生效', published)).toEqual(['2026-12-03']);
    expect(days('effective 2026-12-03', published)).toEqual(['2026-12-03']);
    expect(days('on 3 December', published)).toEqual(['2026-12-03']);
    expect(days('on December 3rd, 2026', published)).toEqual(['2026-12-03']);
  });

  it('puts a day without a year in the year nearest publication', () => {
    expect(days('announced on Dec 30', '2027-01-02T08:00:00Z')).toEqual(['2026-12-30']);
    expect(days('due Jan 4', '2026-12-30T08:00:00Z')).toEqual(['2027-01-04']);
  });

  it('reads weekdays and today as the days before publication', () => {
    // 2026-02-20 is a Friday.
    expect(days('The Commerce Department said on Thursday', '2026-02-20T02:10:00Z')).toEqual(['2026-02-19']);
    expect(days('当地时间周四，美国商务部宣布', '2026-02-20T06:41:00+08:00')).toEqual(['2026-02-19']);
    expect(days('科大讯飞今日发布星火X2', '2026-05-20T08:00:00Z')).toEqual(['2026-05-20']);
    expect(days('released on Friday', '2026-02-20T23:00:00Z')).toEqual(['2026-02-20']);
  });

  it('reads a day of the month alone as the month of publication', () => {
    expect(days('专项14日发布申报指南', '2026-05-14T11:10:00Z')).toEqual(['2026-05-14']);
    expect(days('日前印发意见', '2026-08-26T11:10:00Z')).toEqual([]);
  });

  it('needs a year or a publication time', () => {
    expect(storyDates('on Dec 3', null)).toEqual([]);
    expect(storyDates('on 2026-12-03', null)).toEqual([dayNumber(2026, 12, 3)]);
  });

  it('agrees across the three ways of writing any day', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    fc.assert(
      fc.property(fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2098-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
        const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
        const expected = [dayNumber(year, month, day)];
        expect(storyDates(`on ${months[month - 1]} ${day}`, date)).toEqual(expected);
        expect(storyDates(`${month}月${day}日`, new Date(date.getTime() - 8 * 3_600_000))).toEqual(expected);
        expect(storyDates(dayText(expected[0]!), null)).toEqual(expected);
      }),
    );
  });
});
