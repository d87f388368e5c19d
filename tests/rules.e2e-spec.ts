import { SignalItemsRepository, SignalRoutingService } from '#signals';
import { auth, createTestAppWithKeys, type TestApp } from '#test/test-app.js';

/** Rules CRUD, and how rules route items: terms, sources, enabled, and the `matches` snapshot. */
describe('rules', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => ({ t, analyst, viewer } = await createTestAppWithKeys()));
  afterAll(() => t.close());

  const createRule = (body: Record<string, unknown>) => t.http.post('/v1/rules').set(auth(analyst)).send(body);
  const submit = (items: Record<string, unknown>[]) => t.http.post('/v1/signals').set(auth(analyst)).send({ items });
  const item = (id: string) => t.prisma.signalItem.findUniqueOrThrow({ where: { id } });

  const exportControls = {
    name: 'Export controls',
    query: '"export controls" -rumour',
    indicator: 'huawei-ascend-adoption',
    impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'moderate' }],
  };

  describe('CRUD', () => {
    let ruleId: string;

    it('creates a rule, resolving the indicator and predictions by slug', async () => {
      const bifurcation = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'us-china-ai-bifurcation' } });
      const response = await createRule(exportControls);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        name: 'Export controls',
        query: '"export controls" -rumour',
        sourceIds: [],
        indicator: { slug: 'huawei-ascend-adoption', id: expect.any(String) },
        impacts: [{ prediction: bifurcation.id, direction: 'supports', strength: 'moderate' }],
        autoAccept: false,
        enabled: true,
      });
      ruleId = response.body.id;
    });

    it('lists (with the seeded starter rules) and gets it', async () => {
      const list = await t.http.get('/v1/rules').set(auth(analyst));
      expect(list.status).toBe(200);
      expect(list.body.items.map((rule: { name: string }) => rule.name)).toEqual(
        expect.arrayContaining(['Export controls', 'Huawei Ascend adoption', 'DeepSeek hardware hiring', 'Chinese AI chip subsidies']),
      );
      const one = await t.http.get(`/v1/rules/${ruleId}`).set(auth(analyst));
      expect(one.body.name).toBe('Export controls');
      const disabledOnly = await t.http.get('/v1/rules?enabled=false').set(auth(analyst));
      expect(disabledOnly.body.items).toEqual([]);
    });

    it('updates only what is sent, and can remove the indicator', async () => {
      const renamed = await t.http.patch(`/v1/rules/${ruleId}`).set(auth(analyst)).send({ name: 'Export controls (US)', indicator: null });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Export controls (US)', indicator: null, query: '"export controls" -rumour' });
      expect(renamed.body.impacts).toHaveLength(1);
      const back = await t.http.patch(`/v1/rules/${ruleId}`).set(auth(analyst)).send({ name: 'Export controls', indicator: 'huawei-ascend-adoption' });
      expect(back.body.indicator.slug).toBe('huawei-ascend-adoption');
    });

    it('refuses a second rule with the same name with 409', async () => {
      const response = await createRule(exportControls);
      expect(response.status).toBe(409);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    });

    it('deletes a rule', async () => {
      const created = await createRule({ ...exportControls, name: 'Short-lived' });
      expect((await t.http.delete(`/v1/rules/${created.body.id}`).set(auth(analyst))).status).toBe(204);
      expect((await t.http.get(`/v1/rules/${created.body.id}`).set(auth(analyst))).status).toBe(404);
      expect((await t.http.delete(`/v1/rules/${created.body.id}`).set(auth(analyst))).status).toBe(404);
    });

    it.each([
      [{ ...exportControls, name: 'x1', impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'huge' }] }, 'impacts[0].strength'],
      [{ ...exportControls, name: 'x2', impacts: [{ prediction: 'us-china-ai-bifurcation', direction: 'upwards', strength: 'weak' }] }, 'impacts[0].direction'],
      [{ ...exportControls, name: 'x3', query: 42 }, 'query'],
      [{ ...exportControls, name: 'x4', query: '(export OR' }, 'query'],
      [{ ...exportControls, name: 'x5', query: '-rumour' }, 'query'],
      [{ ...exportControls, name: 'x5b', query: 'the of' }, 'query'],
      [{ ...exportControls, name: 'x5c', query: undefined }, 'query'],
      [{ ...exportControls, name: 'x6', autoAccept: true, impacts: [] }, 'autoAccept'],
      [{ ...exportControls, name: 'x7', sourceIds: ['not-a-uuid'] }, 'sourceIds'],
      [{ ...exportControls, name: '' }, 'name'],
      [{ ...exportControls, name: 'x8', enabled: 'yes' }, 'enabled'],
      [
        {
          ...exportControls,
          name: 'x9',
          impacts: [
            { prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'weak' },
            { prediction: 'us-china-ai-bifurcation', direction: 'contradicts', strength: 'weak' },
          ],
        },
        'impacts[1].prediction',
      ],
    ])('refuses %j with 400 naming %s', async (body, field) => {
      const response = await createRule(body);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('404s unknown predictions, indicators, sources and rules, naming the field', async () => {
      const prediction = await createRule({ ...exportControls, name: 'y1', impacts: [{ prediction: 'nope', direction: 'supports', strength: 'weak' }] });
      expect(prediction.status).toBe(404);
      expect(prediction.body.errors[0].field).toBe('impacts[0].prediction');
      const indicator = await createRule({ ...exportControls, name: 'y2', indicator: 'nope' });
      expect(indicator.status).toBe(404);
      expect(indicator.body.errors[0].field).toBe('indicator');
      const source = await createRule({ ...exportControls, name: 'y3', sourceIds: ['01900000-0000-7000-8000-000000000000'] });
      expect(source.status).toBe(404);
      expect(source.body.errors[0].field).toBe('sourceIds[0]');
      const missing = '01900000-0000-7000-8000-000000000001';
      expect((await t.http.get(`/v1/rules/${missing}`).set(auth(analyst))).status).toBe(404);
      expect((await t.http.patch(`/v1/rules/${missing}`).set(auth(analyst)).send({ enabled: false })).status).toBe(404);
      expect((await t.http.get('/v1/rules/not-a-uuid').set(auth(analyst))).status).toBe(400);
    });

    it('names the field and the position of a query that does not parse', async () => {
      const response = await t.http.patch(`/v1/rules/${ruleId}`).set(auth(analyst)).send({ query: 'export (controls OR curbs' });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'query', message: 'query: unclosed ( at position 8' }]);
    });

    it('still takes the deprecated term lists, turning them into a query', async () => {
      const response = await createRule({ name: 'Legacy terms', allTerms: ['entity list'], anyTerms: ['deepseek', 'high-flyer'], noneTerms: ['rumour'] });
      expect(response.status).toBe(201);
      expect(response.body.query).toBe('"entity list" ("deepseek" OR "high-flyer") -"rumour"');
      await t.http.delete(`/v1/rules/${response.body.id}`).set(auth(analyst));
    });

    it('is for analysts only', async () => {
      expect((await t.http.get('/v1/rules').set(auth(viewer))).status).toBe(403);
      expect((await t.http.post('/v1/rules').set(auth(viewer)).send(exportControls)).status).toBe(403);
    });
  });

  describe('matching', () => {
    it('routes case-insensitive word matches with exclusions, and stores the match snapshot', async () => {
      const response = await submit([
        { title: 'New EXPORT CONTROLS announced', summary: 'The Commerce department acted.' },
        { title: 'Export controls rumour denied' },
        { title: 'Weather report', summary: 'Sunny with export of nothing' },
        { title: 'Analysts weigh in', summary: 'On the new export\ncontrols regime' },
      ]);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ received: 4, new: 4, duplicates: 0, matched: 2 });
      const [upper, rumour, weather, wrapped] = await Promise.all(response.body.createdIds.map(item));
      expect(upper!.status).toBe('pending');
      expect(rumour!.status).toBe('unmatched');
      expect(weather!.status).toBe('unmatched');
      expect(wrapped!.status).toBe('pending');
      expect(upper!.matches).toEqual([
        {
          ruleId: expect.any(String),
          ruleName: 'Export controls',
          indicator: { id: expect.any(String), slug: 'huawei-ascend-adoption' },
          impacts: [{ prediction: expect.any(String), predictionSlug: 'us-china-ai-bifurcation', direction: 'supports', strength: 'moderate' }],
          autoAccept: false,
          terms: ['export controls'],
        },
      ]);
    });

    it('does not route with a disabled rule', async () => {
      const rules = await t.http.get('/v1/rules').set(auth(analyst));
      const rule = rules.body.items.find((r: { name: string }) => r.name === 'Export controls');
      await t.http.patch(`/v1/rules/${rule.id}`).set(auth(analyst)).send({ enabled: false });
      const response = await submit([{ title: 'More export controls on the way' }]);
      expect(response.body.matched).toBe(0);
      await t.http.patch(`/v1/rules/${rule.id}`).set(auth(analyst)).send({ enabled: true });
      const again = await submit([{ title: 'Even more export controls on the way' }]);
      expect(again.body.matched).toBe(1);
    });

    it('limits a rule to its sources when routing fetched items', async () => {
      const source = await t.prisma.source.create({ data: { name: 'Wire', kind: 'feed', url: 'http://127.0.0.1:1/feed.xml' } });
      const created = await createRule({
        name: 'Wire only',
        query: 'lithography',
        sourceIds: [source.id],
        impacts: [{ prediction: 'china-alt-compute-acceleration', direction: 'supports', strength: 'weak' }],
      });
      expect(created.status).toBe(201);
      expect(created.body.sourceIds).toEqual([source.id]);

      // A manual item has no source: the rule does not apply to it.
      const manual = await submit([{ title: 'Domestic lithography milestone' }]);
      expect(manual.body.matched).toBe(0);

      // A fetched item from that source, routed the way feed ingestion does it.
      const fetched = await t.app.get(SignalItemsRepository).insertNew(
        [
          { key: 'guid-1', title: 'Lithography breakthrough in Shanghai', contentHash: 'h1' },
          { key: 'guid-2', title: 'Nothing relevant', contentHash: 'h2' },
        ].map(({ key, title, contentHash }) => ({ sourceId: source.id, dedupeKey: `${source.id}:${key}`, externalId: key, url: null, title, summary: null, publishedAt: null, contentHash })),
      );
      const outcome = await t.app.get(SignalRoutingService).route(fetched);
      expect(outcome).toEqual({ matched: 1, unmatched: 1, autoAccepted: 0, suggested: 0 });
      const routed = await item(fetched[0]!.id);
      expect(routed.status).toBe('pending');
      expect(routed.matches).toEqual([expect.objectContaining({ ruleName: 'Wire only', indicator: null })]);
      expect((await item(fetched[1]!.id)).status).toBe('unmatched');
    });

    it('stems word forms, announces each newly pending item once, previews and reruns', async () => {
      const rule = await createRule({ name: 'Subsidies', query: 'subsid* (chip* OR semiconductor*) -intel', impacts: [] });
      expect(rule.status).toBe(201);
      // Published weeks apart: two cities' subsidies, not two reports of one story (which would be announced once).
      const response = await submit([
        { title: 'Hangzhou subsidizes domestic chips', publishedAt: '2026-03-01T00:00:00Z' },
        { title: 'US subsidises Intel chip plant', publishedAt: '2026-04-01T00:00:00Z' },
        { title: 'Guangdong semiconductor subsidies grow', publishedAt: '2026-05-01T00:00:00Z' },
      ]);
      expect(response.body.matched).toBe(2);
      const events = await t.prisma.outboxEvent.findMany({ where: { type: 'signal.pending_review' } });
      const announced = events.filter((event) => response.body.createdIds.includes((event.payload as { signalItemId: string }).signalItemId));
      expect(announced).toHaveLength(2);
      // Routing the same items again announces nothing new.
      await t.app.get(SignalRoutingService).route(await t.prisma.signalItem.findMany({ where: { id: { in: response.body.createdIds } } }));
      expect(await t.prisma.outboxEvent.count({ where: { type: 'signal.pending_review' } })).toBe(events.length);

      const preview = await t.http.post('/v1/rules/preview').set(auth(analyst)).send({ query: 'subsid* intel' });
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ count: 1, accepted: 0, rejected: 0, precision: null });
      expect(preview.body.items[0].highlight).toContain('<mark>Intel</mark>');
      const bad = await t.http.post('/v1/rules/preview').set(auth(analyst)).send({ query: 'subsid* OR' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toEqual({ field: 'query', message: 'query: OR needs something after it at position 11' });

      const intel = await createRule({ name: 'Intel', query: 'intel subsid*', impacts: [] });
      const rerun = await t.http.post(`/v1/rules/${intel.body.id}/rerun`).set(auth(analyst)).send({ since: '2000-01-01T00:00:00Z' });
      expect(rerun.status).toBe(200);
      expect(rerun.body.matched).toBeGreaterThanOrEqual(1);
      expect((await item(response.body.createdIds[1])).status).toBe('pending');
    });
  });
});
