import { SignalRoutingService } from '#signals';
import { auth, createTestAppWithKeys, type TestApp } from '#test/test-app.js';

interface Item {
  id: string;
  title: string;
  status: string;
  rank?: number;
  highlight?: string;
  matchedTerms: string[];
  priority?: number;
  suggestions: { predictionSlug: string; direction: string; strength: string; probability: number; terms: string[] }[];
}

/** Ranked search of items and evidence, the inbox order with matched terms, retraction back to review, raw OPML and suggested items. */
describe('signals: search, inbox order, retraction, raw OPML, suggestions', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => ({ t, analyst, viewer } = await createTestAppWithKeys()));
  afterAll(() => t.close());

  const submit = async (items: Record<string, unknown>[]): Promise<string[]> => {
    const response = await t.http.post('/v1/signals').set(auth(analyst)).send({ items });
    expect(response.status).toBe(201);
    return response.body.createdIds as string[];
  };
  const get = (path: string, key = viewer) => t.http.get(path).set(auth(key));
  /** The web inbox page, through a signed-in session as a browser would see it. */
  const webInbox = async (): Promise<string> => {
    const form = await t.http.get('/app/login');
    const loginCookie = String(form.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const login = await t.http.post('/app/login').set('Cookie', loginCookie).type('form').send({ _csrf: token, key: viewer, next: '/app' });
    const session = (login.headers['set-cookie'] as unknown as string[]).find((cookie) => cookie.startsWith('bw_session='))!.split(';')[0]!;
    const page = await t.http.get('/app/inbox').set('Cookie', session);
    expect(page.status).toBe(200);
    return page.text;
  };
  /** Every page of a listing, following nextCursor. */
  const allPages = async (path: string, limit: number): Promise<Item[]> => {
    const items: Item[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages += 1) {
      const separator = path.includes('?') ? '&' : '?';
      const response = await get(`${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      items.push(...(response.body.items as Item[]));
      cursor = response.body.nextCursor as string | null;
      if (!cursor) return items;
    }
    throw new Error('too many pages');
  };

  describe('GET /v1/signals?q=', () => {
    it('ranks the items a query matches, with highlights, across stable keyset pages', async () => {
      await submit([
        { title: 'Lithography tool makers report record orders', summary: 'Lithography demand from Asian fabs' },
        { title: 'Regional weather outlook', summary: 'A mention of lithography in passing' },
        { title: 'Lithography lithography lithography: the week in lithography', summary: 'All about lithography' },
        { title: 'Bakery opens downtown' },
      ]);
      const found = await allPages(`/v1/signals?q=${encodeURIComponent('lithograph*')}`, 1);
      expect(found).toHaveLength(3);
      expect(new Set(found.map((item) => item.id)).size).toBe(3);
      const ranks = found.map((item) => item.rank!);
      expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
      expect(found[0]!.title).toBe('Lithography lithography lithography: the week in lithography');
      expect(found.at(-1)!.title).toBe('Regional weather outlook');
      expect(found[0]!.highlight).toContain('<mark>Lithography</mark>');

      const filtered = await get(`/v1/signals?q=lithography&status=pending`);
      expect(filtered.body.items).toEqual([]);
    });

    it('refuses a query that does not parse with a 400 naming q and the position, and a cursor of another query', async () => {
      const bad = await get(`/v1/signals?q=${encodeURIComponent('(lithography OR')}`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toEqual({ field: 'q', message: expect.stringMatching(/^q: .* at position \d+$/) });
      const stopWords = await get('/v1/signals?q=the');
      expect(stopWords.status).toBe(400);
      expect(stopWords.body.errors[0].field).toBe('q');

      const first = await get('/v1/signals?q=lithography&limit=1');
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const other = await get(`/v1/signals?q=orders&limit=1&cursor=${encodeURIComponent(first.body.nextCursor as string)}`);
      expect(other.status).toBe(400);
      expect(other.body.errors[0].field).toBe('cursor');
    });
  });

  describe('GET /v1/evidence?q=', () => {
    it('ranks evidence by its summary, with the list filters, highlights and keyset pages', async () => {
      const record = (summary: string) =>
        t.http
          .post('/v1/evidence')
          .set(auth(analyst))
          .send({ summary, observedAt: '2026-01-10T00:00:00Z', impacts: [{ prediction: 'china-domain-parity', direction: 'supports', strength: 'weak' }] });
      for (const summary of ['Provincial robotics subsidies for factories', 'Robotics robotics: factory robotics census', 'Port logistics automation survey']) {
        expect((await record(summary)).status).toBe(201);
      }
      const found = await allPages(`/v1/evidence?q=${encodeURIComponent('robotic* factory')}&prediction=china-domain-parity`, 1);
      expect(found.map((item) => item.highlight!.includes('<mark>'))).toEqual([true, true]);
      expect((found as unknown as { summary: string }[]).map((item) => item.summary)).toEqual(['Robotics robotics: factory robotics census', 'Provincial robotics subsidies for factories']);
      expect((await get(`/v1/evidence?q=robotics&prediction=deepseek-blacklisted-12m`)).body.items).toEqual([]);
      const bad = await get(`/v1/evidence?q=${encodeURIComponent('robotics -')}`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toEqual({ field: 'q', message: expect.stringContaining('at position 10') });
    });
  });

  describe('the inbox', () => {
    it('ranks pending items by relevance and recency, shows the matched terms, and pages by cursor', async () => {
      const [weak, strong, older] = await submit([
        { title: 'Report mentions Huawei Ascend once', summary: 'Market round-up', publishedAt: '2026-02-01T08:00:00Z' },
        { title: 'Huawei Ascend 910C adoption: Ascend clusters in three provinces', summary: 'Huawei Ascend chips and CloudMatrix systems', publishedAt: '2026-02-01T09:00:00Z' },
        { title: 'Huawei Ascend 910C adoption: Ascend clusters in two provinces', summary: 'Huawei Ascend chips and CloudMatrix systems', publishedAt: '2026-01-20T09:00:00Z' },
      ]);
      const inbox = await allPages('/v1/signals/inbox', 2);
      const order = inbox.map((item) => item.id);
      expect(order.indexOf(strong!)).toBeLessThan(order.indexOf(weak!));
      // Twelve days older: as relevant, but ranked below the newer ones.
      expect(order.indexOf(weak!)).toBeLessThan(order.indexOf(older!));
      const top = inbox.find((item) => item.id === strong)!;
      expect(top.status).toBe('pending');
      expect(top.matchedTerms).toEqual(expect.arrayContaining(['ascend*', 'cloudmatrix']));
      expect(top.priority).toEqual(expect.any(Number));
      expect(inbox.every((item) => item.status === 'pending' || item.status === 'suggested')).toBe(true);

      expect(await webInbox()).toMatch(/matched <span data-testid="matched-terms">[^<]*ascend\*/);
    });
  });

  describe('retraction', () => {
    it('returns an accepted item to pending when its evidence is retracted, so it can be accepted again', async () => {
      const [id] = await submit([{ title: 'Huawei Ascend adoption reaches state grid', url: 'https://news.example.com/ascend/grid' }]);
      const accepted = await t.http.post(`/v1/signals/${id}/accept`).set(auth(analyst)).send({});
      expect(accepted.status).toBe(201);
      const events = () => t.prisma.outboxEvent.count({ where: { type: 'signal.pending_review', payload: { path: ['signalItemId'], equals: id } } });
      expect(await events()).toBe(1);

      const retracted = await t.http.post(`/v1/evidence/${accepted.body.evidenceId}/retract`).set(auth(analyst)).send({ reason: 'Misread the source' });
      expect(retracted.status).toBe(200);
      const reopened = await get(`/v1/signals/${id}`);
      expect(reopened.body).toMatchObject({ status: 'pending', evidenceId: null, reviewedBy: null, reviewedAt: null, reopenReason: 'Misread the source' });
      expect(Date.parse(reopened.body.reopenedAt as string)).toBeGreaterThanOrEqual(Date.parse(accepted.body.signal.reviewedAt as string));
      expect(await events()).toBe(2);
      const announced = await t.prisma.outboxEvent.findFirstOrThrow({ where: { type: 'signal.pending_review', payload: { path: ['signalItemId'], equals: id } }, orderBy: { createdAt: 'desc' } });
      expect(announced.payload).toMatchObject({ signalItemId: id, reopenReason: 'Misread the source' });

      const again = await t.http.post(`/v1/signals/${id}/accept`).set(auth(analyst)).send({});
      expect(again.status).toBe(201);
      expect(again.body.evidenceId).not.toBe(accepted.body.evidenceId);
      expect(await t.prisma.evidence.count({ where: { signalItemId: id } })).toBe(2);
      expect(await t.prisma.evidence.count({ where: { signalItemId: id, retractedAt: null } })).toBe(1);
    });

    it('leaves an item alone when evidence recorded by hand is retracted', async () => {
      const recorded = await t.http
        .post('/v1/evidence')
        .set(auth(analyst))
        .send({ summary: 'By hand', observedAt: '2026-01-10T00:00:00Z', impacts: [{ prediction: 'china-domain-parity', direction: 'supports', strength: 'weak' }] });
      const retracted = await t.http.post(`/v1/evidence/${recorded.body.id}/retract`).set(auth(analyst)).send({ reason: 'Duplicate' });
      expect(retracted.status).toBe(200);
    });
  });

  describe('POST /v1/sources/import with a raw OPML body', () => {
    const opml = (host: string) =>
      `<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><head><title>Feeds</title></head><body><outline type="rss" text="Raw ${host}" xmlUrl="https://${host}/feed.xml"/></body></opml>`;

    it.each(['text/x-opml', 'application/xml', 'text/xml; charset=utf-8'])('takes %s, options in the query', async (type) => {
      const host = `${type.replace(/[^a-z]/g, '')}.example.org`;
      const response = await t.http.post('/v1/sources/import?intervalSeconds=7200').set(auth(analyst)).set('Content-Type', type).send(opml(host));
      expect(response.status).toBe(201);
      expect(response.body.created).toEqual([expect.objectContaining({ name: `Raw ${host}`, url: `https://${host}/feed.xml`, intervalSeconds: 7200 })]);
    });

    it('refuses a raw body that is not OPML, and bad options, naming the field', async () => {
      const notOpml = await t.http.post('/v1/sources/import').set(auth(analyst)).set('Content-Type', 'text/x-opml').send('<html></html>');
      expect(notOpml.status).toBe(400);
      expect(notOpml.body.errors[0].field).toBe('opml');
      const badInterval = await t.http.post('/v1/sources/import?intervalSeconds=5').set(auth(analyst)).set('Content-Type', 'text/x-opml').send(opml('x.example.org'));
      expect(badInterval.status).toBe(400);
      expect(badInterval.body.errors[0].field).toBe('intervalSeconds');
      const keyless = await t.http.post('/v1/sources/import').set('Content-Type', 'text/x-opml').send(opml('y.example.org'));
      expect(keyless.status).toBe(401);
    });
  });

  describe('suggested items', () => {
    it('suggests unmatched items the routing model finds relevant, explained by their words, never accepting them', async () => {
      const [similar, unrelated] = await submit([
        { title: 'Photonic chip lab in Hefei gets provincial money', summary: 'The optical computing team will build a prototype.' },
        { title: 'Chess tournament draws record crowd' },
      ]);

      const suggestion = (await get(`/v1/signals/${similar}`)).body as Item & { evidenceId: string | null; routes: { via: string; score: number; terms: string[] }[] };
      expect(suggestion.status).toBe('suggested');
      expect(suggestion.evidenceId).toBeNull();
      expect(suggestion.routes).toEqual([expect.objectContaining({ target: 'china-alt-compute-acceleration', via: 'model', direction: 'supports' })]);
      expect(suggestion.suggestions).toEqual([
        expect.objectContaining({ predictionSlug: 'china-alt-compute-acceleration', direction: 'supports', strength: 'moderate', probability: suggestion.routes[0]!.score, terms: suggestion.routes[0]!.terms }),
      ]);
      expect(suggestion.matchedTerms).toEqual(suggestion.routes[0]!.terms);
      expect((await get(`/v1/signals/${unrelated}`)).body.status).toBe('unmatched');

      // In the inbox, after the pending items; on the web inbox, marked as suggested.
      const inbox = await allPages('/v1/signals/inbox', 50);
      expect(inbox.at(-1)!.id).toBe(similar);
      expect(await webInbox()).toContain('data-testid="suggested"');

      // Accepting it without impacts records the route's: the prediction, as the seed rules weigh it (moderate).
      const accept = await t.http.post(`/v1/signals/${similar}/accept`).set(auth(analyst)).send({});
      expect(accept.status).toBe(201);
      expect(accept.body.impacts).toEqual([expect.objectContaining({ slug: 'china-alt-compute-acceleration', likelihoodRatio: 3 })]);
    });

    it('routes a suggested item to pending once a rule matches it', async () => {
      // Published a year before the Hefei lab's news: the same words about another city's lab would otherwise be taken for another report of that story.
      const [id] = await submit([{ title: 'Photonic chip lab in Wuhan gets provincial money', summary: 'The optical computing team will build a prototype.', publishedAt: '2025-06-01T00:00:00Z' }]);
      expect((await get(`/v1/signals/${id}`)).body.status).toBe('suggested');
      const rule = await t.http.post('/v1/rules').set(auth(analyst)).send({ name: 'Photonic labs', query: 'photonic lab*', impacts: [] });
      expect(rule.status).toBe(201);
      const outcome = await t.app.get(SignalRoutingService).rerun(new Date(0));
      expect(outcome.matched).toBeGreaterThanOrEqual(1);
      const routed = (await get(`/v1/signals/${id}`)).body as Item & { matches: { ruleName: string; terms: string[] }[] };
      expect(routed.status).toBe('pending');
      expect(routed.suggestions).toEqual([]);
      expect(routed.matches).toEqual([expect.objectContaining({ ruleName: 'Photonic labs', terms: ['photonic', 'lab*'] })]);
    });
  });
});
