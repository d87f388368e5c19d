import type { INestApplicationContext } from '@nestjs/common';

import { createWorkerApp } from '#apps/worker/src/worker-app.js';
import { DatabaseConnection } from '#db';
import { JobQueues } from '#jobs';
import { DueSourcesScheduler, SourceIngestionService, type FetchOutcome } from '#signals';
import { serve, startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { eventually } from '#test/wait.js';


function rss(items: number, options: { prefix?: string; ttl?: number } = {}): string {
  const prefix = options.prefix ?? 'item';
  const entries = Array.from(
    { length: items },
    (_, index) => `<item><title>${prefix} ${index} &lt;b&gt;bold&lt;/b&gt;</title><link>/posts/${prefix}-${index}</link>` +
      `<guid isPermaLink="false">${prefix}-${index}</guid><pubDate>Fri, 27 Nov 2026 10:${String(index % 60).padStart(2, '0')}:00 GMT</pubDate>` +
      `<description><![CDATA[<p>Summary of ${prefix} ${index}</p>]]></description></item>`,
  ).join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title>${options.ttl ? `<ttl>${options.ttl}</ttl>` : ''}${entries}</channel></rss>`;
}

const ATOM = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:atom</id><updated>2026-11-27T00:00:00Z</updated>
<entry><id>urn:atom:1</id><title>Atom one</title><link href="one.html"/><updated>2026-11-27T01:00:00Z</updated><summary>First</summary></entry>
<entry><id>urn:atom:2</id><title type="html">Atom &lt;em&gt;two&lt;/em&gt;</title><link href="https://elsewhere.example/two"/><updated>2026-11-27T02:00:00Z</updated></entry>
</feed>`;

const RDF = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example/"><title>RDF</title><link>http://rdf.example/</link></channel>
<item rdf:about="http://rdf.example/1"><title>RDF one</title><link>http://rdf.example/1</link><dc:date>2026-11-20T00:00:00Z</dc:date></item>
<item rdf:about="http://rdf.example/2"><title>RDF two</title><link>http://rdf.example/2</link></item>
</rdf:RDF>`;

const JSON_FEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'JSON Feed',
  items: [
    { id: 'jf-1', url: '/jf/1', title: 'JSON one', content_text: 'Body one', date_published: '2026-11-26T00:00:00Z' },
    { id: 'jf-2', title: 'JSON two', content_html: '<p>Body <b>two</b></p>' },
  ],
});

/** Windows-1252 bytes, declared only in the XML declaration. */
const LATIN_FEED = Buffer.concat([
  Buffer.from('<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>x</title><item><guid>latin-1</guid><title>', 'latin1'),
  Buffer.from([0x93, 0x43, 0x61, 0x66, 0xe9, 0x94, 0x20, 0x80, 0x35]),
  Buffer.from('</title></item></channel></rss>', 'latin1'),
]);

/** One good item, one with nothing in it, one whose markup is odd but readable. */
const PARTLY_BAD_FEED = `<rss version="2.0"><channel><title>x</title>
<item><title>Good item</title><link>http://good.example/1</link></item>
<item><category>nothing to show</category></item>
<item><title>Odd date</title><guid>odd</guid><pubDate>the 5th of never</pubDate></item>
</channel></rss>`;

describe('sources and ingestion (BullMQ on Redis, allowlist 127.0.0.1)', () => {
  let t: TestApp;
  let server: LocalHttpServer;
  let analyst: string;

  beforeAll(async () => {
    server = await startLocalHttpServer();
    t = await createTestApp({ worker: true });
    analyst = await t.keyFor('analyst');
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  /** Disabled unless said otherwise, so the background scheduler tick never races a test's own "fetch now". */
  async function createSource(body: Record<string, unknown>): Promise<{ id: string } & Record<string, unknown>> {
    const response = await t.http.post('/v1/sources').set(auth(analyst)).send({ enabled: false, intervalSeconds: 600, ...body });
    expect(response.status).toBe(201);
    return response.body as { id: string } & Record<string, unknown>;
  }

  const fetchNow = async (id: string): Promise<FetchOutcome> => {
    const response = await t.http.post(`/v1/sources/${id}/fetch`).set(auth(analyst));
    expect(response.status).toBe(200);
    return response.body as FetchOutcome;
  };

  const itemsOf = (sourceId: string) => t.prisma.signalItem.findMany({ where: { sourceId }, orderBy: { title: 'asc' } });

  describe('the /v1/sources resource', () => {
    it('creates, reads, lists, changes and deletes a source, showing its fetch state', async () => {
      const created = await createSource({ name: 'Wire', kind: 'feed', url: `${server.origin}/crud.xml`, schedule: '*/15 * * * *', intervalSeconds: undefined });
      expect(created).toMatchObject({
        name: 'Wire',
        kind: 'feed',
        schedule: '*/15 * * * *',
        intervalSeconds: null,
        enabled: false,
        lastFetchedAt: null,
        lastError: null,
        failureStreak: 0,
        nextFetchAt: expect.any(String),
      });
      expect((await t.http.get(`/v1/sources/${created.id}`).set(auth(analyst))).body.id).toBe(created.id);
      const list = await t.http.get('/v1/sources?limit=200').set(auth(analyst));
      expect(list.body.items.map((source: { id: string }) => source.id)).toContain(created.id);

      const changed = await t.http.patch(`/v1/sources/${created.id}`).set(auth(analyst)).send({ intervalSeconds: 3600, name: 'Wire 2' });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ name: 'Wire 2', intervalSeconds: 3600, schedule: null });

      expect((await t.http.delete(`/v1/sources/${created.id}`).set(auth(analyst))).status).toBe(204);
      expect((await t.http.get(`/v1/sources/${created.id}`).set(auth(analyst))).status).toBe(404);
    });

    it('is for analysts: a viewer is refused', async () => {
      const viewer = await t.keyFor('viewer');
      expect((await t.http.get('/v1/sources').set(auth(viewer))).status).toBe(403);
    });

    it.each([
      [{ kind: 'podcast' }, 'kind'],
      [{ url: 'ftp://files.example/feed' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ schedule: 'every day', intervalSeconds: undefined }, 'schedule'],
      [{ schedule: '*/5 * * * *' }, 'schedule'],
      [{ intervalSeconds: 5 }, 'intervalSeconds'],
      [{ kind: 'json' }, 'indicator'],
      [{ kind: 'json', indicator: 'huawei-ascend-adoption' }, 'jsonPointer'],
      [{ kind: 'json', indicator: 'huawei-ascend-adoption', jsonPointer: 'no-slash' }, 'jsonPointer'],
      [{ kind: 'csv', indicator: 'huawei-ascend-adoption', csvValueColumn: 'v' }, 'csvTimeColumn'],
      [{ jsonPointer: '/a' }, 'jsonPointer'],
      [{ url: 'http://10.0.0.8/feed' }, 'url'],
      [{ surprise: true }, 'surprise'],
    ])('refuses %j with a 400 naming %s', async (change, field) => {
      const response = await t.http
        .post('/v1/sources')
        .set(auth(analyst))
        .send({ name: 'Bad', kind: 'feed', url: `${server.origin}/x`, intervalSeconds: 600, ...change });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('answers 404 naming the field for an indicator that does not exist', async () => {
      const response = await t.http
        .post('/v1/sources')
        .set(auth(analyst))
        .send({ name: 'Bad', kind: 'json', url: `${server.origin}/x`, indicator: 'no-such-indicator', jsonPointer: '/a' });
      expect(response.status).toBe(404);
      expect(response.body.errors).toEqual([{ field: 'indicator', message: expect.stringContaining('no-such-indicator') }]);
    });

    it('answers 404 for a source that does not exist and 400 for an id that is not one', async () => {
      expect((await t.http.post('/v1/sources/0192f0c4-0000-7000-8000-000000000000/fetch').set(auth(analyst))).status).toBe(404);
      expect((await t.http.get('/v1/sources/nope').set(auth(analyst))).status).toBe(400);
    });
  });

  describe('fetching feeds', () => {
    it.each([
      ['RSS 2.0', '/rss.xml', rss(3, { prefix: 'rss' }), 'application/rss+xml; charset=utf-8', ['rss 0 bold', 'rss 1 bold', 'rss 2 bold']],
      ['Atom 1.0', '/atom.xml', ATOM, 'application/atom+xml', ['Atom one', 'Atom two']],
      ['RSS 1.0 (RDF)', '/rdf.xml', RDF, 'application/rdf+xml', ['RDF one', 'RDF two']],
      ['JSON Feed 1.1', '/feed.json', JSON_FEED, 'application/feed+json', ['JSON one', 'JSON two']],
    ])('stores the items of %s as plain text with absolute links', async (_format, path, body, contentType, titles) => {
      server.routes.set(path, serve(body, { 'content-type': contentType }));
      const source = await createSource({ name: path, kind: 'feed', url: `${server.origin}${path}` });
      const outcome = await fetchNow(source.id);
      expect(outcome).toMatchObject({ status: 'fetched', newItems: titles.length, duplicateItems: 0, error: null, failureStreak: 0 });
      const items = await itemsOf(source.id);
      expect(items.map((item) => item.title)).toEqual(titles);
      for (const item of items) {
        expect(item.dedupeKey.startsWith(`${source.id}:`)).toBe(true);
        if (item.url) expect(item.url).toMatch(/^https?:\/\//);
        expect(item.summary ?? '').not.toMatch(/<[a-z]/);
      }
    });

    it('resolves relative links against the feed URL and keeps dates it can read', async () => {
      server.routes.set('/dir/relative.xml', serve(rss(1, { prefix: 'rel' })));
      const source = await createSource({ name: 'relative', kind: 'feed', url: `${server.origin}/dir/relative.xml` });
      await fetchNow(source.id);
      const [item] = await itemsOf(source.id);
      expect(item).toMatchObject({ url: `${server.origin}/posts/rel-0`, summary: 'Summary of rel 0', publishedAt: new Date('2026-11-27T10:00:00Z') });
    });

    it('decodes the encoding the XML declaration names', async () => {
      server.routes.set('/latin.xml', serve(LATIN_FEED, { 'content-type': 'text/xml' }));
      const source = await createSource({ name: 'latin', kind: 'feed', url: `${server.origin}/latin.xml` });
      await fetchNow(source.id);
      expect((await itemsOf(source.id)).map((item) => item.title)).toEqual(['\u201cCafé\u201d €5']);
    });

    it('stores the good items of a partly bad feed and reports the bad ones', async () => {
      server.routes.set('/partly-bad.xml', serve(PARTLY_BAD_FEED));
      const source = await createSource({ name: 'partly bad', kind: 'feed', url: `${server.origin}/partly-bad.xml` });
      const outcome = await fetchNow(source.id);
      expect(outcome).toMatchObject({ status: 'fetched', newItems: 2, skippedCount: 1, skipped: [{ item: 1, reason: expect.stringMatching(/no title/) }] });
      const items = await itemsOf(source.id);
      expect(items.map((item) => [item.title, item.publishedAt])).toEqual([
        ['Good item', null],
        ['Odd date', null],
      ]);
      const shown = await t.http.get(`/v1/sources/${source.id}`).set(auth(analyst));
      expect(shown.body.lastFetchSummary).toMatchObject({ skippedCount: 1 });
    });

    it.each([
      ['an HTML page', '<html><body><h1>Moved</h1></body></html>', /is an HTML page, not a feed/],
      ['truncated XML', rss(3).slice(0, 300), /not well-formed XML: .* at line 1/],
      ['an empty body', '', /The document is empty/],
      ['a document using an external entity', '<!DOCTYPE rss [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss><channel><title>&e;</title></channel></rss>', /external entity "e", which is refused/],
    ])('reports %s as a failed fetch with the reason, not a 500', async (_name, body, message) => {
      const path = `/malformed-${Math.random().toString(36).slice(2)}`;
      server.routes.set(path, serve(body, { 'content-type': 'text/html' }));
      const source = await createSource({ name: 'malformed', kind: 'feed', url: `${server.origin}${path}` });
      const outcome = await fetchNow(source.id);
      expect(outcome).toMatchObject({ status: 'failed', failureStreak: 1, error: expect.stringMatching(message) });
      const shown = await t.http.get(`/v1/sources/${source.id}`).set(auth(analyst));
      expect(shown.body).toMatchObject({ failureStreak: 1, lastError: expect.stringMatching(message) });
      expect(await itemsOf(source.id)).toHaveLength(0);
    });

    it('sends the validators on the second fetch and stores nothing on 304', async () => {
      server.routes.set('/conditional.xml', serve(rss(5, { prefix: 'cond' }), { etag: '"cond-v1"', 'last-modified': 'Fri, 27 Nov 2026 12:00:00 GMT' }));
      const source = await createSource({ name: 'conditional', kind: 'feed', url: `${server.origin}/conditional.xml` });
      expect(await fetchNow(source.id)).toMatchObject({ status: 'fetched', newItems: 5 });
      const stored = await t.prisma.source.findUniqueOrThrow({ where: { id: source.id } });
      expect(stored).toMatchObject({ etag: '"cond-v1"', lastModified: 'Fri, 27 Nov 2026 12:00:00 GMT' });

      const second = await fetchNow(source.id);
      expect(second).toMatchObject({ status: 'not-modified', newItems: 0 });
      const request = server.requests.filter((entry) => entry.path === '/conditional.xml').at(-1);
      expect(request?.headers).toMatchObject({ 'if-none-match': '"cond-v1"', 'if-modified-since': 'Fri, 27 Nov 2026 12:00:00 GMT' });
      expect(await itemsOf(source.id)).toHaveLength(5);
    });

    it('stores nothing new when a server without validators sends the same feed again', async () => {
      server.routes.set('/same.xml', serve(rss(4, { prefix: 'same' })));
      const source = await createSource({ name: 'same', kind: 'feed', url: `${server.origin}/same.xml` });
      expect(await fetchNow(source.id)).toMatchObject({ newItems: 4, duplicateItems: 0 });
      expect(await fetchNow(source.id)).toMatchObject({ status: 'fetched', newItems: 0, duplicateItems: 4 });
      expect(await itemsOf(source.id)).toHaveLength(4);
    });

    it('honours <ttl> and Cache-Control max-age when they ask for more than the interval', async () => {
      server.routes.set('/ttl.xml', serve(rss(1, { prefix: 'ttl', ttl: 120 }), { 'cache-control': 'max-age=300' }));
      const source = await createSource({ name: 'ttl', kind: 'feed', url: `${server.origin}/ttl.xml`, intervalSeconds: 600 });
      const outcome = await fetchNow(source.id);
      const waitSeconds = (Date.parse(outcome.nextFetchAt) - Date.parse(outcome.fetchedAt)) / 1000;
      expect(waitSeconds).toBeGreaterThanOrEqual(7200);
      expect(waitSeconds).toBeLessThan(7200 * 1.1 + 5);
      expect((await t.prisma.source.findUniqueOrThrow({ where: { id: source.id } })).minIntervalSeconds).toBe(7200);
    });
  });

  describe('two workers fetching the same source at the same moment', () => {
    let second: INestApplicationContext;

    beforeAll(async () => {
      second = await createWorkerApp(t.config, new DatabaseConnection(t.database.url, 'postgres'));
      await second.init();
    });
    afterAll(() => second.close());

    it('store each item once', async () => {
      server.routes.set('/race.xml', serve(rss(50, { prefix: 'race' })));
      const source = await createSource({ name: 'race', kind: 'feed', url: `${server.origin}/race.xml` });
      const outcomes = await Promise.all([
        t.worker!.get(SourceIngestionService).fetchSource(source.id),
        second.get(SourceIngestionService).fetchSource(source.id),
        t.worker!.get(SourceIngestionService).fetchSource(source.id),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fetched', 'fetched', 'fetched']);
      expect(outcomes.reduce((sum, outcome) => sum + outcome.newItems, 0)).toBe(50);
      expect(await itemsOf(source.id)).toHaveLength(50);
    });
  });

  describe('a failing source', () => {
    it('backs off further after each failure, shows its error and streak, and recovers by itself', async () => {
      server.routes.set('/flaky.xml', serve('upstream broke', {}, 500));
      const source = await createSource({ name: 'flaky', kind: 'feed', url: `${server.origin}/flaky.xml`, enabled: true });
      const waits: number[] = [];
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        const outcome = await fetchNow(source.id);
        expect(outcome).toMatchObject({ status: 'failed', failureStreak: attempt, error: expect.stringContaining('HTTP 500') });
        waits.push(Date.parse(outcome.nextFetchAt) - Date.parse(outcome.fetchedAt));
      }
      for (let index = 1; index < waits.length; index += 1) expect(waits[index]!).toBeGreaterThan(waits[index - 1]!);
      const shown = await t.http.get(`/v1/sources/${source.id}`).set(auth(analyst));
      expect(shown.body).toMatchObject({ failureStreak: 4, lastError: expect.stringContaining('HTTP 500'), lastSuccessAt: null });

      // The feed comes back; when the backoff has run out, the scheduler's tick fetches it again by itself.
      server.routes.set('/flaky.xml', serve(rss(2, { prefix: 'flaky' })));
      await t.prisma.source.update({ where: { id: source.id }, data: { nextFetchAt: new Date(Date.now() - 1000) } });
      await t.worker!.get(DueSourcesScheduler).enqueueDueSources();
      const deadline = Date.now() + 20_000;
      let recovered = await t.prisma.source.findUniqueOrThrow({ where: { id: source.id } });
      while (recovered.failureStreak !== 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        recovered = await t.prisma.source.findUniqueOrThrow({ where: { id: source.id } });
      }
      expect(recovered).toMatchObject({ failureStreak: 0, lastError: null, lastSuccessAt: expect.any(Date) });
      expect(await itemsOf(source.id)).toHaveLength(2);
    });

    it('shows its health, and announces once a source that has not fetched for two days', async () => {
      server.routes.set('/down-for-days.xml', serve('gone away', {}, 502));
      const source = await createSource({ name: 'down for days', kind: 'feed', url: `${server.origin}/down-for-days.xml`, enabled: true });
      const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3600 * 1000);
      await t.prisma.source.update({ where: { id: source.id }, data: { lastSuccessAt: threeDaysAgo, lastFetchedAt: threeDaysAgo, failureStreak: 5 } });
      const announced = async (): Promise<number> => t.prisma.outboxEvent.count({ where: { type: 'source.failing', payload: { path: ['sourceId'], equals: source.id } } });
      await fetchNow(source.id);
      expect(await announced()).toBe(1);
      const event = await t.prisma.outboxEvent.findFirstOrThrow({ where: { type: 'source.failing', payload: { path: ['sourceId'], equals: source.id } } });
      expect(event.payload).toMatchObject({ name: 'down for days', failureStreak: 6, lastError: expect.stringContaining('HTTP 502'), failingSince: threeDaysAgo.toISOString() });
      await fetchNow(source.id);
      expect(await announced()).toBe(1);
      const shown = await t.http.get(`/v1/sources/${source.id}`).set(auth(analyst));
      expect(shown.body.health).toMatchObject({ state: 'failing', consecutiveFailures: 7, lastError: expect.stringContaining('HTTP 502'), failingSince: threeDaysAgo.toISOString(), itemsPerFetch: null, nextFetchDue: expect.any(String) });
    });

    it('waits as long as a 503 Retry-After asks', async () => {
      // A host of its own: the whole host is then left alone for two hours, not only this source.
      const busyHost = await startLocalHttpServer({ '/busy.xml': serve('busy', { 'retry-after': '7200' }, 503) });
      try {
        const source = await createSource({ name: 'busy', kind: 'feed', url: `${busyHost.origin}/busy.xml` });
        const outcome = await fetchNow(source.id);
        expect(outcome.status).toBe('failed');
        expect(Date.parse(outcome.nextFetchAt) - Date.parse(outcome.fetchedAt)).toBeGreaterThanOrEqual(7200 * 1000);
      } finally {
        await busyHost.close();
      }
    });
  });

  describe('json and csv sources', () => {
    it('records the number at the JSON Pointer as a reading of the indicator', async () => {
      server.routes.set('/metric.json', serve(JSON.stringify({ data: { series: [{ value: '41.5' }] } }), { 'content-type': 'application/json' }));
      const source = await createSource({ name: 'metric', kind: 'json', url: `${server.origin}/metric.json`, indicator: 'huawei-ascend-adoption', jsonPointer: '/data/series/0/value' });
      expect(await fetchNow(source.id)).toMatchObject({ status: 'fetched', readingsRecorded: 1 });
      const readings = await t.prisma.indicatorReading.findMany({ where: { sourceId: source.id } });
      expect(readings.map((reading) => reading.value)).toEqual([41.5]);
      expect(readings[0]?.sourceUrl).toBe(`${server.origin}/metric.json`);
    });

    it('fails clearly when the pointer finds no number', async () => {
      server.routes.set('/metric-bad.json', serve('{"data": {"series": []}}', { 'content-type': 'application/json' }));
      const source = await createSource({ name: 'metric bad', kind: 'json', url: `${server.origin}/metric-bad.json`, indicator: 'huawei-ascend-adoption', jsonPointer: '/data/series/0/value' });
      expect(await fetchNow(source.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/finds nothing/) });
    });

    it('records one reading per good CSV row, reports bad rows, and records nothing new on a refetch', async () => {
      const csv = 'week,openings\n2026-11-01,12\n2026-11-08,oops\n2026-11-15,14\n';
      server.routes.set('/hiring.csv', serve(csv, { 'content-type': 'text/csv' }));
      const source = await createSource({
        name: 'hiring',
        kind: 'csv',
        url: `${server.origin}/hiring.csv`,
        indicator: 'deepseek-hardware-hiring',
        csvValueColumn: 'openings',
        csvTimeColumn: 'week',
      });
      expect(await fetchNow(source.id)).toMatchObject({ status: 'fetched', readingsRecorded: 2, skippedCount: 1, skipped: [{ line: 3 }] });
      expect(await fetchNow(source.id)).toMatchObject({ status: 'fetched', readingsRecorded: 0 });
      const readings = await t.prisma.indicatorReading.findMany({ where: { sourceId: source.id }, orderBy: { observedAt: 'asc' } });
      expect(readings.map((reading) => reading.value)).toEqual([12, 14]);
    });
  });

  describe('OPML import', () => {
    it('creates a feed source per outline with an xmlUrl, at any depth, and skips known and unusable ones', async () => {
      const existing = await createSource({ name: 'known', kind: 'feed', url: `${server.origin}/known.xml` });
      const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>Subscriptions</title></head><body>
        <outline text="Chips"><outline type="rss" text="Fab news" xmlUrl="${server.origin}/fab.xml"/>
          <outline text="Deeper"><outline type="rss" title="Deep feed" text="ignored" xmlUrl="${server.origin}/deep.xml"/></outline></outline>
        <outline type="rss" text="Known" xmlUrl="${existing.url as string}"/>
        <outline type="rss" text="Internal" xmlUrl="http://192.168.0.10/feed"/>
        <outline text="No feed here"/>
      </body></opml>`;
      const response = await t.http.post('/v1/sources/import').set(auth(analyst)).send({ opml, intervalSeconds: 3600 });
      expect(response.status).toBe(201);
      expect(response.body.created.map((source: { name: string; kind: string; intervalSeconds: number }) => [source.name, source.kind, source.intervalSeconds])).toEqual([
        ['Fab news', 'feed', 3600],
        ['Deep feed', 'feed', 3600],
      ]);
      expect(response.body.skipped.map((skip: { reason: string }) => skip.reason)).toEqual([
        'a source with this URL already exists',
        expect.stringMatching(/private address/),
      ]);
      await Promise.all(response.body.created.map((source: { id: string }) => t.prisma.source.update({ where: { id: source.id }, data: { enabled: false } })));
    });

    it('refuses a document that is not OPML with a 400', async () => {
      const response = await t.http.post('/v1/sources/import').set(auth(analyst)).send({ opml: '<html></html>' });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('opml');
    });
  });

  describe('scheduling', () => {
    it('has cluster-wide schedulers ticking every minute on the ingest queue: due sources and the unrouted-item sweep (and the daily routing model retrain, the WebSub leases)', async () => {
      await t.worker!.get(JobQueues).ensureSchedules();
      const schedulers = await t.worker!.get(JobQueues).queue('ingest').getJobSchedulers();
      expect(schedulers.map((scheduler) => [scheduler.key, scheduler.every]).sort()).toEqual([
        ['enqueue-due-sources-every-minute', 60_000],
        ['renew-websub-subscriptions-every-10-minutes', 600_000],
        ['retrain-routing-model-daily', 86_400_000],
        ['route-unrouted-signals-every-minute', 60_000],
      ]);
    });

    it('enqueues each due, enabled source once per due time, and skips disabled ones', async () => {
      server.routes.set('/scheduled.xml', serve(rss(3, { prefix: 'sched' })));
      const due = await createSource({ name: 'scheduled', kind: 'feed', url: `${server.origin}/scheduled.xml`, enabled: true });
      const disabled = await createSource({ name: 'disabled', kind: 'feed', url: `${server.origin}/scheduled.xml`, enabled: false });
      const scheduler = t.worker!.get(DueSourcesScheduler);
      // Two ticks before the worker gets to it: the deterministic job id keeps it one job.
      await Promise.all([scheduler.enqueueDueSources(), scheduler.enqueueDueSources()]);
      // The items are stored before the fetch's outcome (its next due time) is: wait for both.
      const fetched = await eventually(async () => {
        const source = await t.prisma.source.findUniqueOrThrow({ where: { id: due.id } });
        return source.lastFetchedAt && (await itemsOf(due.id)).length === 3 ? source : undefined;
      }, 20_000);
      expect(await itemsOf(due.id)).toHaveLength(3);
      expect(fetched.nextFetchAt.getTime()).toBeGreaterThan(Date.now() + 500 * 1000);
      expect((await t.prisma.source.findUniqueOrThrow({ where: { id: disabled.id } })).lastFetchedAt).toBeNull();
      const jobs = await t.worker!.get(JobQueues).queue('ingest').getJobs(['completed', 'active', 'waiting', 'delayed']);
      expect(jobs.filter((job) => job.name === 'fetch-source' && (job.data as { sourceId: string }).sourceId === due.id)).toHaveLength(1);
    });
  });
});

describe('the outbound guard without an allowlist', () => {
  let t: TestApp;
  let server: LocalHttpServer;
  let analyst: string;

  beforeAll(async () => {
    server = await startLocalHttpServer({ '/feed.xml': serve(rss(1)) });
    t = await createTestApp({ env: { OUTBOUND_ALLOWLIST: '' } });
    analyst = await t.keyFor('analyst');
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('refuses a feed URL whose host resolves to a loopback address, with a clear error, without connecting', async () => {
    const created = await t.http
      .post('/v1/sources')
      .set(auth(analyst))
      .send({ name: 'sneaky', kind: 'feed', url: `http://localhost:${server.port}/feed.xml`, enabled: false });
    expect(created.status).toBe(201);
    const outcome = await t.http.post(`/v1/sources/${created.body.id}/fetch`).set(auth(analyst));
    expect(outcome.status).toBe(200);
    expect(outcome.body).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/Refused to connect to localhost \((127\.0\.0\.1|::1)\): it is a loopback address.*OUTBOUND_ALLOWLIST/),
    });
    expect(server.requests).toHaveLength(0);
    const shown = await t.http.get(`/v1/sources/${created.body.id}`).set(auth(analyst));
    expect(shown.body).toMatchObject({ failureStreak: 1, lastError: expect.stringContaining('loopback') });
  });

  it('refuses a literal private address when the source is saved', async () => {
    const response = await t.http.post('/v1/sources').set(auth(analyst)).send({ name: 'literal', kind: 'feed', url: `http://127.0.0.1:${server.port}/feed.xml` });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ type: expect.stringContaining('outbound-request-refused'), errors: [{ field: 'url' }] });
  });
});

describe('scheduled fetching on BullMQ\'s PostgreSQL backend (the embedded mode\'s job engine)', () => {
  let t: TestApp;
  let server: LocalHttpServer;

  beforeAll(async () => {
    server = await startLocalHttpServer({ '/feed.xml': serve(rss(2, { prefix: 'pg' })) });
    t = await createTestApp({ queue: 'postgres', worker: true });
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('runs the same tick and fetch jobs', async () => {
    const analyst = await t.keyFor('analyst');
    const created = await t.http.post('/v1/sources').set(auth(analyst)).send({ name: 'pg', kind: 'feed', url: `${server.origin}/feed.xml` });
    expect(created.status).toBe(201);
    const schedulers = await t.worker!.get(JobQueues).queue('ingest').getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key).sort()).toEqual([
      'enqueue-due-sources-every-minute',
      'renew-websub-subscriptions-every-10-minutes',
      'retrain-routing-model-daily',
      'route-unrouted-signals-every-minute',
    ]);
    await t.worker!.get(DueSourcesScheduler).enqueueDueSources();
    const deadline = Date.now() + 20_000;
    let count = 0;
    while (count < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      count = await t.prisma.signalItem.count({ where: { sourceId: created.body.id } });
    }
    expect(count).toBe(2);
  });
});
