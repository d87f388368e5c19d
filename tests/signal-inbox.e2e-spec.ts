import { SignalItemsRepository, SignalRoutingService, UNROUTED_GRACE_MS } from '#signals';
import { auth, createTestAppWithKeys, type TestApp } from '#test/test-app.js';

/** The review inbox (accept, reject, auto-accept) and manual bulk submission. */
describe('signals: review inbox and manual submission', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => ({ t, analyst, viewer } = await createTestAppWithKeys()));
  afterAll(() => t.close());

  const submit = (items: Record<string, unknown>[]) => t.http.post('/v1/signals').set(auth(analyst)).send({ items });
  const accept = (id: string, body: Record<string, unknown> = {}) => t.http.post(`/v1/signals/${id}/accept`).set(auth(analyst)).send(body);
  const reject = (id: string, body: Record<string, unknown>) => t.http.post(`/v1/signals/${id}/reject`).set(auth(analyst)).send(body);
  const logOdds = async (slug: string) => (await t.prisma.prediction.findUniqueOrThrow({ where: { slug } })).logOdds;
  /**
   * A new item matching the seeded "Huawei Ascend adoption" rule (supports us-china-ai-bifurcation, weak), each
   * published four days after the one before: a story of its own, not another report of the last one.
   */
  let counter = 0;
  const publishedAt = (n: number) => new Date(Date.UTC(2026, 0, 5 + (n - 1) * 4, 10)).toISOString();
  const pendingItem = async (): Promise<string> => {
    counter += 1;
    const response = await submit([{ title: `Huawei Ascend 910C adoption grows, report ${counter}`, url: `https://news.example.com/ascend/${counter}`, publishedAt: publishedAt(counter) }]);
    expect(response.body).toMatchObject({ new: 1, matched: 1 });
    return response.body.createdIds[0] as string;
  };

  describe('inbox', () => {
    it('lists pending items with their matches, for viewers too', async () => {
      const id = await pendingItem();
      await submit([{ title: 'Unrelated gardening news' }]);
      const response = await t.http.get('/v1/signals?status=pending').set(auth(viewer));
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([
        expect.objectContaining({
          id,
          sourceId: null,
          title: 'Huawei Ascend 910C adoption grows, report 1',
          url: 'https://news.example.com/ascend/1',
          publishedAt: '2026-01-05T10:00:00.000Z',
          status: 'pending',
          matches: [
            expect.objectContaining({
              ruleName: 'Huawei Ascend adoption',
              indicator: expect.objectContaining({ slug: 'huawei-ascend-adoption' }),
              impacts: [expect.objectContaining({ predictionSlug: 'us-china-ai-bifurcation', direction: 'supports', strength: 'weak' })],
            }),
          ],
        }),
      ]);
      const unmatched = await t.http.get('/v1/signals?status=unmatched').set(auth(viewer));
      expect(unmatched.body.items.map((item: { title: string }) => item.title)).toEqual(['Unrelated gardening news']);
      expect((await t.http.get(`/v1/signals/${id}`).set(auth(viewer))).body.id).toBe(id);
    });

    it('accepts an item as evidence with the rules\' impacts, once', async () => {
      const id = await pendingItem();
      const before = await logOdds('us-china-ai-bifurcation');
      const response = await accept(id);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        evidenceId: expect.any(String),
        impacts: [expect.objectContaining({ slug: 'us-china-ai-bifurcation', likelihoodRatio: 1.5 })],
        signal: { id, status: 'accepted', reviewedBy: expect.stringMatching(/^user:/) },
      });
      expect((await logOdds('us-china-ai-bifurcation')) - before).toBeCloseTo(Math.log(1.5), 10);
      const evidence = await t.prisma.evidence.findUniqueOrThrow({ where: { id: response.body.evidenceId } });
      expect(evidence).toMatchObject({ signalItemId: id, sourceUrl: `https://news.example.com/ascend/${counter}`, summary: expect.stringContaining('Huawei Ascend') });
      expect(evidence.observedAt.toISOString()).toBe(publishedAt(counter));

      const again = await accept(id);
      expect(again.status).toBe(409);
      expect(await t.prisma.evidence.count({ where: { signalItemId: id } })).toBe(1);
    });

    it('turns concurrent accepts of one item into exactly one evidence record', async () => {
      const id = await pendingItem();
      const responses = await Promise.all(Array.from({ length: 6 }, () => accept(id)));
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect(await t.prisma.evidence.count({ where: { signalItemId: id } })).toBe(1);
      const item = await t.prisma.signalItem.findUniqueOrThrow({ where: { id } });
      expect(item.evidenceId).toBe(responses.find((response) => response.status === 201)!.body.evidenceId);
    });

    it('lets the reviewer adjust the impacts', async () => {
      const id = await pendingItem();
      const before = { parity: await logOdds('china-domain-parity'), bifurcation: await logOdds('us-china-ai-bifurcation') };
      const response = await accept(id, {
        impacts: [
          { prediction: 'china-domain-parity', direction: 'contradicts', strength: 'strong' },
          { prediction: 'us-china-ai-bifurcation', likelihoodRatio: 2 },
        ],
        reliability: 0.5,
        summary: 'Reviewed: adoption is real',
      });
      expect(response.status).toBe(201);
      expect((await logOdds('china-domain-parity')) - before.parity).toBeCloseTo(0.5 * Math.log(0.1), 10);
      expect((await logOdds('us-china-ai-bifurcation')) - before.bifurcation).toBeCloseTo(0.5 * Math.log(2), 10);
      expect((await t.prisma.evidence.findUniqueOrThrow({ where: { id: response.body.evidenceId } })).summary).toBe('Reviewed: adoption is real');
    });

    it.each([
      [{ impacts: [{ prediction: 'china-domain-parity', direction: 'supports', strength: 'huge' }] }, 400, 'impacts[0].strength'],
      [{ impacts: [{ prediction: 'china-domain-parity', direction: 'sideways', strength: 'weak' }] }, 400, 'impacts[0].direction'],
      [{ impacts: [{ prediction: 'china-domain-parity', likelihoodRatio: 500 }] }, 400, 'impacts[0].likelihoodRatio'],
      [{ impacts: [{ prediction: 'china-domain-parity' }] }, 400, 'impacts[0].direction'],
      [{ impacts: [] }, 400, 'impacts'],
      [{ reliability: 2 }, 400, 'reliability'],
      [{ impacts: [{ prediction: 'no-such-prediction', direction: 'supports', strength: 'weak' }] }, 404, 'impacts[0].prediction'],
    ])('refuses accepting with %j: %d naming %s, and the item stays pending', async (body, status, field) => {
      const id = await pendingItem();
      const response = await accept(id, body);
      expect(response.status).toBe(status);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect((await t.prisma.signalItem.findUniqueOrThrow({ where: { id } })).status).toBe('pending');
      expect(await t.prisma.evidence.count({ where: { signalItemId: id } })).toBe(0);
    });

    it('needs impacts to accept an item no rule matched', async () => {
      const response = await submit([{ title: 'A story no rule knows about' }]);
      const id = response.body.createdIds[0];
      const refused = await accept(id);
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].field).toBe('impacts');
      const accepted = await accept(id, { impacts: [{ prediction: 'china-domain-parity', direction: 'supports', strength: 'weak' }] });
      expect(accepted.status).toBe(201);
    });

    it('rejects with a reason and keeps the item; a rejected item can still be accepted, an accepted one not rejected', async () => {
      const id = await pendingItem();
      expect((await reject(id, {})).body.errors[0].field).toBe('reason');
      expect((await reject(id, { reason: '   ' })).status).toBe(400);
      const rejected = await reject(id, { reason: 'Press release, no deployment' });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({ id, status: 'rejected', rejectionReason: 'Press release, no deployment' });
      expect((await reject(id, { reason: 'again' })).status).toBe(409);
      const listed = await t.http.get('/v1/signals?status=rejected').set(auth(viewer));
      expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(id);

      expect((await accept(id)).status).toBe(201);
      expect((await reject(id, { reason: 'changed my mind' })).status).toBe(409);
    });

    it('404s unknown items, 400s malformed ids, and keeps viewers from reviewing', async () => {
      const missing = '01900000-0000-7000-8000-000000000000';
      expect((await accept(missing)).status).toBe(404);
      expect((await reject(missing, { reason: 'x' })).status).toBe(404);
      expect((await t.http.get(`/v1/signals/${missing}`).set(auth(viewer))).status).toBe(404);
      const malformed = await accept('not-a-uuid');
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0].field).toBe('id');
      const id = await pendingItem();
      expect((await t.http.post(`/v1/signals/${id}/accept`).set(auth(viewer)).send({})).status).toBe(403);
      expect((await t.http.get('/v1/signals?status=maybe').set(auth(viewer))).status).toBe(400);
    });

    it('accepts at once when a matching rule auto-accepts, as the system', async () => {
      const rule = await t.http
        .post('/v1/rules')
        .set(auth(analyst))
        .send({ name: 'Entity list', anyTerms: ['entity list'], autoAccept: true, impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'moderate' }] });
      expect(rule.status).toBe(201);
      const before = await logOdds('deepseek-blacklisted-12m');
      const response = await submit([{ title: 'DeepSeek added to the Entity List' }, { title: 'Nothing to see' }]);
      expect(response.body).toMatchObject({ new: 2, matched: 1, autoAccepted: 1 });
      const item = await t.prisma.signalItem.findUniqueOrThrow({ where: { id: response.body.createdIds[0] } });
      expect(item).toMatchObject({ status: 'accepted', reviewedBy: 'system:auto-accept', evidenceId: expect.any(String) });
      const evidence = await t.prisma.evidence.findUniqueOrThrow({ where: { id: item.evidenceId! } });
      expect(evidence.actor).toBe('system:auto-accept');
      expect((await logOdds('deepseek-blacklisted-12m')) - before).toBeCloseTo(Math.log(3), 10);
    });

    it('routes items a crash left stored but unrouted, once, however many sweeps run at once', async () => {
      // What a process killed between storing and routing leaves behind: the items, with routedAt still null.
      // (Published months before the other tests' items: not reports of the same events.)
      const stored = await t.app.get(SignalItemsRepository).insertNew(
        ['DeepSeek stays on the Entity List', 'Huawei Ascend shipments double', 'A quiet day in the garden'].map((title) => ({
          dedupeKey: `manual:crash-${title}`,
          sourceId: null,
          externalId: null,
          url: null,
          title,
          summary: null,
          publishedAt: new Date('2025-06-01T00:00:00Z'),
          contentHash: title,
        })),
      );
      const ids = stored.map((item) => item.id);
      const before = await logOdds('deepseek-blacklisted-12m');
      const routing = t.app.get(SignalRoutingService);
      // Within the grace period the sweep leaves them to the process that stored them.
      expect(await routing.sweepUnrouted()).toBe(0);
      await t.prisma.signalItem.updateMany({ where: { id: { in: ids } }, data: { createdAt: new Date(Date.now() - 2 * UNROUTED_GRACE_MS) } });

      const swept = await Promise.all([routing.sweepUnrouted(), routing.sweepUnrouted(), routing.sweepUnrouted()]);
      expect(swept.some((count) => count === 3)).toBe(true);
      const items = await t.prisma.signalItem.findMany({ where: { id: { in: ids } }, orderBy: { title: 'asc' } });
      expect(items.map((item) => [item.title, item.status, item.routedAt !== null])).toEqual([
        ['A quiet day in the garden', 'unmatched', true],
        ['DeepSeek stays on the Entity List', 'accepted', true],
        ['Huawei Ascend shipments double', 'pending', true],
      ]);
      // The auto-accepting rule moved the prediction once, not once per sweep.
      expect(await t.prisma.evidence.count({ where: { signalItemId: { in: ids } } })).toBe(1);
      expect((await logOdds('deepseek-blacklisted-12m')) - before).toBeCloseTo(Math.log(3), 10);
      expect(await routing.sweepUnrouted(new Date(Date.now() + 2 * UNROUTED_GRACE_MS))).toBe(0);
    });
  });

  describe('manual submission', () => {
    const batch = (size: number, tag: string) =>
      Array.from({ length: size }, (_, index) => ({
        title: index % 10 === 0 ? `Ascend adoption by Huawei customers ${tag} ${index}` : `Market note ${tag} ${index}`,
        summary: `Summary ${index}`,
        // Half carry a URL (deduped by canonical URL), half only text (deduped by content hash).
        ...(index % 2 === 0 ? { url: `https://example.com/${tag}/${index}?utm_source=feed` } : {}),
        publishedAt: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString(),
      }));

    it('stores 1,000 items at once and routes them; resubmitting stores nothing new', async () => {
      const items = batch(1000, 'bulk');
      const first = await submit(items);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ received: 1000, new: 1000, duplicates: 0, matched: 100 });
      expect(first.body.createdIds).toHaveLength(1000);
      // Ids are time-ordered in submission order, so the inbox pages through a batch as it was sent.
      expect([...first.body.createdIds].sort()).toEqual(first.body.createdIds);
      const stored = await t.prisma.signalItem.findMany({ where: { id: { in: first.body.createdIds.slice(0, 3) } }, orderBy: { id: 'asc' } });
      expect(stored.map((row) => row.title)).toEqual([items[0]!.title, items[1]!.title, items[2]!.title]);
      expect(stored[0]).toMatchObject({ sourceId: null, summary: 'Summary 0', url: items[0]!.url, dedupeKey: 'manual:https://example.com/bulk/0' });
      expect(stored[0]!.publishedAt!.toISOString()).toBe(items[0]!.publishedAt);
      expect(stored[1]!.dedupeKey).toMatch(/^manual:[0-9a-f]{64}$/);
      expect(await t.prisma.signalItem.count({ where: { title: { contains: 'bulk' } } })).toBe(1000);
      expect(await t.prisma.signalItem.count({ where: { title: { contains: 'bulk' }, status: 'pending' } })).toBe(100);

      const second = await submit(items);
      expect(second.body).toMatchObject({ received: 1000, new: 0, duplicates: 1000, matched: 0, createdIds: [] });
      expect(await t.prisma.signalItem.count({ where: { title: { contains: 'bulk' } } })).toBe(1000);
    });

    it('treats links that differ only in tracking, fragment or host case as one item, and text-only repeats by content', async () => {
      const response = await submit([
        { title: 'Canonical story', url: 'https://Example.com/canonical?id=1&utm_medium=x#comments' },
        { title: 'Canonical story, retitled', url: 'https://example.com/canonical?id=1' },
        { title: 'Text only', summary: 'Same  words' },
        { title: 'TEXT ONLY', summary: 'same words' },
      ]);
      expect(response.body).toMatchObject({ received: 4, new: 2, duplicates: 2 });
    });

    it('stores each item once when the same batch is submitted concurrently', async () => {
      const items = batch(200, 'race');
      const responses = await Promise.all([submit(items), submit(items), submit(items)]);
      expect(responses.map((response) => response.status)).toEqual([201, 201, 201]);
      expect(responses.reduce((sum, response) => sum + (response.body.new as number), 0)).toBe(200);
      expect(responses.reduce((sum, response) => sum + (response.body.matched as number), 0)).toBe(20);
      expect(await t.prisma.signalItem.count({ where: { title: { contains: 'race' } } })).toBe(200);
    });

    it.each([
      ['items[3].url', (items: Record<string, unknown>[]) => ((items[3]!.url = 'not a url'), items)],
      ['items[3].url', (items: Record<string, unknown>[]) => ((items[3]!.url = 'ftp://example.com/x'), items)],
      ['items[2].title', (items: Record<string, unknown>[]) => (delete items[2]!.title, items)],
      ['items[2].title', (items: Record<string, unknown>[]) => ((items[2]!.title = '   '), items)],
      ['items[1].publishedAt', (items: Record<string, unknown>[]) => ((items[1]!.publishedAt = 'soon'), items)],
      ['items[4].colour', (items: Record<string, unknown>[]) => ((items[4]!.colour = 'red'), items)],
      ['items[0].summary', (items: Record<string, unknown>[]) => ((items[0]!.summary = 42), items)],
    ])('refuses a batch whose %s is bad with 400 naming it, storing nothing', async (field, spoil) => {
      const before = await t.prisma.signalItem.count();
      const response = await submit(spoil(batch(5, `bad${Math.random()}`)));
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(await t.prisma.signalItem.count()).toBe(before);
    });

    it.each([
      [{ items: [] }, 'items'],
      [{ items: 'many' }, 'items'],
      [{}, 'items'],
      [{ items: [null] }, 'items'],
      [{ items: ['a title'] }, 'items'],
      [{ items: batch(1001, 'toomany') }, 'items'],
    ])('refuses bad body #%# with 400 naming the field, never 500', async (body, field) => {
      const response = await t.http.post('/v1/signals').set(auth(analyst)).send(body);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field.replace(/\[\d+\]$/, ''))).toContain(field);
    });

    it('is for analysts', async () => {
      expect((await t.http.post('/v1/signals').set(auth(viewer)).send({ items: [{ title: 'x' }] })).status).toBe(403);
    });

    it.each([
      ['put', '/v1/indicators/huawei-ascend-adoption/links', { links: [null] }],
      ['put', '/v1/indicators/huawei-ascend-adoption/links', [1, 2]],
      // JSON.parse reads 1e400 as Infinity.
      ['post', '/v1/indicators/huawei-ascend-adoption/readings', '{"value": 1e400, "observedAt": "2026-01-01T00:00:00Z"}'],
      ['post', '/v1/indicators/huawei-ascend-adoption/readings', { value: 1, observedAt: '2026-02-30T00:00:00Z' }],
      ['post', '/v1/rules', { name: 'odd', anyTerms: ['x'], impacts: [null] }],
      ['post', '/v1/rules', { name: 'odd', anyTerms: [null] }],
      ['post', '/v1/rules', { name: 'odd', anyTerms: ['x'], indicator: 42 }],
      ['post', '/v1/signals/01900000-0000-7000-8000-000000000000/accept', { impacts: [null] }],
      ['post', '/v1/signals/01900000-0000-7000-8000-000000000000/reject', { reason: ['a'] }],
      ['get', '/v1/signals?sourceId=nope', undefined],
      ['get', '/v1/indicators/huawei-ascend-adoption/readings?from=yesterday', undefined],
    ] as const)('answers %s %s with odd input %j as a 4xx problem, never a 500', async (method, url, body) => {
      const call = t.http[method](url).set(auth(analyst)).set('Content-Type', 'application/json');
      const response = body === undefined ? await call : await call.send(body as string | object);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('is documented in the OpenAPI document', async () => {
      const openapi = await t.http.get('/openapi.json');
      expect(Object.keys(openapi.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/signals',
          '/v1/signals/{id}',
          '/v1/signals/{id}/accept',
          '/v1/signals/{id}/reject',
          '/v1/rules',
          '/v1/rules/{id}',
          '/v1/indicators/{idOrSlug}/readings',
          '/v1/indicators/{idOrSlug}/links',
        ]),
      );
    });
  });
});
