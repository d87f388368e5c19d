import fc from 'fast-check';

import { cjkBigrams, cjkRuns, isCjkCharacter, searchableText } from './cjk-text.js';

describe('CJK bigrams', () => {
  it.each([
    ['芯片补贴', ['芯片', '片补', '补贴']],
    ['华为', ['华为']],
    ['芯', ['芯']],
    ['', []],
    // A character outside the basic plane is one character, not two halves.
    ['𠀀芯片', ['𠀀芯', '芯片']],
  ])('splits %j into %j', (run, bigrams) => {
    expect(cjkBigrams(run)).toEqual(bigrams);
  });

  it('finds the runs of CJK characters, split by punctuation and Latin text', () => {
    expect(cjkRuns('DeepSeek招聘芯片设计，年薪百万。H20芯片')).toEqual(['招聘芯片设计', '年薪百万', '芯片']);
  });

  it('knows CJK characters from others', () => {
    expect(['华', 'か', 'カ', '한'].map(isCjkCharacter)).toEqual([true, true, true, true]);
    expect(['a', '1', '，', 'é', ' '].map(isCjkCharacter)).toEqual([false, false, false, false, false]);
  });
});

describe('searchableText', () => {
  it.each([
    ['华为昇腾芯片', '华为 为昇 昇腾 腾芯 芯片'],
    ['DeepSeek招聘芯片工程师', 'DeepSeek 招聘 聘芯 芯片 片工 工程 程师'],
    ['美方官员：暂不考虑将DeepSeek列入实体清单', '美方 方官 官员 ： 暂不 不考 考虑 虑将 DeepSeek 列入 入实 实体 体清 清单'],
    ['DeepSeek hires chip engineers', 'DeepSeek hires chip engineers'],
    ['昇腾910C良率', '昇腾 910C 良率'],
    ['杭州 暂停', '杭州 暂停'],
    ['', ''],
  ])('makes %j searchable as %j', (text, expected) => {
    expect(searchableText(text)).toBe(expected);
  });

  it('leaves text without CJK characters exactly as it was', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(text));
        expect(searchableText(text)).toBe(text);
      }),
    );
  });

  it('is idempotent: every CJK run it leaves is a bigram or a single character', () => {
    const mixed = fc.array(fc.constantFrom('华', '为', '昇', '腾', '芯', '片', 'a', 'B', ' ', '，', '1', '-'), { maxLength: 30 }).map((characters) => characters.join(''));
    fc.assert(
      fc.property(mixed, (text) => {
        const searchable = searchableText(text);
        expect(searchableText(searchable)).toBe(searchable);
        for (const run of cjkRuns(searchable)) expect([...run].length).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('keeps every bigram of the original runs, in order', () => {
    const han = fc.array(fc.constantFrom('华', '为', '昇', '腾', '芯', '片', '补', '贴'), { minLength: 1, maxLength: 12 }).map((characters) => characters.join(''));
    fc.assert(
      fc.property(han, fc.constantFrom('', 'AI ', 'H20'), (run, prefix) => {
        expect(searchableText(prefix + run).split(' ').slice(prefix === '' ? 0 : 1)).toEqual(cjkBigrams(run));
      }),
    );
  });
});
