import { readFileSync } from 'node:fs';

import { FeedParseError, parseFeedDocument } from './feed-parsing.js';
import { decodeResponseText } from './response-text-decoding.js';

/** One document of tests/fixtures/feeds and what a reader must make of it. */
interface FeedFixture {
  file: string;
  url: string;
  contentType?: string;
  contentLocation?: string;
  /** What a reader shows of the first item; `id` only where the fixture is about the id. */
  first?: { title: string; link: string | null; date: string | null; summary: string | null; id?: string | null };
  entries?: number;
  skipped?: number;
  error?: string;
}

const directory = new URL('../../../../tests/fixtures/feeds/', import.meta.url);
const { fixtures } = JSON.parse(readFileSync(new URL('manifest.json', directory), 'utf8')) as { fixtures: FeedFixture[] };

function read(fixture: FeedFixture): ReturnType<typeof parseFeedDocument> {
  const body = readFileSync(new URL(fixture.file, directory));
  const contentType = fixture.contentType ?? (fixture.file.endsWith('.json') ? 'application/feed+json' : 'application/xml');
  return parseFeedDocument(decodeResponseText(body, contentType), fixture.url, { contentLocation: fixture.contentLocation ?? null });
}

describe('feed fixtures (tests/fixtures/feeds)', () => {
  it('holds at least 150 documents', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(150);
  });

  it.each(fixtures.filter((fixture) => fixture.first).map((fixture) => [fixture.file, fixture] as const))('%s: first item', (_file, fixture) => {
    const feed = read(fixture);
    const entry = feed.entries[0];
    const shown = { title: entry?.title, link: entry?.url, date: entry?.publishedAt?.toISOString() ?? null, summary: entry?.summary };
    expect(fixture.first && 'id' in fixture.first ? { ...shown, id: entry?.externalId } : shown).toEqual(fixture.first);
  });

  it.each(fixtures.filter((fixture) => fixture.entries !== undefined).map((fixture) => [fixture.file, fixture] as const))('%s: item count', (_file, fixture) => {
    const feed = read(fixture);
    expect(feed.entries).toHaveLength(fixture.entries!);
    expect(feed.skipped).toHaveLength(fixture.skipped ?? 0);
  });

  it.each(fixtures.filter((fixture) => fixture.error).map((fixture) => [fixture.file, fixture] as const))('%s: refused with its cause', (_file, fixture) => {
    expect(() => read(fixture)).toThrow(FeedParseError);
    expect(() => read(fixture)).toThrow(fixture.error);
  });
});
