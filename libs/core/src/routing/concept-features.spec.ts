import { ConceptMatcher, readableConcept } from './concept-features.js';
import { readableFeature } from './text-features.js';

const sets = {
  deepseek: ['deepseek', '"high-flyer"', '深度求索'],
  hiring: ['hire', 'recruit*', '"job ad"', '招聘'],
  chips: ['chip*', 'asic*', '芯片'],
  curbs: ['"entity list"', 'sanction*', 'most'],
};

describe('ConceptMatcher', () => {
  const matcher = new ConceptMatcher(sets);
  const concepts = (title: string, summary: string | null = null, conjunctions = false): string[] => matcher.features({ title, summary }, conjunctions);

  it('finds a set by a stemmed word, a prefix or a phrase, as the model reads words', () => {
    expect(concepts('DeepSeek is hiring')).toEqual(['@deepseek', '@hiring']);
    expect(concepts('Recruiters target chipmakers')).toEqual(['@chips', '@hiring']);
    expect(concepts('A High-Flyer job ad')).toEqual(['@deepseek', '@hiring']);
    expect(concepts('Added to the Entity List')).toEqual(['@curbs']);
  });

  it('needs a phrase in order and the whole word of a plain term', () => {
    expect(concepts('The list names an entity')).toEqual([]);
    expect(concepts('Hirers gather')).toEqual([]);
  });

  it('finds Chinese terms as substrings, and ignores stop words as PostgreSQL does', () => {
    expect(concepts('深度求索招聘芯片工程师')).toEqual(['@chips', '@deepseek', '@hiring']);
    expect(concepts('Most analysts agree')).toEqual([]);
  });

  it('adds every pair of concepts present, names in order, with conjunctions', () => {
    expect(concepts('DeepSeek hires chip designers', null, true)).toEqual(['@chips', '@deepseek', '@hiring', '@chips&@deepseek', '@chips&@hiring', '@deepseek&@hiring']);
  });

  it('reads the summary too', () => {
    expect(concepts('Lab news', 'It recruits ASIC designers')).toEqual(['@chips', '@hiring']);
  });

  it('names concepts readably', () => {
    expect(readableConcept('@deepseek&@hiring')).toBe('@deepseek + @hiring');
    expect(readableFeature('@deepseek&@hiring')).toBe('@deepseek + @hiring');
    expect(readableFeature('@chips')).toBe('@chips');
  });

  it('refuses a term that is not a word, prefix or phrase', () => {
    expect(() => new ConceptMatcher({ bad: ['two words'] })).toThrow();
  });
});
