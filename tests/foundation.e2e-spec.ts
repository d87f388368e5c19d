import { auth, createTestApp, type TestApp } from '#test/test-app.js';

const SEEDED_PREDICTIONS = ['deepseek-blacklisted-12m', 'china-alt-compute-acceleration', 'us-china-ai-bifurcation', 'china-domain-parity'];
const SEEDED_INDICATORS = ['deepseek-hardware-hiring', 'huawei-ascend-adoption', 'china-ai-chip-subsidies'];

describe('foundation: auth, conventions and the first endpoints', () => {
  let t: TestApp;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp();
    viewer = await t.keyFor('viewer');
  });
  afterAll(() => t.close());


  describe('authentication', () => {
    it('refuses a request without a key with 401 problem+json', async () => {
      const response = await t.http.get('/v1/predictions');
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.body).toMatchObject({ status: 401, type: expect.stringContaining('unauthenticated') });
    });

    it.each([['Basic abc'], ['Bearer'], ['Bearer bw_nothere_' + 'x'.repeat(43)], ['Bearer not-a-key']])(
      'refuses Authorization "%s" with 401',
      async (header) => {
        const response = await t.http.get('/v1/predictions').set('Authorization', header);
        expect(response.status).toBe(401);
        expect(response.body.status).toBe(401);
      },
    );

    it('refuses a role too low with 403 and accepts a higher one', async () => {
      const analyst = await t.keyFor('analyst');
      const forbidden = await t.http.get('/v1/api-keys').set(auth(analyst));
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers['content-type']).toMatch(/^application\/problem\+json/);
      const allowed = await t.http.get('/v1/api-keys').set(auth(t.adminKey));
      expect(allowed.status).toBe(200);
    });

    it('lets an admin create, list and revoke keys; a revoked key stops working', async () => {
      const created = await t.http.post('/v1/api-keys').set(auth(t.adminKey)).send({ name: 'desk', role: 'analyst' });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^bw_[a-z0-9]{8}_/);
      expect(created.body).not.toHaveProperty('hash');
      const stored = await t.prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored.hash).not.toContain(created.body.key);
      expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);

      expect((await t.http.get('/v1/predictions').set(auth(created.body.key))).status).toBe(200);
      const list = await t.http.get('/v1/api-keys').set(auth(t.adminKey));
      expect(list.body.items.map((key: { id: string }) => key.id)).toContain(created.body.id);

      const revoked = await t.http.post(`/v1/api-keys/${created.body.id}/revoke`).set(auth(t.adminKey));
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      expect((await t.http.get('/v1/predictions').set(auth(created.body.key))).status).toBe(401);
    });
  });

  describe('the seeded analysis', () => {
    it('lists the four predictions with priors and deadlines about 12 months out', async () => {
      const response = await t.http.get('/v1/predictions').set(auth(viewer));
      expect(response.status).toBe(200);
      expect(response.body.items.map((p: { slug: string }) => p.slug).sort()).toEqual([...SEEDED_PREDICTIONS].sort());
      for (const prediction of response.body.items) {
        expect(prediction.prior).toBeGreaterThan(0);
        expect(prediction.prior).toBeLessThan(1);
        expect(prediction.probability).toBeCloseTo(prediction.prior, 12);
        expect(prediction.status).toBe('open');
        const monthsAhead = (Date.parse(prediction.deadline) - Date.now()) / (30.44 * 24 * 3600 * 1000);
        expect(monthsAhead).toBeGreaterThan(11.5);
        expect(monthsAhead).toBeLessThan(12.5);
      }
      const deepseek = response.body.items.find((p: { slug: string }) => p.slug === 'deepseek-blacklisted-12m');
      expect(deepseek.eventByDeadline).toBe(true);
    });

    it('finds a prediction by slug and by id, and 404s an unknown one', async () => {
      const bySlug = await t.http.get('/v1/predictions/china-domain-parity').set(auth(viewer));
      expect(bySlug.status).toBe(200);
      const byId = await t.http.get(`/v1/predictions/${bySlug.body.id}`).set(auth(viewer));
      expect(byId.body).toEqual(bySlug.body);
      const missing = await t.http.get('/v1/predictions/no-such-thing').set(auth(viewer));
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ status: 404, errors: [{ field: 'idOrSlug' }] });
    });

    it('lists and finds the three indicators', async () => {
      const response = await t.http.get('/v1/indicators').set(auth(viewer));
      expect(response.status).toBe(200);
      expect(response.body.items.map((i: { slug: string }) => i.slug).sort()).toEqual([...SEEDED_INDICATORS].sort());
      const one = await t.http.get('/v1/indicators/huawei-ascend-adoption').set(auth(viewer));
      expect(one.body.unit).toBeTruthy();
    });

    it('seeds links and starter rules, and a second seed changes nothing nor overwrites an edit', async () => {
      expect(await t.prisma.indicatorLink.count()).toBeGreaterThanOrEqual(3);
      expect(await t.prisma.rule.count()).toBeGreaterThanOrEqual(3);
      await t.prisma.prediction.update({ where: { slug: 'china-domain-parity' }, data: { title: 'Edited by an analyst' } });
      const before = {
        predictions: await t.prisma.prediction.count(),
        indicators: await t.prisma.indicator.count(),
        links: await t.prisma.indicatorLink.count(),
        rules: await t.prisma.rule.count(),
        audit: await t.prisma.auditEntry.count(),
      };
      const { AnalysisSeedService } = await import('#apps/api/src/seed/analysis-seed.service.js');
      const result = await t.app.get(AnalysisSeedService).seed();
      expect(result.created).toEqual([]);
      expect({
        predictions: await t.prisma.prediction.count(),
        indicators: await t.prisma.indicator.count(),
        links: await t.prisma.indicatorLink.count(),
        rules: await t.prisma.rule.count(),
        audit: await t.prisma.auditEntry.count(),
      }).toEqual(before);
      expect((await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'china-domain-parity' } })).title).toBe('Edited by an analyst');
    });

    it('a later seed brings an unedited starter rule up to date, keeps an edited one, and adds back a missing one', async () => {
      const [stale, edited, removed] = await t.prisma.rule.findMany({ where: { editedAt: null }, orderBy: { name: 'asc' }, take: 3 });
      const seeded = new Map([stale!, edited!, removed!].map((rule) => [rule.name, rule.query]));
      await t.prisma.rule.update({ where: { id: stale!.id }, data: { query: 'an older seed query' } });
      await t.prisma.rule.update({ where: { id: edited!.id }, data: { query: 'an analyst query', editedAt: new Date() } });
      await t.prisma.rule.delete({ where: { id: removed!.id } });
      const { AnalysisSeedService } = await import('#apps/api/src/seed/analysis-seed.service.js');
      await t.app.get(AnalysisSeedService).seed();
      const after = new Map((await t.prisma.rule.findMany({ where: { name: { in: [...seeded.keys()] } } })).map((rule) => [rule.name, rule.query]));
      expect(after.get(stale!.name)).toBe(seeded.get(stale!.name));
      expect(after.get(edited!.name)).toBe('an analyst query');
      expect(after.get(removed!.name)).toBe(seeded.get(removed!.name));
    });
  });

  describe('conventions', () => {
    it('paginates with a cursor and a bounded limit', async () => {
      const first = await t.http.get('/v1/predictions?limit=3').set(auth(viewer));
      expect(first.body.items).toHaveLength(3);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.http.get(`/v1/predictions?limit=3&cursor=${first.body.nextCursor}`).set(auth(viewer));
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      const all = [...first.body.items, ...second.body.items].map((p: { id: string }) => p.id);
      expect(new Set(all).size).toBe(4);
    });

    it.each([
      ['/v1/predictions?limit=0', 'limit'],
      ['/v1/predictions?limit=201', 'limit'],
      ['/v1/predictions?limit=abc', 'limit'],
      ['/v1/predictions?cursor=garbage', 'cursor'],
      ['/v1/predictions?status=maybe', 'status'],
      ['/v1/predictions?unknown=1', 'unknown'],
    ])('refuses %s with 400 naming %s', async (url, field) => {
      const response = await t.http.get(url).set(auth(viewer));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('refuses bodies that are malformed, have unknown fields or bad values, naming the field', async () => {
      const malformed = await t.http
        .post('/v1/api-keys')
        .set(auth(t.adminKey))
        .set('Content-Type', 'application/json')
        .send('{"name": "x",');
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0].field).toBe('body');

      const unknown = await t.http.post('/v1/api-keys').set(auth(t.adminKey)).send({ name: 'x', role: 'viewer', extra: 1 });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.map((error: { field: string }) => error.field)).toContain('extra');

      const badRole = await t.http.post('/v1/api-keys').set(auth(t.adminKey)).send({ name: 'x', role: 'boss' });
      expect(badRole.status).toBe(400);
      expect(badRole.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);

      const badId = await t.http.post('/v1/api-keys/not-a-uuid/revoke').set(auth(t.adminKey));
      expect(badId.status).toBe(400);
      expect(badId.body.errors[0].field).toBe('id');
    });

    it('answers unknown routes with a 404 problem', async () => {
      const response = await t.http.get('/v1/nothing-here').set(auth(viewer));
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('echoes a request id, or makes one', async () => {
      const given = await t.http.get('/health/live').set('X-Request-Id', 'abc-123');
      expect(given.headers['x-request-id']).toBe('abc-123');
      const made = await t.http.get('/health/live');
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('serves health, docs, the OpenAPI document and metrics without a key', async () => {
      expect((await t.http.get('/health/live')).status).toBe(200);
      const ready = await t.http.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details).toMatchObject({ database: { status: 'up' }, queue: { status: 'up' } });
      const openapi = await t.http.get('/openapi.json');
      expect(openapi.status).toBe(200);
      expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/predictions', '/v1/predictions/{idOrSlug}', '/v1/indicators']));
      expect((await t.http.get('/docs')).text).toContain('swagger');
      const metrics = await t.http.get('/metrics');
      expect(metrics.text).toContain('process_cpu_user_seconds_total');
    });

    it('counts each request in /metrics under the status it was answered with, refusals and errors included', async () => {
      const count = async (labels: string): Promise<number> => {
        const text = (await t.http.get('/metrics')).text;
        const line = text.split('\n').find((candidate) => candidate.startsWith(`bellwether_http_request_duration_seconds_count{${labels}}`));
        return line ? Number(line.split(' ').at(-1)) : 0;
      };
      const cases: [labels: string, request: () => Promise<unknown>][] = [
        ['method="GET",route="/v1/predictions",status="200"', () => t.http.get('/v1/predictions').set(auth(t.adminKey))],
        ['method="GET",route="/v1/predictions",status="400"', () => t.http.get('/v1/predictions?limit=abc').set(auth(t.adminKey))],
        ['method="GET",route="/v1/predictions/:idOrSlug",status="404"', () => t.http.get('/v1/predictions/no-such-prediction').set(auth(t.adminKey))],
        ['method="GET",route="/v1/predictions",status="401"', () => t.http.get('/v1/predictions').set(auth('bw_AAAAAAAA_notarealkeynotarealkey00'))],
        ['method="GET",route="unmatched",status="404"', () => t.http.get('/v1/no-such-route').set(auth(t.adminKey))],
      ];
      for (const [labels, request] of cases) {
        const before = await count(labels);
        await request();
        expect({ labels, added: (await count(labels)) - before }).toEqual({ labels, added: 1 });
      }
    });
  });

  describe('the audit table', () => {
    it('refuses UPDATE and DELETE at the database level', async () => {
      const entry = await t.prisma.auditEntry.findFirstOrThrow();
      await expect(t.prisma.$executeRaw`UPDATE "AuditEntry" SET "reason" = 'rewritten' WHERE "id" = ${entry.id}::uuid`).rejects.toThrow(/append-only/);
      await expect(t.prisma.$executeRaw`DELETE FROM "AuditEntry" WHERE "id" = ${entry.id}::uuid`).rejects.toThrow(/append-only/);
      await expect(t.prisma.$executeRawUnsafe('TRUNCATE "AuditEntry" CASCADE')).rejects.toThrow(/append-only/);
      expect((await t.prisma.auditEntry.findUniqueOrThrow({ where: { id: entry.id } })).reason).toBe(entry.reason);
    });

    it('starts every prediction with its prior as audit entry 1, and the chain verifies', async () => {
      const entries = await t.prisma.auditEntry.findMany({ where: { sequence: 1 } });
      expect(entries).toHaveLength(4);
      expect(entries.every((entry) => entry.kind === 'prior')).toBe(true);
      const verify = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
      expect(verify.body).toEqual({ ok: true, chains: 4, entries: 4, firstBroken: null, broken: [], brokenCount: 0, checkpoints: 0, signedHeads: 4, witness: null });
    });
  });
});
