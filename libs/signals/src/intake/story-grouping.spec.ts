import { type NewsItem, storyKeys, StorySignatureReader } from '#core';

import { assignStories, type StoryCandidate } from './story-grouping.js';

const reader = new StorySignatureReader({
  deepseek: ['deepseek', '深度求索'],
  us_government: ['commerce', 'washington', '美国商务部'],
  curbs: ['"entity list"', 'blacklist*', '实体清单'],
  places: ['shanghai', 'beijing', '上海', '北京'],
  subsidies: ['voucher*', '算力券'],
});
const read = (id: string, item: Omit<NewsItem, 'url'> & { url?: string | null }) => {
  const signature = reader.read({ url: null, ...item });
  return { id, title: item.title, summary: item.summary, signature, keys: storyKeys(signature) };
};
const blacklisted = (id: string, url: string | null = null) =>
  read(id, { title: 'Commerce adds DeepSeek to the Entity List', summary: 'DeepSeek and 10 others were added on Thursday.', url, publishedAt: new Date('2026-02-19T21:00:00Z') });
const vouchers = (id: string) =>
  read(id, { title: 'Shanghai offers 600 million yuan in compute vouchers', summary: 'Firms can claim 30% back.', publishedAt: new Date('2026-01-08T08:00:00Z') });
const stored = (id: string, storyId: string, item: ReturnType<typeof read>): StoryCandidate => ({ ...item, id, storyId });

describe('assignStories', () => {
  let ids = 0;
  const newStory = () => `new-${(ids += 1)}`;

  it('puts an item in the story of the stored report it matches, and starts a story for one that matches nothing', () => {
    const assigned = assignStories(
      [
        { ...blacklisted('a'), candidates: [stored('old', 'story-1', blacklisted('old')), stored('other', 'story-2', vouchers('other'))] },
        { ...vouchers('b'), candidates: [] },
      ],
      newStory,
    );
    expect(assigned[0]).toMatchObject({ id: 'a', storyId: 'story-1', joins: true, matchedWith: { id: 'old', reason: 'model' } });
    expect(assigned[1]).toMatchObject({ id: 'b', storyId: expect.stringMatching(/^new-/), joins: false, matchedWith: null });
  });

  it('groups reports within one batch, the later joining the earlier', () => {
    const assigned = assignStories([{ ...vouchers('a'), candidates: [] }, { ...vouchers('b'), candidates: [] }], newStory);
    expect(assigned[1]!.storyId).toBe(assigned[0]!.storyId);
    expect(assigned[1]).toMatchObject({ joins: false, matchedWith: { id: 'a' } });
  });

  it('prefers the same link to any score, and a lower id among equals, whatever order candidates come in', () => {
    const item = blacklisted('a', 'https://example.com/x?utm_source=feed');
    const byLink = stored('z-link', 'story-link', { ...blacklisted('z-link', 'https://www.example.com/x'), title: 'Other words' });
    const twins = [stored('m-2', 'story-m2', blacklisted('m-2')), stored('m-1', 'story-m1', blacklisted('m-1'))];
    expect(assignStories([{ ...item, candidates: [...twins, byLink] }], newStory)[0]).toMatchObject({ storyId: 'story-link', matchedWith: { reason: 'link', score: null } });
    expect(assignStories([{ ...blacklisted('a'), candidates: twins }], newStory)[0]!.storyId).toBe('story-m1');
    expect(assignStories([{ ...blacklisted('a'), candidates: [...twins].reverse() }], newStory)[0]!.storyId).toBe('story-m1');
  });
});
