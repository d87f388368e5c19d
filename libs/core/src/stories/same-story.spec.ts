import fc from 'fast-check';

import { DEFAULT_SAME_STORY_MODEL, decideSameStory, isSameStory } from './same-story.js';
import { type SameStoryFeatures, sameStoryFeatures } from './same-story-features.js';
import { allStoryKeyTiers, storyKeys } from './story-keys.js';
import { type NewsItem, storyGrams, StorySignatureReader } from './story-signature.js';

const TERM_SETS = {
  deepseek: ['deepseek', '深度求索'],
  us_government: ['"united states"', 'washington', 'commerce', '美国', '美国商务部'],
  curbs: ['"entity list"', 'blacklist*', '实体清单'],
  huawei: ['huawei', '华为'],
  ascend: ['ascend', '昇腾'],
  carriers: ['"china mobile"', '"china telecom"', '中国移动', '中国电信'],
  tender: ['tender*', 'procure*', '集采', '采购'],
  places: ['china', 'chinese', 'shanghai', 'beijing', '中国', '上海', '北京'],
};
const reader = new StorySignatureReader(TERM_SETS);
const item = (title: string, summary: string, publishedAt: string, url: string | null = null): NewsItem => ({ title, summary, url, publishedAt: new Date(publishedAt) });
const compared = (story: NewsItem) => ({ signature: reader.read(story), grams: storyGrams(story) });
const decide = (a: NewsItem, b: NewsItem) => isSameStory(compared(a), compared(b));

const blacklisting = item('US adds DeepSeek to Entity List', 'The Commerce Department on Thursday added DeepSeek and 10 other entities to the Entity List.', '2026-02-19T21:08:00Z', 'https://example.com/a?utm_source=x');

describe('the same-story detector', () => {
  it('groups one article reached by two links', () => {
    const amp = { ...blacklisting, title: 'Different words entirely', url: 'https://m.example.com/amp/a' };
    expect(decide(blacklisting, amp)).toMatchObject({ same: true, reason: 'link' });
  });

  it('groups a rewrite by another outlet, and a Chinese report with the same entities, numbers and day', () => {
    const rewrite = item('Washington blacklists China AI lab DeepSeek', 'DeepSeek and 10 other Chinese entities were put on the Entity List by Commerce.', '2026-02-19T23:02:00Z');
    const chinese = item('美国将DeepSeek等11家实体列入实体清单', '2月19日，美国商务部将深度求索等11家中国实体列入实体清单。', '2026-02-20T06:58:00+08:00');
    const english = item('US puts DeepSeek and 10 others on Entity List', 'The Commerce Department added 11 Chinese entities on Thursday, Feb 19.', '2026-02-19T22:00:00Z');
    expect(decide(blacklisting, rewrite)).toMatchObject({ same: true, reason: 'model' });
    expect(decide(english, chinese)).toMatchObject({ same: true, reason: 'model' });
  });

  it('keeps apart reports whose numbers or days disagree, and anything outside the window', () => {
    const mobile = item('China Mobile AI server tender: Ascend wins 70%', 'The 5.2 billion yuan tender covers 8,000 servers.', '2026-02-26T09:30:00Z');
    const telecom = item('China Telecom AI server tender: Ascend wins 60%', 'The 3.1 billion yuan tender covers 4,200 servers.', '2026-02-27T09:30:00Z');
    expect(decide(mobile, telecom)).toMatchObject({ same: false, reason: 'numbers-disagree' });
    const monday = item('DeepSeek in talks with SMIC, report says', 'The report on Monday said talks were under way.', '2026-10-13T12:00:00Z');
    const nextDay = item('DeepSeek in talks with SMIC, report says', 'A report on Oct 10 said talks were under way.', '2026-10-14T12:00:00Z');
    expect(decide(monday, nextDay)).toMatchObject({ same: false, reason: 'dates-disagree' });
    const later = { ...blacklisting, url: null, publishedAt: new Date('2026-02-24T00:00:00Z') };
    expect(decide(blacklisting, later)).toMatchObject({ same: false, reason: 'outside-window' });
  });

  it('decides the same whichever item comes first', () => {
    const texts = ['US adds DeepSeek to Entity List', '美国将DeepSeek列入实体清单', 'China Mobile tender: Ascend wins 70% of 8,000 servers', '中国移动集采8000台，昇腾占七成', 'Huawei ships Ascend chips to Shanghai on Dec 3'];
    const arbitraryItem = fc.record({
      title: fc.constantFrom(...texts),
      summary: fc.constantFrom(...texts, ''),
      url: fc.constantFrom(null, 'https://example.com/a', 'https://www.example.com/a?utm_medium=x'),
      publishedAt: fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-01-06T00:00:00Z'), noInvalidDate: true }),
    });
    fc.assert(
      fc.property(arbitraryItem, arbitraryItem, (a, b) => {
        expect(decide(a, b).same).toBe(decide(b, a).same);
      }),
    );
  });
});

describe('storyKeys', () => {
  /**
   * Two signatures the detector groups share a candidate key whenever they share the link, two concepts, a
   * concept and a number, two numbers, or one concept where both name at most three: the index finds them.
   */
  it('gives a key in common to every pair the detector groups by what the keys name', () => {
    const concept = fc.constantFrom(...Object.keys(TERM_SETS));
    const signature = fc.record({
      canonicalUrl: fc.constantFrom(null, 'https://example.com/a', 'https://example.com/b'),
      at: fc.constant(0),
      script: fc.constantFrom('latin' as const, 'cjk' as const),
      concepts: fc.uniqueArray(concept, { maxLength: 8 }).map((names) => names.sort()),
      numbers: fc.uniqueArray(fc.integer({ min: 2, max: 12 }), { maxLength: 4 }).map((numbers) => numbers.map((value) => ({ kind: 'count' as const, value }))),
      dates: fc.constantFrom<number[]>([], [20_000]),
      followUp: fc.boolean(),
    });
    const grams = fc.constantFrom(storyGrams({ title: 'US adds DeepSeek', summary: null }), storyGrams({ title: 'US adds DeepSeek to list', summary: 'more' }), storyGrams({ title: '其他', summary: null }));
    fc.assert(
      fc.property(signature, signature, grams, grams, (a, b, gramsA, gramsB) => {
        const features: SameStoryFeatures = sameStoryFeatures({ signature: a, grams: gramsA }, { signature: b, grams: gramsB });
        fc.pre(decideSameStory(features, DEFAULT_SAME_STORY_MODEL).same);
        const shared = a.concepts.filter((name) => b.concepts.includes(name)).length;
        fc.pre(features.sameLink || shared >= 2 || (shared === 1 && features.sharedNumbers > 0) || features.sharedNumbers >= 2 || (shared === 1 && a.concepts.length <= 3 && b.concepts.length <= 3));
        const all = (signature: typeof a) => {
          const tiers = allStoryKeyTiers(signature);
          return [...tiers.specific, ...tiers.general];
        };
        const keys = new Set(all(a));
        expect(all(b).some((key) => keys.has(key))).toBe(true);
        // What an item keeps is the lowest of them, and always its link.
        expect(storyKeys(a).every((key) => keys.has(key))).toBe(true);
        if (features.sameLink) expect(storyKeys(b).some((key) => storyKeys(a).includes(key))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
