import { serve, startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';

interface Item {
  id: string;
  title: string;
  status: string;
  matchedTerms: string[];
  matches: { ruleName: string; indicator: { slug: string } | null; terms: string[] }[];
}

/** A Chinese item among English ones, as a Chinese news feed would carry it. */
const CHINESE_FEED = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>科技新闻</title>
<item><guid>zh-1</guid><title>深度求索招聘芯片验证工程师</title><link>/zh/1</link><pubDate>Mon, 07 Dec 2026 08:00:00 GMT</pubDate>
<description>深度求索发布新一批硬件岗位，寻找具备芯片验证和物理设计经验的工程师，工作地点为杭州。</description></item>
<item><guid>zh-2</guid><title>哈尔滨冰雪大世界开园</title><link>/zh/2</link><description>今年园区面积扩大，新增多个冰雕景观。</description></item>
</channel></rss>`;

/** Term sets over HTTP and how rules use them: CRUD and roles, versions, previews, deletion, and Chinese end to end. */
describe('term sets', () => {
  let t: TestApp;
  let admin: string;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp();
    [admin, analyst, viewer] = await Promise.all([t.keyFor('admin'), t.keyFor('analyst'), t.keyFor('viewer')]);
  });
  afterAll(() => t.close());

  const createSet = (body: Record<string, unknown>, key = admin) => t.http.post('/v1/term-sets').set(auth(key)).send(body);
  const updateSet = (name: string, body: Record<string, unknown>, key = admin) => t.http.patch(`/v1/term-sets/${name}`).set(auth(key)).send(body);
  const createRule = async (body: Record<string, unknown>): Promise<{ id: string }> => {
    const response = await t.http.post('/v1/rules').set(auth(analyst)).send({ impacts: [{ prediction: 'china-domain-parity', direction: 'supports', strength: 'weak' }], ...body });
    expect(response.status).toBe(201);
    return response.body as { id: string };
  };
  const submit = async (items: Record<string, unknown>[]): Promise<string[]> => {
    const response = await t.http.post('/v1/signals').set(auth(analyst)).send({ items });
    expect(response.status).toBe(201);
    return response.body.createdIds as string[];
  };
  const item = async (id: string): Promise<Item> => (await t.http.get(`/v1/signals/${id}`).set(auth(viewer))).body as Item;

  describe('CRUD, roles and versions', () => {
    it('lets anyone read the seeded sets and shows which rules use them', async () => {
      const list = await t.http.get('/v1/term-sets?limit=200').set(auth(viewer));
      expect(list.status).toBe(200);
      expect(list.body.items.map((set: { name: string }) => set.name)).toEqual(expect.arrayContaining(['deepseek', 'hiring', 'chinese_places', 'curbs', 'negation']));
      const deepseek = await t.http.get('/v1/term-sets/deepseek').set(auth(viewer));
      expect(deepseek.status).toBe(200);
      expect(deepseek.body).toMatchObject({ name: 'deepseek', version: 1, updatedBy: 'system:seed', terms: expect.arrayContaining(['deepseek', '"high-flyer"', '深度求索', '幻方']) });
      expect(deepseek.body.rules).toEqual(expect.arrayContaining([{ id: expect.any(String), name: 'DeepSeek hardware hiring', enabled: true }]));
    });

    it('lets only admins write, keeping every version', async () => {
      const body = { name: 'gadget_words', description: 'Gadgets', terms: ['zorblax', 'gizmo*', '"widget press"'] };
      expect((await createSet(body, viewer)).status).toBe(403);
      expect((await createSet(body, analyst)).status).toBe(403);
      const created = await createSet(body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'gadget_words', description: 'Gadgets', terms: ['zorblax', 'gizmo*', '"widget press"'], version: 1, rules: [] });
      expect((await createSet(body)).status).toBe(409);

      expect((await updateSet('gadget_words', { terms: ['zorblax'] }, analyst)).status).toBe(403);
      const updated = await updateSet('gadget_words', { terms: ['zorblax', '装置'] });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ version: 2, description: 'Gadgets', terms: ['zorblax', '装置'] });
      // The same content again is not a new version.
      expect((await updateSet('gadget_words', { terms: ['zorblax', '装置'], description: 'Gadgets' })).body.version).toBe(2);

      const revisions = await t.http.get('/v1/term-sets/gadget_words/revisions').set(auth(viewer));
      expect(revisions.status).toBe(200);
      expect(revisions.body.items).toEqual([
        expect.objectContaining({ version: 1, terms: ['zorblax', 'gizmo*', '"widget press"'], description: 'Gadgets', editedBy: expect.stringMatching(/^user:/) }),
        expect.objectContaining({ version: 2, terms: ['zorblax', '装置'] }),
      ]);
      expect((await t.http.get('/v1/term-sets/no_such_set').set(auth(viewer))).status).toBe(404);
    });

    it.each([
      [{ name: 'Bad-Name', terms: ['x'] }, 'name', /lower-case letters, digits and underscores/],
      [{ name: 'ok_name', terms: [] }, 'terms', /at least 1/],
      [{ name: 'ok_name', terms: ['"entity list"', 'entity list'] }, 'terms', /terms\[1\]: a term is one word, prefix\* or "phrase": quote several words as a phrase/],
      [{ name: 'ok_name', terms: ['@hiring'] }, 'terms', /not other sets/],
      [{ name: 'ok_name', terms: ['  '] }, 'terms', /blank/],
      [{ name: 'ok_name', terms: ['x'.repeat(101)] }, 'terms', /shorter than or equal to 100/],
      [{ name: 'ok_name', terms: Array.from({ length: 501 }, (_, index) => `w${index}`) }, 'terms', /no more than 500/],
      [{ name: 'ok_name', terms: ['chip', 'the'] }, 'terms[1]', /"the" has no words to search for besides stop words/],
    ])('refuses %j with a 400 naming the field', async (body, field, message) => {
      const response = await createSet(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
    });
  });

  describe('in rule queries', () => {
    it('refuses a query naming a set that does not exist, naming the set and its position', async () => {
      const response = await t.http.post('/v1/rules').set(auth(analyst)).send({ name: 'Unknown set', query: 'chip* @no_such_set' });
      expect(response.status).toBe(400);
      expect(response.body.type).toMatch(/unknown-term-set$/);
      expect(response.body.errors).toEqual([{ field: 'query', message: 'query: unknown term set "@no_such_set" at position 7' }]);

      const preview = await t.http.post('/v1/rules/preview').set(auth(analyst)).send({ query: '(@deepseek OR @nope) chip*' });
      expect(preview.status).toBe(400);
      expect(preview.body.errors).toEqual([{ field: 'query', message: 'query: unknown term set "@nope" at position 15' }]);

      const search = await t.http.get('/v1/signals').query({ q: '@nope' }).set(auth(viewer));
      expect(search.status).toBe(400);
      expect(search.body.errors).toEqual([{ field: 'q', message: 'q: unknown term set "@nope" at position 1' }]);
    });

    it('routes the next items with a set as it is now: an edit needs no rule edit', async () => {
      await createSet({ name: 'novelty_words', terms: ['zibbet'] });
      await createRule({ name: 'Novelties', query: '@novelty_words (launch* OR 发布)' });
      const [first, second] = await submit([{ title: 'Zibbet launches in Europe' }, { title: 'Quorpal launches in Asia' }]);
      expect(await item(first!)).toMatchObject({ status: 'pending', matchedTerms: expect.arrayContaining(['zibbet', 'launch*']) });
      expect((await item(second!)).matches).toEqual([]);

      expect((await updateSet('novelty_words', { terms: ['zibbet', 'quorpal', '奎泊'] })).status).toBe(200);
      const [third, fourth] = await submit([{ title: 'Quorpal launches in Africa' }, { title: '奎泊发布新品' }]);
      expect(await item(third!)).toMatchObject({ status: 'pending', matchedTerms: expect.arrayContaining(['quorpal']) });
      expect(await item(fourth!)).toMatchObject({ status: 'pending', matchedTerms: expect.arrayContaining(['奎泊', '发布']) });
      // Items routed before the edit keep their decision until they are routed again.
      expect((await item(second!)).matches).toEqual([]);
    });

    it('refuses to delete a set an enabled rule uses, naming the rule, and deletes it once the rule is disabled', async () => {
      await createSet({ name: 'doomed_words', terms: ['blorft'] });
      const rule = await createRule({ name: 'Doomed', query: '@doomed_words' });
      const refused = await t.http.delete('/v1/term-sets/doomed_words').set(auth(admin));
      expect(refused.status).toBe(409);
      expect(refused.body.type).toMatch(/term-set-in-use$/);
      expect(refused.body.detail).toContain('"Doomed"');
      expect((await t.http.delete('/v1/term-sets/doomed_words').set(auth(analyst))).status).toBe(403);

      expect((await t.http.patch(`/v1/rules/${rule.id}`).set(auth(analyst)).send({ enabled: false })).status).toBe(200);
      expect((await t.http.delete('/v1/term-sets/doomed_words').set(auth(admin))).status).toBe(204);
      expect((await t.http.get('/v1/term-sets/doomed_words').set(auth(viewer))).status).toBe(404);
      // The disabled rule cannot be enabled again while its set is missing.
      const enable = await t.http.patch(`/v1/rules/${rule.id}`).set(auth(analyst)).send({ enabled: true });
      expect(enable.status).toBe(400);
      expect(enable.body.errors[0].message).toBe('query: unknown term set "@doomed_words" at position 1');
    });
  });

  describe('preview', () => {
    it('counts what a change adds and drops for each rule using the set, against the analysts\' decisions, saving nothing', async () => {
      await createSet({ name: 'preview_words', terms: ['flumox'] });
      await createRule({ name: 'Preview rule', query: '@preview_words' });
      await createRule({ name: 'Other words', query: 'brindle' });
      // Published weeks apart: five events, not reports of one story.
      const [acceptedOld, rejectedOld, acceptedNew, rejectedNew, pendingNew] = await submit(
        ['Flumox one', 'Flumox two', 'Brindle three', 'Brindle four', 'Brindle five'].map((title, index) => ({ title, publishedAt: new Date(Date.UTC(2026, 0, 1 + 10 * index)).toISOString() })),
      );
      const decide = (id: string, verb: 'accept' | 'reject') => t.http.post(`/v1/signals/${id}/${verb}`).set(auth(analyst)).send(verb === 'reject' ? { reason: 'not relevant' } : {});
      for (const [id, verb] of [[acceptedOld, 'accept'], [rejectedOld, 'reject'], [acceptedNew, 'accept'], [rejectedNew, 'reject']] as const) {
        expect((await decide(id!, verb)).status).toBe(verb === 'accept' ? 201 : 200);
      }

      const forbidden = await t.http.post('/v1/term-sets/preview_words/preview').set(auth(viewer)).send({ terms: ['brindle'] });
      expect(forbidden.status).toBe(403);
      const response = await t.http.post('/v1/term-sets/preview_words/preview').set(auth(analyst)).send({ terms: ['brindle'] });
      expect(response.status).toBe(200);
      expect(response.body.terms).toEqual({ current: { count: 2, accepted: 1, rejected: 1 }, proposed: { count: 3, accepted: 1, rejected: 1 } });
      expect(response.body.rules).toHaveLength(1);
      const [rule] = response.body.rules;
      expect(rule).toMatchObject({
        rule: { name: 'Preview rule', enabled: true },
        current: { count: 2, accepted: 1, rejected: 1 },
        proposed: { count: 3, accepted: 1, rejected: 1 },
        added: { count: 3, accepted: 1, rejected: 1 },
        dropped: { count: 2, accepted: 1, rejected: 1 },
      });
      expect(rule.added.items.map((hit: { id: string }) => hit.id).sort()).toEqual([acceptedNew, rejectedNew, pendingNew].sort());
      expect(rule.dropped.items.map((hit: { id: string }) => hit.id).sort()).toEqual([acceptedOld, rejectedOld].sort());
      expect((await t.http.get('/v1/term-sets/preview_words').set(auth(viewer))).body).toMatchObject({ version: 1, terms: ['flumox'] });

      const bad = await t.http.post('/v1/term-sets/preview_words/preview').set(auth(analyst)).send({ terms: ['two words'] });
      expect(bad.status).toBe(400);
    });
  });

  describe('Chinese', () => {
    let server: LocalHttpServer;
    beforeAll(async () => {
      server = await startLocalHttpServer({ '/zh.xml': serve(CHINESE_FEED, { 'content-type': 'application/rss+xml; charset=utf-8' }) });
    });
    afterAll(() => server.close());

    it('routes a Chinese item from a feed to the inbox through the seed rule\'s Chinese aliases, and finds it by a Chinese query', async () => {
      const source = await t.http.post('/v1/sources').set(auth(analyst)).send({ name: 'Chinese tech news', kind: 'feed', url: `${server.origin}/zh.xml`, enabled: false });
      expect(source.status).toBe(201);
      const fetched = await t.http.post(`/v1/sources/${source.body.id}/fetch`).set(auth(analyst));
      expect(fetched.status).toBe(200);
      expect(fetched.body).toMatchObject({ status: 'fetched', newItems: 2, matchedItems: 1 });

      const inbox = await t.http.get('/v1/signals/inbox?limit=200').set(auth(viewer));
      const hiring = (inbox.body.items as Item[]).find((one) => one.title === '深度求索招聘芯片验证工程师');
      expect(hiring).toBeDefined();
      expect(hiring!.status).toBe('pending');
      expect(hiring!.matches).toEqual(expect.arrayContaining([expect.objectContaining({ ruleName: 'DeepSeek hardware hiring', indicator: expect.objectContaining({ slug: 'deepseek-hardware-hiring' }) })]));
      expect(hiring!.matchedTerms).toEqual(expect.arrayContaining(['深度求索', '招聘', '芯片']));
      expect((inbox.body.items as Item[]).some((one) => one.title === '哈尔滨冰雪大世界开园')).toBe(false);

      for (const q of ['芯片验证', '深度求索 招聘', '@deepseek 工程师', '物理设计 杭州']) {
        const search = await t.http.get('/v1/signals').query({ q }).set(auth(viewer));
        expect({ q, status: search.status, titles: search.body.items.map((one: Item) => one.title) }).toEqual({ q, status: 200, titles: ['深度求索招聘芯片验证工程师'] });
      }
      // A two-character word matches inside a longer run; one that is not there matches nothing.
      expect((await t.http.get('/v1/signals').query({ q: '冰雕' }).set(auth(viewer))).body.items.map((one: Item) => one.title)).toEqual(['哈尔滨冰雪大世界开园']);
      expect((await t.http.get('/v1/signals').query({ q: '芯片补贴' }).set(auth(viewer))).body.items).toEqual([]);
    });
  });
});
