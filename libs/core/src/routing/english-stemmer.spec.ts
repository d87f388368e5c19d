import fc from 'fast-check';

import { stemEnglishWord } from './english-stemmer.js';

describe('stemEnglishWord', () => {
  it.each([
    ['chips', 'chip'],
    ['engineers', 'engineer'],
    ['subsidies', 'subsidy'],
    ['denied', 'deny'],
    ['hiring', 'hire'],
    ['hired', 'hire'],
    ['hires', 'hire'],
    ['stopped', 'stop'],
    ['cutting', 'cut'],
    ['designed', 'design'],
    ['installed', 'install'],
    ['approaches', 'approach'],
    ['classes', 'class'],
    ['status', 'status'],
    ['analysis', 'analysis'],
    ['news', 'news'],
    ['agreed', 'agreed'],
  ])('stems %j to %j', (word, stem) => {
    expect(stemEnglishWord(word)).toBe(stem);
  });

  it('brings inflections of one word together', () => {
    expect(new Set(['ban', 'bans', 'banned', 'banning'].map(stemEnglishWord))).toEqual(new Set(['ban']));
    expect(new Set(['list', 'lists', 'listed', 'listing'].map(stemEnglishWord))).toEqual(new Set(['list']));
  });

  it('leaves short words, digits and mixed tokens alone, and never empties a word', () => {
    expect(['is', 'gas', 'h20s', '910c'].map(stemEnglishWord)).toEqual(['is', 'gas', 'h20s', '910c']);
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,15}$/), (word) => {
        const stem = stemEnglishWord(word);
        expect(stem.length).toBeGreaterThanOrEqual(Math.min(word.length, 2));
        expect(stem.length).toBeLessThanOrEqual(word.length + 1);
      }),
    );
  });
});
