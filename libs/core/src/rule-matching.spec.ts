import fc from 'fast-check';
import { compileRule, matchesRule, type RuleTerms } from './rule-matching.js';

const rule = (partial: Partial<RuleTerms>): RuleTerms => ({ all: [], any: [], none: [], ...partial });

describe('matchesRule', () => {
  it('matches whole words only', () => {
    expect(matchesRule(rule({ any: ['ai'] }), { title: 'He said no' })).toBe(false);
    expect(matchesRule(rule({ any: ['ai'] }), { title: 'New AI model released' })).toBe(true);
    expect(matchesRule(rule({ any: ['ai'] }), { title: 'AI-powered search' })).toBe(true);
    expect(matchesRule(rule({ any: ['ai'] }), { title: 'Is it (AI)?' })).toBe(true);
    expect(matchesRule(rule({ any: ['g7'] }), { title: 'The G70 summit' })).toBe(false);
  });

  it('uses Unicode-aware boundaries', () => {
    expect(matchesRule(rule({ any: ['ber'] }), { title: 'Das ist über alles' })).toBe(false);
    expect(matchesRule(rule({ any: ['über'] }), { title: 'Das ist ÜBER alles' })).toBe(true);
    expect(matchesRule(rule({ any: ['東京'] }), { title: '東京 2024' })).toBe(true);
    // a Devanagari vowel sign is a combining mark that belongs to the word
    expect(matchesRule(rule({ any: ['क'] }), { title: 'कि' })).toBe(false);
  });

  it('is case-insensitive and NFKC-normalised', () => {
    expect(matchesRule(rule({ any: ['finance'] }), { title: 'ﬁnance news' })).toBe(true);
    expect(matchesRule(rule({ any: ['ai'] }), { title: 'ＡＩ breakthrough' })).toBe(true);
    expect(matchesRule(rule({ any: ['CAFÉ'] }), { title: 'cafe\u0301 opens' })).toBe(true);
    // compatibility forms that only become capitals under NFKC must still be lower-cased
    expect(matchesRule(rule({ any: ['hello'] }), { title: '\u210Cello there' })).toBe(true);
    expect(matchesRule(rule({ any: ['mhz'] }), { title: 'tuned to 100 \u3392' })).toBe(true);
  });

  it('matches phrases across any run of whitespace', () => {
    const terms = rule({ all: ['machine  learning'] });
    expect(matchesRule(terms, { title: 'Advances in Machine\n\tLearning' })).toBe(true);
    expect(matchesRule(terms, { title: 'machine-learning' })).toBe(false);
    expect(matchesRule(terms, { title: 'learning machine' })).toBe(false);
  });

  it('searches the summary as well as the title, but not across them', () => {
    const terms = rule({ all: ['election'] });
    expect(matchesRule(terms, { title: 'Breaking', summary: 'The election was called' })).toBe(true);
    expect(matchesRule(terms, { title: 'Breaking', summary: null })).toBe(false);
    expect(matchesRule(terms, { title: 'Breaking' })).toBe(false);
    expect(matchesRule(rule({ any: ['rate cut'] }), { title: 'Bank rate', summary: 'cut expected' })).toBe(false);
  });

  it('treats regular-expression characters literally', () => {
    expect(matchesRule(rule({ any: ['c++'] }), { title: 'Why C++ still matters' })).toBe(true);
    expect(matchesRule(rule({ any: ['c++'] }), { title: 'Why c still matters' })).toBe(false);
    expect(matchesRule(rule({ any: ['u.s.'] }), { title: 'The U.S. economy' })).toBe(true);
    expect(matchesRule(rule({ any: ['u.s.'] }), { title: 'The uks economy' })).toBe(false);
    expect(matchesRule(rule({ any: ['(beta)'] }), { title: 'App (beta) launched' })).toBe(true);
  });

  it('requires every all term', () => {
    const terms = rule({ all: ['fed', 'rates'] });
    expect(matchesRule(terms, { title: 'Fed holds rates' })).toBe(true);
    expect(matchesRule(terms, { title: 'Fed speaks' })).toBe(false);
  });

  it('requires at least one any term when there are some', () => {
    const terms = rule({ all: ['fed'], any: ['hike', 'cut'] });
    expect(matchesRule(terms, { title: 'Fed signals cut' })).toBe(true);
    expect(matchesRule(terms, { title: 'Fed signals pause' })).toBe(false);
  });

  it('excludes items containing a none term', () => {
    const terms = rule({ any: ['bitcoin'], none: ['sponsored'] });
    expect(matchesRule(terms, { title: 'Bitcoin rallies' })).toBe(true);
    expect(matchesRule(terms, { title: 'Bitcoin rallies', summary: 'SPONSORED content' })).toBe(false);
  });

  it('matches nothing when all and any are empty or blank', () => {
    expect(matchesRule(rule({}), { title: 'anything' })).toBe(false);
    expect(matchesRule(rule({ none: ['spam'] }), { title: 'anything' })).toBe(false);
    expect(matchesRule(rule({ all: ['  '], any: [''] }), { title: 'anything' })).toBe(false);
  });

  it('finds any word of the text and only words of the text', () => {
    const wordArb = fc.stringMatching(/^[a-z]{1,8}$/);
    fc.assert(
      fc.property(fc.array(wordArb, { minLength: 1, maxLength: 10 }), fc.nat(), wordArb, (words, pick, probe) => {
        const title = words.join(' ').toUpperCase();
        expect(matchesRule(rule({ any: [words[pick % words.length]!] }), { title })).toBe(true);
        expect(matchesRule(rule({ any: [probe] }), { title })).toBe(words.includes(probe));
      }),
    );
  });
});

describe('compileRule', () => {
  it('matches exactly as matchesRule does, compiled once for many items', () => {
    const terms = { all: ['deepseek'], any: ['chip design', 'asic'], none: ['rumour'] };
    const matcher = compileRule(terms);
    const items = [
      { title: 'DeepSeek hires for chip design', summary: null },
      { title: 'DeepSeek ASIC rumour', summary: 'unconfirmed' },
      { title: 'Deepseeking talent', summary: 'asic roles' },
      { title: 'Lab news', summary: 'DeepSeek posts ASIC roles' },
    ];
    expect(items.map(matcher)).toEqual([true, false, false, true]);
    expect(items.map((item) => matchesRule(terms, item))).toEqual(items.map(matcher));
  });
});
