import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';

const PREDICTION = 'deepseek-blacklisted-12m';

/**
 * Idempotency-Key on creating POSTs: a retry answers the first response and
 * has no second effect, whatever the timing, and the key's record commits
 * with the effect.
 */
describe('Idempotency-Key', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(() => t.close(), 60_000);

  const evidence = (summary: string, likelihoodRatio = 2) => ({
    summary,
    observedAt: new Date().toISOString(),
    impacts: [{ prediction: PREDICTION, likelihoodRatio }],
  });
  const postEvidence = (key: string, body: object, apiKey = t.adminKey) =>
    t.http.post('/v1/evidence').set(auth(apiKey)).set('Idempotency-Key', key).send(body);
  const moves = () => t.prisma.auditEntry.count({ where: { prediction: { slug: PREDICTION } } });
  const probability = async () => (await t.http.get(`/v1/predictions/${PREDICTION}`).set(auth(t.adminKey))).body.probability as number;
  const evidenceCount = (summary: string) => t.prisma.evidence.count({ where: { summary } });

  it('answers a retry after a client timeout with the first response, and moves the probability once', async () => {
    const body = evidence('Retried after a timeout');
    const key = `"${randomUUID()}"`;
    const before = { moves: await moves(), probability: await probability() };

    // Hold the prediction's row so the first request is still running when the client gives up.
    const blocker = new pg.Client({ connectionString: t.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM "Prediction" WHERE "slug" = $1 FOR UPDATE', [PREDICTION]);
      await expect(postEvidence(key, body).timeout(500)).rejects.toThrow(/timeout/i);

      const whileRunning = await postEvidence(key, body);
      expect(whileRunning.status).toBe(409);
      expect(whileRunning.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(whileRunning.headers['retry-after']).toBe('1');
      expect(whileRunning.body).toMatchObject({ type: expect.stringContaining('idempotency-key-in-flight'), errors: [{ field: 'Idempotency-Key' }] });
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }

    let retry = await postEvidence(key, body);
    for (let attempt = 0; retry.status === 409 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      retry = await postEvidence(key, body);
    }
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.impacts[0].probabilityBefore).toBeCloseTo(before.probability, 12);
    expect(await moves()).toBe(before.moves + 1);
    expect(await evidenceCount(body.summary)).toBe(1);
    expect(await probability()).toBeCloseTo(retry.body.impacts[0].probabilityAfter, 12);
    // Replayed again, byte for byte the same JSON.
    const again = await postEvidence(key, body);
    expect([again.status, again.text]).toEqual([201, retry.text]);
  }, 30_000);

  it('gives one effect for 20 concurrent identical requests with one key', async () => {
    const body = evidence('Twenty at once');
    const key = randomUUID();
    const before = await moves();
    const responses = await Promise.all(Array.from({ length: 20 }, () => postEvidence(key, body)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    expect(statuses).toContain(201);
    const answered = responses.filter((response) => response.status === 201);
    expect(new Set(answered.map((response) => response.text)).size).toBe(1);
    // One of them ran; every other 201 is its response replayed.
    expect(answered.filter((response) => response.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await evidenceCount(body.summary)).toBe(1);
    expect(await moves()).toBe(before + 1);
    const later = await postEvidence(key, body);
    expect([later.status, later.text]).toEqual([201, answered[0]!.text]);
  }, 30_000);

  it('refuses the same key with a different body or route with a 422 naming the header, without effect', async () => {
    const key = randomUUID();
    const first = await postEvidence(key, evidence('First body'));
    expect(first.status).toBe(201);
    const before = await moves();

    const otherBody = await postEvidence(key, evidence('Second body'));
    expect(otherBody.status).toBe(422);
    expect(otherBody.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(otherBody.body).toMatchObject({ status: 422, type: expect.stringContaining('idempotency-key-reused'), errors: [{ field: 'Idempotency-Key' }] });

    const otherRoute = await t.http.post(`/v1/predictions/${PREDICTION}/override`).set(auth(t.adminKey)).set('Idempotency-Key', key).send({ probability: 0.5, reason: 'reuse' });
    expect(otherRoute.status).toBe(422);
    expect(await moves()).toBe(before);
    expect(await evidenceCount('Second body')).toBe(0);
  });

  it('takes the same body in another key order or spacing as the same request', async () => {
    const key = randomUUID();
    const observedAt = new Date().toISOString();
    const first = await t.http.post('/v1/evidence').set(auth(t.adminKey)).set('Idempotency-Key', key).set('Content-Type', 'application/json')
      .send(`{"summary":"Reordered","observedAt":"${observedAt}","impacts":[{"prediction":"${PREDICTION}","likelihoodRatio":2}]}`);
    const second = await t.http.post('/v1/evidence').set(auth(t.adminKey)).set('Idempotency-Key', key).set('Content-Type', 'application/json')
      .send(`{ "impacts": [ { "likelihoodRatio": 2, "prediction": "${PREDICTION}" } ], "observedAt": "${observedAt}", "summary": "Reordered" }`);
    expect([first.status, second.status, second.headers['idempotent-replayed']]).toEqual([201, 201, 'true']);
    expect(second.text).toBe(first.text);
    expect(await evidenceCount('Reordered')).toBe(1);
  });

  it('frees the key after 24 hours', async () => {
    const key = randomUUID();
    expect((await postEvidence(key, evidence('Before the day is out'))).status).toBe(201);
    expect((await postEvidence(key, evidence('A day later'))).status).toBe(422);

    const dayAgo = new Date(Date.now() - 24 * 3600_000 - 1000);
    const edited = await t.prisma.idempotencyKey.updateMany({ where: { key }, data: { createdAt: dayAgo, lockedAt: dayAgo, expiresAt: new Date(Date.now() - 1000) } });
    expect(edited.count).toBe(1);

    const fresh = await postEvidence(key, evidence('A day later'));
    expect(fresh.status).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(await evidenceCount('A day later')).toBe(1);
    expect(await t.prisma.idempotencyKey.count({ where: { key } })).toBe(1);
  });

  it('keeps keys apart per API key', async () => {
    const key = randomUUID();
    const analyst = await t.keyFor('analyst');
    const body = evidence('One key, two API keys');
    expect((await postEvidence(key, body)).status).toBe(201);
    const other = await postEvidence(key, body, analyst);
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(await evidenceCount(body.summary)).toBe(2);
  });

  it('frees the key when the request fails without effect, so a corrected retry runs', async () => {
    const key = randomUUID();
    const wrong = await postEvidence(key, { ...evidence('Corrected'), impacts: [{ prediction: 'no-such-prediction', likelihoodRatio: 2 }] });
    expect(wrong.status).toBe(404);
    expect(await t.prisma.idempotencyKey.count({ where: { key } })).toBe(0);
    const corrected = await postEvidence(key, evidence('Corrected'));
    expect(corrected.status).toBe(201);
    expect(await evidenceCount('Corrected')).toBe(1);
  });

  it('records the claim in the effect\'s transaction: an applied claim whose response was lost is never run again', async () => {
    const key = randomUUID();
    const body = evidence('Applied, response lost');
    expect((await postEvidence(key, body)).status).toBe(201);
    const row = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { key } });
    expect(row.appliedAt).not.toBeNull();
    expect(row.responseStatus).toBe(201);

    // As if the process had died between the commit and keeping the response, long enough ago for the lease to end.
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await t.prisma.idempotencyKey.update({ where: { id: row.id }, data: { completedAt: null, responseStatus: null, responseBody: null, lockedAt: longAgo } });
    const retry = await postEvidence(key, body);
    expect(retry.status).toBe(409);
    expect(retry.body.type).toMatch(/idempotency-key-response-lost/);
    expect(await evidenceCount(body.summary)).toBe(1);
  });

  const slugOf = (label: string) => `idempotent-${label}-${randomUUID().slice(0, 8)}`;
  it.each([
    {
      route: 'POST /v1/predictions',
      send: (key: string, slug: string) =>
        t.http.post('/v1/predictions').set(auth(t.adminKey)).set('Idempotency-Key', key).send({
          slug, title: 'Idempotent creation', statement: 'A prediction made once.', resolutionCriteria: 'Made once.', prior: 0.3,
          deadline: '2031-01-01T00:00:00.000Z',
        }),
      effects: (slug: string) => t.prisma.prediction.count({ where: { slug } }),
    },
    {
      route: 'POST /v1/predictions/:idOrSlug/override',
      send: (key: string, slug: string) => t.http.post(`/v1/predictions/${PREDICTION}/override`).set(auth(t.adminKey)).set('Idempotency-Key', key).send({ probability: 0.41, reason: slug }),
      effects: (slug: string) => t.prisma.auditEntry.count({ where: { kind: 'override', reason: slug } }),
    },
    {
      route: 'POST /v1/predictions/:idOrSlug/forecasts',
      send: (key: string, slug: string) => t.http.post(`/v1/predictions/${PREDICTION}/forecasts`).set(auth(t.adminKey)).set('Idempotency-Key', key).send({ probability: 0.37, note: slug }),
      effects: (slug: string) => t.prisma.forecast.count({ where: { note: slug } }),
    },
    {
      route: 'POST /v1/webhooks',
      send: (key: string, label: string) => t.http.post('/v1/webhooks').set(auth(t.adminKey)).set('Idempotency-Key', key).send({ url: `http://127.0.0.1:9/${label}`, events: ['*'] }),
      effects: (label: string) => t.prisma.webhookEndpoint.count({ where: { url: `http://127.0.0.1:9/${label}` } }),
    },
    {
      route: 'POST /v1/sources',
      send: (key: string, label: string) => t.http.post('/v1/sources').set(auth(t.adminKey)).set('Idempotency-Key', key).send({ name: label, kind: 'feed', url: `https://news.example.org/${label}.xml` }),
      effects: (label: string) => t.prisma.source.count({ where: { name: label } }),
    },
  ])('records the claim in the effect\'s transaction on $route too: a lost response is never run again', async ({ send, effects }) => {
    const key = randomUUID();
    const label = slugOf('lost');
    const first = await send(key, label);
    expect(first.status).toBeLessThan(300);
    const row = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { key } });
    expect(row.appliedAt).not.toBeNull();
    // As if the process had died between the commit and keeping the response, long enough ago for the lease to end.
    await t.prisma.idempotencyKey.update({ where: { id: row.id }, data: { completedAt: null, responseStatus: null, responseBody: null, lockedAt: new Date(Date.now() - 10 * 60_000) } });
    const retry = await send(key, label);
    expect([retry.status, retry.body.type]).toEqual([409, expect.stringMatching(/idempotency-key-response-lost/)]);
    expect(await effects(label)).toBe(1);
  });

  it('rotates a webhook secret once for a key whose response was lost: the secret the caller never saw is not pushed out', async () => {
    const created = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: 'http://127.0.0.1:9/rotated', events: ['*'] });
    const rotate = (key: string) => t.http.post(`/v1/webhooks/${created.body.id}/rotate-secret`).set(auth(t.adminKey)).set('Idempotency-Key', key).send();
    const key = randomUUID();
    expect((await rotate(key)).status).toBeLessThan(300);
    const rotated = await t.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.body.id } });
    const row = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { key } });
    await t.prisma.idempotencyKey.update({ where: { id: row.id }, data: { completedAt: null, responseStatus: null, responseBody: null, lockedAt: new Date(Date.now() - 10 * 60_000) } });
    expect((await rotate(key)).status).toBe(409);
    const after = await t.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.body.id } });
    expect([after.secret, after.previousSecret]).toEqual([rotated.secret, created.body.secret]);
  });

  it('takes over a stale claim that never took effect, once', async () => {
    const key = randomUUID();
    const body = evidence('Stale claim');
    expect((await postEvidence(key, body)).status).toBe(201);
    // Make the row look like a claim whose process died before its transaction: claimed long ago, nothing applied, no response.
    const row = await t.prisma.idempotencyKey.findFirstOrThrow({ where: { key } });
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await t.prisma.idempotencyKey.update({ where: { id: row.id }, data: { appliedAt: null, completedAt: null, responseStatus: null, responseBody: null, lockedAt: longAgo } });
    const takeover = await postEvidence(key, body);
    expect(takeover.status).toBe(201);
    expect(takeover.headers['idempotent-replayed']).toBeUndefined();
    expect(await evidenceCount(body.summary)).toBe(2);
    const replay = await postEvidence(key, body);
    expect([replay.status, replay.headers['idempotent-replayed'], replay.text]).toEqual([201, 'true', takeover.text]);
    expect(await evidenceCount(body.summary)).toBe(2);
  });

  it('refuses a malformed key with a 400 naming the header', async () => {
    for (const key of ['""', `"${'x'.repeat(256)}"`, '"unterminated', 'a b', 'é']) {
      const response = await postEvidence(key, evidence('Malformed key'));
      expect([key, response.status, response.body.errors?.[0]?.field]).toEqual([key, 400, 'Idempotency-Key']);
    }
    expect(await evidenceCount('Malformed key')).toBe(0);
  });

  it('replays other creating POSTs too: a webhook endpoint is created once, with the same secret', async () => {
    const key = randomUUID();
    const body = { url: 'http://127.0.0.1:9/hook', events: ['*'] };
    const first = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).set('Idempotency-Key', key).send(body);
    const second = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).set('Idempotency-Key', key).send(body);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    expect(await t.prisma.webhookEndpoint.count({ where: { url: body.url } })).toBe(1);
  });

  it('tells raw OPML imports apart by their bytes: the same document replays, another is a 422', async () => {
    const key = `"${randomUUID()}"`;
    const opml = (host: string) => `<?xml version="1.0"?><opml version="2.0"><body><outline text="f" xmlUrl="https://${host}/feed.xml"/></body></opml>`;
    const post = (document: string) => t.http.post('/v1/sources/import').set(auth(t.adminKey)).set('Idempotency-Key', key).set('Content-Type', 'text/x-opml').send(document);
    const first = await post(opml('one.example.org'));
    expect(first.status).toBe(201);
    const again = await post(opml('one.example.org'));
    expect([again.status, again.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(again.body).toEqual(first.body);
    const other = await post(opml('two.example.org'));
    expect([other.status, other.body.errors?.[0]?.field]).toEqual([422, 'Idempotency-Key']);
    expect(await t.prisma.source.count({ where: { url: { contains: 'two.example.org' } } })).toBe(0);
  });

  it('documents the header on every creating POST', async () => {
    const document = (await t.http.get('/openapi.json')).body as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
    const creating = [
      '/v1/predictions', '/v1/predictions/{idOrSlug}/override', '/v1/predictions/{idOrSlug}/resolve', '/v1/predictions/{idOrSlug}/undo-resolution',
      '/v1/predictions/{idOrSlug}/forecasts', '/v1/evidence', '/v1/evidence/{id}/retract', '/v1/indicators/{idOrSlug}/readings',
      '/v1/signals', '/v1/signals/{id}/accept', '/v1/signals/{id}/reject', '/v1/rules', '/v1/rules/{id}/rerun', '/v1/sources', '/v1/sources/import',
      '/v1/webhooks', '/v1/webhooks/{id}/rotate-secret', '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', '/v1/webhooks/{id}/test', '/v1/subscribers',
    ];
    const without = creating.filter((path) => !document.paths[path]?.post?.parameters?.some((parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key'));
    expect(without).toEqual([]);
  });
});
