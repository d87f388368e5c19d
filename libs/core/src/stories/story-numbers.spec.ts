import fc from 'fast-check';

import { chineseNumeral, sameQuantity, type StoryNumber, storyNumbers } from './story-numbers.js';

const values = (text: string) => storyNumbers(text).map((number) => `${number.kind}:${number.value}`);
const agree = (a: string, b: string) => storyNumbers(a).some((first) => storyNumbers(b).some((second) => sameQuantity(first, second)));

describe('storyNumbers', () => {
  it('reads one quantity alike in English and Chinese', () => {
    expect(agree('a cluster of 10,000 chips', '万卡集群')).toBe(true);
    expect(agree('a cluster of 10,000 chips', '1万颗芯片')).toBe(true);
    expect(agree('10k chips', '1万颗芯片')).toBe(true);
    expect(agree('a 2 billion yuan fund', '20亿元基金')).toBe(true);
    expect(agree('16,000-chip cluster', '1.6万卡集群')).toBe(true);
    expect(agree('about seven in ten servers', '约七成')).toBe(true);
    expect(agree('70% of the servers', '份额约七成')).toBe(true);
    expect(agree('up to 30 per cent of costs', '最高补贴30%')).toBe(true);
    expect(agree('pays half of compute bills', '最高补贴50%')).toBe(true);
    expect(agree('a 7nm tape-out', '7纳米工艺')).toBe(true);
    expect(agree('DeepSeek and 10 other entities', '包括DeepSeek在内的11家中国实体')).toBe(true);
  });

  it('reads money in dollars and yuan as one amount at a plausible rate', () => {
    expect(agree('Lumicore bags $165 million', '光芯智算完成12亿元融资')).toBe(true);
    expect(agree('a $720 million tender', 'a 5.2 billion yuan tender')).toBe(true);
    expect(agree('a $720 million tender', 'a 3.1 billion yuan tender')).toBe(false);
  });

  it('keeps names, dates and years apart from quantities', () => {
    expect(values('DeepSeek V4 runs on H100 and Ascend 950DT')).toEqual([]);
    expect(values('On Feb 19 the Commerce Department added 11 entities')).toEqual(['count:11']);
    expect(values('2月19日，美国商务部将11家中国实体列入实体清单')).toEqual(['count:11']);
    expect(values('the 2026-27 procurement, due by 2027')).toEqual(['year:2026', 'year:2027']);
    expect(values('Day 0 support, Asia No. 1 park')).toEqual([]);
  });

  it('reads Chinese numerals with a unit or a scale', () => {
    expect(chineseNumeral('一万二千')).toBe(12_000);
    expect(chineseNumeral('十一')).toBe(11);
    expect(chineseNumeral('两百')).toBe(200);
    expect(values('科技部拟投入十八亿元')).toEqual(['yuan:1800000000']);
    expect(values('一家子公司')).toEqual([]);
  });

  it('reads any integer written with thousands separators, once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10_000_000 }).filter((n) => n < 1990 || n > 2100), (n) => {
        const found = storyNumbers(`a total of ${n.toLocaleString('en-US')} servers`);
        expect(found).toEqual([{ kind: 'count', value: n }] satisfies StoryNumber[]);
      }),
    );
  });

  it('never throws, and lists each quantity once', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789,.%$ 万亿元十百千七成 billion yuan per cent'.split('')) }), (text) => {
        const found = storyNumbers(text);
        expect(new Set(found.map((number) => `${number.kind}:${number.value}`)).size).toBe(found.length);
      }),
    );
  });
});
