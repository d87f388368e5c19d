import { SignalItemsRepository } from '#signals';
import { serve, startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { until } from '#test/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '#test/webhook-receiver.js';

/** A response body, loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface FeedItem {
  title: string;
  summary: string;
  link: string;
  pubDate: string;
}

function rss(outlet: string, items: readonly FeedItem[]): string {
  const entries = items
    .map((item, index) => `<item><title>${item.title}</title><link>${item.link.replaceAll('&', '&amp;')}</link><guid isPermaLink="false">${outlet}-${index}</guid><pubDate>${item.pubDate}</pubDate><description>${item.summary}</description></item>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${outlet}</title>${entries}</channel></rss>`;
}

/** One event (DeepSeek put on the Entity List) as three outlets report it: rewritten, one in Chinese, one behind a tracking AMP link. */
const WIRE: FeedItem = {
  title: 'US adds DeepSeek to Entity List, citing military ties',
  summary: 'The Commerce Department on Thursday added DeepSeek and 10 other Chinese entities to the Entity List.',
  link: 'https://wire.example.com/technology/deepseek-entity-list-2026-02-19/',
  pubDate: 'Thu, 19 Feb 2026 21:08:00 GMT',
};
const REWRITE: FeedItem = {
  title: 'Washington blacklists Chinese AI lab DeepSeek',
  summary: 'DeepSeek and 10 others were put on the Entity List by the Commerce Department on Thursday, Feb 19.',
  link: 'https://www.daily.example.org/amp/2026/02/19/deepseek-blacklist?utm_source=rss&utm_medium=feed',
  pubDate: 'Thu, 19 Feb 2026 23:02:00 GMT',
};
const CHINESE: FeedItem = {
  title: '美国将DeepSeek等11家中国实体列入实体清单',
  summary: '2月19日，美国商务部将深度求索等11家中国实体列入实体清单。',
  link: 'https://finance.example.cn/tech/2026-02-20/doc-deepseek.shtml',
  pubDate: 'Thu, 19 Feb 2026 22:58:00 GMT',
};
/** The wire's article again, a day later, through Google's AMP cache with tracking: a late duplicate. */
const LATE: FeedItem = {
  title: 'DeepSeek on US trade blacklist',
  summary: 'Reposted: the Commerce Department added DeepSeek to the Entity List.',
  link: 'https://wire-example-com.cdn.ampproject.org/c/s/wire.example.com/technology/deepseek-entity-list-2026-02-19/?utm_campaign=late',
  pubDate: 'Fri, 20 Feb 2026 20:00:00 GMT',
};

/**
 * Stories end to end: feeds served on 127.0.0.1 and fetched by the worker's
 * ingestion, grouping on insert, the inbox's one card per story, accepting a
 * story as one evidence item (one move, one confidence_changed per prediction
 * at a real webhook receiver), a late duplicate joining the decided story,
 * analysts linking and splitting, rejecting a story, retraction reopening it,
 * and concurrent inserts of two reports ending in one story.
 */
describe('stories: reports of one event grouped, reviewed and counted once', () => {
  let t: TestApp;
  let server: LocalHttpServer;
  let receiver: WebhookReceiver;
  let analyst: string;

  beforeAll(async () => {
    server = await startLocalHttpServer();
    receiver = await startWebhookReceiver();
    t = await createTestApp({ worker: true, env: { OUTBOX_RELAY_INTERVAL_MS: '100' } });
    analyst = await t.keyFor('analyst');
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await server.close();
  });

  async function feedSource(outlet: string, items: readonly FeedItem[]): Promise<string> {
    server.routes.set(`/${outlet}.xml`, serve(rss(outlet, items), { 'content-type': 'application/rss+xml' }));
    const response = await t.http.post('/v1/sources').set(auth(analyst)).send({ name: outlet, kind: 'feed', url: `${server.origin}/${outlet}.xml`, intervalSeconds: 600, enabled: false });
    expect(response.status).toBe(201);
    const fetched = await t.http.post(`/v1/sources/${response.body.id}/fetch`).set(auth(analyst));
    expect(fetched.body).toMatchObject({ status: 'fetched', newItems: items.length });
    return response.body.id as string;
  }
  const inbox = async (): Promise<Json[]> => (await t.http.get('/v1/signals/inbox?limit=100').set(auth(analyst))).body.items as Json[];
  const story = async (id: string): Promise<Json> => {
    const response = await t.http.get(`/v1/stories/${id}`).set(auth(analyst));
    expect(response.status).toBe(200);
    return response.body as Json;
  };
  const itemByTitle = (title: string) => t.prisma.signalItem.findFirstOrThrow({ where: { title } });
  const moves = () => t.prisma.outboxEvent.findMany({ where: { type: 'prediction.confidence_changed' } });

  describe('one event from three outlets', () => {
    let storyId: string;
    let evidenceId: string;

    it('is one story and one inbox card, reported by 3 sources, each linked', async () => {
      await feedSource('wire', [WIRE]);
      await feedSource('daily', [REWRITE]);
      await feedSource('finance-cn', [CHINESE]);
      const items = await Promise.all([WIRE, REWRITE, CHINESE].map((item) => itemByTitle(item.title)));
      storyId = items[0]!.storyId!;
      expect(items.map((item) => item.storyId)).toEqual([storyId, storyId, storyId]);
      expect(items.map((item) => item.status)).toEqual(['pending', 'pending', 'pending']);

      const cards = (await inbox()).filter((card) => card.story.id === storyId);
      expect(cards).toHaveLength(1);
      expect(cards[0]!.story).toMatchObject({ status: 'open', sourceCount: 3, reportedBy: 'reported by 3 sources' });
      expect((cards[0]!.story.items as Json[]).map((item): unknown[] => [item.sourceName, item.url]).sort()).toEqual(
        [
          ['daily', REWRITE.link],
          ['finance-cn', CHINESE.link],
          ['wire', WIRE.link],
        ].sort(),
      );
      // Announced for review once, for the story.
      const announced = await t.prisma.outboxEvent.findMany({ where: { type: 'signal.pending_review', payload: { path: ['storyId'], equals: storyId } } });
      expect(announced).toHaveLength(1);
    });

    it('accepting it records one evidence item and one move, with one prediction.confidence_changed per prediction at a webhook', async () => {
      const endpoint = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: `${receiver.origin}/moves`, events: ['prediction.confidence_changed', 'evidence.recorded'] });
      expect(endpoint.status).toBe(201);
      const before = (await moves()).length;
      const response = await t.http.post(`/v1/stories/${storyId}/accept`).set(auth(analyst)).send({});
      expect(response.status).toBe(201);
      evidenceId = response.body.evidenceId as string;
      expect(response.body).toMatchObject({ storyId, story: { id: storyId, status: 'accepted', sourceCount: 3 }, sameStory: [] });
      const evidence = await t.prisma.evidence.findMany({ where: { storyId } });
      expect(evidence.map((entry) => entry.id)).toEqual([evidenceId]);
      const statuses = await t.prisma.signalItem.findMany({ where: { storyId }, select: { status: true, evidenceId: true } });
      expect(statuses.map((item) => item.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(statuses.filter((item) => item.evidenceId === evidenceId)).toHaveLength(1);
      const moved = response.body.impacts.filter((impact: Json) => impact.deltaLogOdds !== 0).map((impact: Json) => impact.predictionId as string);
      expect(moved.length).toBeGreaterThan(0);
      expect((await moves()).length - before).toBe(moved.length);

      await until(() => receiver.at('/moves').filter((delivery) => JSON.parse(delivery.body).type === 'prediction.confidence_changed').length >= moved.length, 20_000, 'a confidence change per moved prediction');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const deliveries = receiver.at('/moves').map((delivery) => JSON.parse(delivery.body) as Json);
      const changed = deliveries.filter((delivery) => delivery.type === 'prediction.confidence_changed');
      expect(changed.map((delivery): unknown => delivery.data.predictionId).sort()).toEqual([...moved].sort());
      expect(deliveries.filter((delivery) => delivery.type === 'evidence.recorded')).toHaveLength(1);

      expect((await inbox()).some((card) => card.story.id === storyId)).toBe(false);
      const again = await t.http.post(`/v1/signals/${(await itemByTitle(CHINESE.title)).id}/accept`).set(auth(analyst)).send({});
      expect(again.status).toBe(409);
    });

    it('a late fourth report joins the decided story as accepted, with no second move, and shows on the story page', async () => {
      const before = (await moves()).length;
      const evidenceBefore = await t.prisma.evidence.count();
      await feedSource('late', [LATE]);
      const late = await itemByTitle(LATE.title);
      expect(late).toMatchObject({ storyId, status: 'accepted', reviewedBy: 'system:story', evidenceId: null });
      expect(await t.prisma.evidence.count()).toBe(evidenceBefore);
      expect((await moves()).length).toBe(before);

      const page = await story(storyId);
      expect(page).toMatchObject({ id: storyId, status: 'accepted', evidenceId, sourceCount: 4, reportedBy: 'reported by 4 sources' });
      expect(page.items).toHaveLength(4);
      expect((page.evidence as Json[]).map((entry): unknown => entry.id)).toEqual([evidenceId]);
      expect(page.moves.length).toBeGreaterThan(0);
      for (const move of page.moves) {
        expect(move.deltaLogOdds).not.toBe(0);
        expect(move.probability).not.toBeCloseTo(move.probabilityWithout, 6);
      }
    });

    it('an analyst links an item into it (taking its decision) and splits it off again, both recorded', async () => {
      const submitted = await t.http
        .post('/v1/signals')
        .set(auth(analyst))
        .send({ items: [{ title: 'Chip curbs: DeepSeek named in new US export rule', url: 'https://blog.example.net/deepseek-rule', publishedAt: '2026-05-01T00:00:00Z' }] });
      const itemId = submitted.body.createdIds[0] as string;
      const own = (await t.prisma.signalItem.findUniqueOrThrow({ where: { id: itemId } })).storyId!;
      expect(own).not.toBe(storyId);

      const linked = await t.http.post(`/v1/stories/${storyId}/items`).set(auth(analyst)).send({ itemId });
      expect(linked.status).toBe(200);
      expect((linked.body.items as Json[]).map((item): unknown => item.id)).toContain(itemId);
      expect(linked.body.changes).toEqual([expect.objectContaining({ kind: 'linked', signalItemId: itemId, storyId, fromStoryId: own, actor: expect.stringMatching(/^user:/) })]);
      expect(await t.prisma.signalItem.findUniqueOrThrow({ where: { id: itemId } })).toMatchObject({ storyId, status: 'accepted' });

      const split = await t.http.delete(`/v1/stories/${storyId}/items/${itemId}`).set(auth(analyst));
      expect(split.status).toBe(200);
      expect((split.body.story.items as Json[]).map((item): unknown => item.id)).not.toContain(itemId);
      expect(split.body.split).toMatchObject({ status: 'open', items: [expect.objectContaining({ id: itemId, status: 'pending' })] });
      expect(split.body.split.changes).toEqual([expect.objectContaining({ kind: 'split', signalItemId: itemId, fromStoryId: storyId })]);
      expect((await inbox()).some((card) => card.story.id === split.body.split.id)).toBe(true);

      // The item the story's evidence came from stays.
      const source = (await t.prisma.signalItem.findFirstOrThrow({ where: { evidenceId } })).id;
      expect((await t.http.delete(`/v1/stories/${storyId}/items/${source}`).set(auth(analyst))).status).toBe(409);
      expect((await t.http.post(`/v1/stories/${split.body.split.id}/items`).set(auth(analyst)).send({ itemId: source })).status).toBe(409);
    });

    it('retracting its evidence puts the whole story back in the inbox, as one card', async () => {
      const retracted = await t.http.post(`/v1/evidence/${evidenceId}/retract`).set(auth(analyst)).send({ reason: 'Misread the rule' });
      expect(retracted.status).toBe(200);
      const items = await t.prisma.signalItem.findMany({ where: { storyId } });
      expect(items.every((item) => item.status === 'pending' && item.evidenceId === null)).toBe(true);
      expect((await story(storyId)).status).toBe('open');
      expect((await inbox()).filter((card) => card.story.id === storyId)).toHaveLength(1);
    });
  });

  it('rejecting a story rejects every report of it', async () => {
    const response = await t.http
      .post('/v1/signals')
      .set(auth(analyst))
      .send({
        items: [
          { title: 'Huawei Ascend 910C shipments reach 8,000 servers at China Mobile', url: 'https://a.example.com/ascend-8000', publishedAt: '2026-07-01T08:00:00Z' },
          { title: '华为昇腾910C：中国移动8000台服务器部署完成', url: 'https://b.example.cn/ascend-8000', publishedAt: '2026-07-01T10:00:00Z' },
        ],
      });
    const [first, second] = response.body.createdIds as string[];
    const items = await t.prisma.signalItem.findMany({ where: { id: { in: [first!, second!] } } });
    expect(new Set(items.map((item) => item.storyId)).size).toBe(1);
    const storyId = items[0]!.storyId!;
    expect((await inbox()).filter((card) => card.story.id === storyId)).toHaveLength(1);
    const rejected = await t.http.post(`/v1/stories/${storyId}/reject`).set(auth(analyst)).send({ reason: 'Old news' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'Old news' });
    expect((rejected.body.items as Json[]).map((item): unknown => item.status)).toEqual(['rejected', 'rejected']);
    expect((await t.http.post(`/v1/signals/${second}/reject`).set(auth(analyst)).send({ reason: 'again' })).status).toBe(409);
  });

  it('ends two reports stored at the same moment by two fetchers in one story, every time', async () => {
    const repository = t.app.get(SignalItemsRepository);
    const report = (round: number, outlet: string, title: string) => ({
      dedupeKey: `concurrent:${round}:${outlet}`,
      sourceId: null,
      externalId: null,
      url: `https://${outlet}.example.com/${round}`,
      title,
      summary: `Beijing set aside ${round + 2} billion yuan on Dec ${round + 1} for compute vouchers for domestic AI chips.`,
      publishedAt: new Date(Date.UTC(2026, 11, round + 1, 9)),
      contentHash: `${round}:${outlet}`,
    });
    for (let round = 0; round < 6; round += 1) {
      const [a, b] = await Promise.all([
        repository.insertNew([report(round, 'first', `Beijing launches ${round + 2} billion yuan compute voucher scheme`)]),
        repository.insertNew([report(round, 'second', `${round + 2} billion yuan in compute vouchers from Beijing for domestic chips`)]),
      ]);
      const stored = await t.prisma.signalItem.findMany({ where: { id: { in: [a[0]!.id, b[0]!.id] } } });
      expect(stored[0]!.storyId).not.toBeNull();
      expect(stored[0]!.storyId).toBe(stored[1]!.storyId);
    }
  });

  it('ends each of a few events as one story when many fetchers store its reports at once, one report each', async () => {
    const repository = t.app.get(SignalItemsRepository);
    const EVENTS = 4;
    const OUTLETS = 6;
    // Each batch carries one report and a few items of events of their own, so batches overlap as feeds do.
    const report = (round: number, event: number, outlet: number) => ({
      dedupeKey: `crowd:${round}:${event}:${outlet}`,
      sourceId: null,
      externalId: null,
      url: `https://outlet${outlet}.example.com/${round}/${event}`,
      title:
        outlet % 2 === 0
          ? `Shenzhen launches ${event + 3}.${round + 1} billion yuan robotics fund`
          : `${event + 3}.${round + 1} billion yuan robotics fund from Shenzhen for domestic makers`,
      summary: `Shenzhen set aside ${event + 3}.${round + 1} billion yuan on Nov ${event + 10} for a robotics fund for domestic makers.`,
      publishedAt: new Date(Date.UTC(2026, 10, event + 10, 8 + outlet)),
      contentHash: `crowd:${round}:${event}:${outlet}`,
    });
    const filler = (round: number, event: number, outlet: number, index: number) => ({
      dedupeKey: `crowd-filler:${round}:${event}:${outlet}:${index}`,
      sourceId: null,
      externalId: null,
      url: `https://outlet${outlet}.example.com/${round}/${event}/other-${index}`,
      title: `Outlet ${outlet} local weather note ${round}-${event}-${index}`,
      summary: `Rain expected in district ${outlet * 100 + index} on ${event + 1} ${round + 1} days.`,
      publishedAt: new Date(Date.UTC(2026, 10, event + 10, 6)),
      contentHash: `crowd-filler:${round}:${event}:${outlet}:${index}`,
    });
    for (let round = 0; round < 3; round += 1) {
      const batches = Array.from({ length: EVENTS * OUTLETS }, (_, index) => {
        const event = index % EVENTS;
        const outlet = Math.floor(index / EVENTS);
        return [filler(round, event, outlet, 0), report(round, event, outlet), filler(round, event, outlet, 1)];
      });
      await Promise.all(batches.map((batch) => repository.insertNew(batch)));
      const stored = await t.prisma.signalItem.findMany({ where: { dedupeKey: { startsWith: `crowd:${round}:` } }, select: { dedupeKey: true, storyId: true } });
      expect(stored).toHaveLength(EVENTS * OUTLETS);
      const storiesOf = (event: number) => new Set(stored.filter((item) => item.dedupeKey.startsWith(`crowd:${round}:${event}:`)).map((item) => item.storyId));
      const stories = Array.from({ length: EVENTS }, (_, event) => storiesOf(event));
      for (const story of stories) {
        expect(story.size).toBe(1);
        expect([...story][0]).not.toBeNull();
      }
      // One story per event, not one for all: the events differ in their amounts and days.
      expect(new Set(stories.map((story) => [...story][0])).size).toBe(EVENTS);
    }
  });
});
