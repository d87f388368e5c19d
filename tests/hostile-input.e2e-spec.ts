import { hostileRequests, readOperations, seededRandom, tableDigests, type FuzzOperation, type OpenApiDocument } from '#test/openapi-fuzz.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';

/** Sends a body as the bytes given (supertest would write a Buffer as JSON of its bytes). */
const asBytes = (body: unknown) => body as string;

/** Requests for every operation of the document, per operation. */
const REQUESTS_PER_OPERATION = 100;
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);

/**
 * A hostile but authorised client: targeted cases, then a fuzzer over every
 * operation of the served OpenAPI document (tests/support/openapi-fuzz.ts):
 * nulls, wrong types, huge numbers, long strings, bytes that are not UTF-8,
 * deep JSON, prototype keys, unknown fields, in the body at any depth, the
 * query and the path. Nothing may answer 5xx, every 4xx is problem+json and
 * every 400 names a field; no stored row changes; the audit trail still verifies.
 */
describe('hostile input', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  let operations: FuzzOperation[];

  beforeAll(async () => {
    // The fuzz sends thousands of requests a minute with one key: rate limits (tested on their own) would answer 429 instead of the handling under test.
    t = await createTestApp({ env: { RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_ADDRESS: '0' } });
    document = (await t.http.get('/openapi.json')).body as OpenApiDocument;
    operations = readOperations(document);
  });
  afterAll(() => t.close());

  it('refuses a lone surrogate in an override reason with a 400 naming the field, and the trail still verifies', async () => {
    const response = await t.http.post('/v1/predictions/deepseek-blacklisted-12m/override').set(auth(t.adminKey)).send({ probability: 0.4, reason: 'x \uD800' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'reason', message: expect.stringMatching(/surrogate/) })]);
    expect((await t.http.get('/v1/audit/verify').set(auth(t.adminKey))).body).toMatchObject({ ok: true, brokenCount: 0 });
  });

  it('answers JSON as UTF-8 with the length in bytes, so text beyond ASCII arrives whole', async () => {
    const title = 'Huawei Ascend → 50% of 国产 AI chips, naïvely 🚀';
    const created = await t.http
      .post('/v1/predictions')
      .set(auth(t.adminKey))
      .send({ slug: 'utf8-answer', title, statement: 'Ünïcode.', resolutionCriteria: 'None.', prior: 0.4, deadline: new Date(Date.now() + 86_400_000).toISOString() });
    expect(created.status).toBe(201);
    for (const path of ['/v1/predictions/utf8-answer', '/v1/predictions?limit=200']) {
      const response = await t.http.get(path).set(auth(t.adminKey));
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.text));
      expect(Buffer.byteLength(response.text)).toBeGreaterThan(response.text.length);
      expect(JSON.stringify(response.body)).toContain(JSON.stringify(title));
    }
  });

  it('refuses NUL in a body, a query and a path with a 400 naming where', async () => {
    const body = await t.http.post('/v1/evidence').set(auth(t.adminKey)).send({ summary: 'a\u0000b', impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 2 }] });
    expect([body.status, body.body.errors[0].field]).toEqual([400, 'summary']);
    const query = await t.http.get('/v1/evidence?prediction=a%00b').set(auth(t.adminKey));
    expect([query.status, query.body.errors[0].field]).toEqual([400, 'prediction']);
    const path = await t.http.get('/v1/predictions/a%00b').set(auth(t.adminKey));
    expect([path.status, path.body.errors[0].field]).toEqual([400, 'path']);
  });

  it('answers one message per field for a missing or wrong-typed value, with a hint for a likely mistake', async () => {
    const observedAt = new Date().toISOString();
    const missing = await t.http.post('/v1/evidence').set(auth(t.adminKey)).send({ summary: 'No impacts', observedAt });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: 'impacts', message: 'impacts is required' }]);
    const wrongType = await t.http.post('/v1/evidence').set(auth(t.adminKey)).send({ summary: 'Impacts as text', observedAt, impacts: 'deepseek-blacklisted-12m', reliability: '0.8' });
    expect(wrongType.body.errors).toEqual([
      { field: 'reliability', message: expect.stringMatching(/^reliability must be a number/) },
      { field: 'impacts', message: 'impacts must be an array' },
    ]);
    // A value of the right type keeps every rule it breaks.
    const tooMany = await t.http
      .post('/v1/evidence')
      .set(auth(t.adminKey))
      .send({ summary: 'Too many', observedAt, impacts: Array.from({ length: 51 }, () => ({ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 2 })) });
    expect(tooMany.body.errors).toEqual([{ field: 'impacts', message: expect.stringMatching(/no more than 50 elements/) }]);
    const percent = await t.http.post('/v1/predictions/deepseek-blacklisted-12m/forecasts').set(auth(t.adminKey)).send({ probability: 60 });
    expect(percent.body.errors).toEqual([{ field: 'probability', message: expect.stringContaining('60 looks like a percentage: send 0.6') }]);
    const localTime = await t.http
      .post('/v1/evidence')
      .set(auth(t.adminKey))
      .send({ summary: 'A local time', observedAt: '2026-11-20T09:30:00', impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 2 }] });
    expect(localTime.body.errors).toEqual([{ field: 'observedAt', message: expect.stringContaining('has no UTC offset, so its time zone is unknown: send 2026-11-20T09:30:00Z if it is UTC') }]);
  });

  it('refuses null for a text that cannot be empty in a PATCH', async () => {
    for (const field of ['title', 'statement', 'resolutionCriteria']) {
      const response = await t.http.patch('/v1/predictions/deepseek-blacklisted-12m').set(auth(t.adminKey)).send({ [field]: null });
      expect([response.status, response.body.errors?.[0]?.field]).toEqual([400, field]);
    }
  });

  it('refuses deeply nested JSON before parsing it, and reads no body at all without a valid key', async () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const started = performance.now();
    const keyed = await t.http.post('/v1/evidence').set(auth(t.adminKey)).set('Content-Type', 'application/json').send(deep);
    expect(keyed.status).toBe(400);
    expect(keyed.body).toMatchObject({ type: expect.stringContaining('body-too-deep'), errors: [{ field: 'body' }] });
    const unkeyed = await t.http.post('/v1/evidence').set('Content-Type', 'application/json').send(deep);
    expect(unkeyed.status).toBe(401);
    const badKey = await t.http.post('/v1/evidence').set(auth('bw_abcdefgh_notarealkeynotarealkey')).set('Content-Type', 'application/json').send('{"summary": ');
    expect(badKey.status).toBe(401);
    expect(performance.now() - started).toBeLessThan(5_000);
    // 32 levels are still fine: refused for what they say, not for how deep they are.
    const fine = await t.http.post('/v1/evidence').set(auth(t.adminKey)).send({ summary: JSON.parse('['.repeat(31) + ']'.repeat(31)) });
    expect(fine.status).toBe(400);
    expect(fine.body.type).not.toMatch(/body-too-deep/);
  });

  it('acts only on JSON bodies: a form, plain text, XML or a body without a type is a 415 problem+json', async () => {
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'name=sneaky&role=admin'],
      ['text/plain', '{"name":"sneaky","role":"admin"}'],
      ['application/xml', '<key><name>sneaky</name></key>'],
    ]) {
      const response = await t.http.post('/v1/api-keys').set(auth(t.adminKey)).set('Content-Type', type!).send(body);
      expect([response.status, response.headers['content-type'], response.body.errors?.[0]?.field]).toEqual([415, expect.stringMatching(/problem\+json/), 'Content-Type']);
    }
    expect((await t.prisma.apiKey.findMany({ where: { name: 'sneaky' } })).length).toBe(0);
  });

  it('refuses unknown query parameters and prototype keys instead of dropping them, naming them', async () => {
    const unknownOnPlainRoute = await t.http.get('/v1/predictions/deepseek-blacklisted-12m?admin=true').set(auth(t.adminKey));
    expect([unknownOnPlainRoute.status, unknownOnPlainRoute.body.errors[0].field]).toEqual([400, 'admin']);
    const unknownOnList = await t.http.get('/v1/predictions?admin=true').set(auth(t.adminKey));
    expect(unknownOnList.status).toBe(400);
    const proto = await t.http.post('/v1/api-keys').set(auth(t.adminKey)).set('Content-Type', 'application/json').send('{"name":"x","role":"viewer","__proto__":{"role":"admin"}}');
    expect([proto.status, proto.body.errors[0].field]).toEqual([400, '__proto__']);
    const nested = await t.http.post('/v1/evidence').set(auth(t.adminKey)).send({ summary: 's', impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 2, constructor: 1 }] });
    expect([nested.status, nested.body.errors[0].field]).toEqual([400, 'impacts[0].constructor']);
  });

  it('answers oversized headers with a 431 problem+json, and does not name its framework', async () => {
    const huge = await t.http.get('/v1/predictions').set(auth(t.adminKey)).set('X-Padding', 'a'.repeat(20_000));
    expect(huge.status).toBe(431);
    expect(huge.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.parse(huge.text)).toMatchObject({ status: 431, errors: [{ field: 'headers' }] });
    const plain = await t.http.get('/v1/predictions').set(auth(t.adminKey));
    expect(plain.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses to revoke the last active admin key, with a 409', async () => {
    const keys = (await t.http.get('/v1/api-keys').set(auth(t.adminKey))).body.items as { id: string; role: string; revokedAt: string | null }[];
    const bootstrap = keys.find((key) => key.role === 'admin' && key.revokedAt === null)!;
    const alone = await t.http.post(`/v1/api-keys/${bootstrap.id}/revoke`).set(auth(t.adminKey));
    expect([alone.status, alone.body.type]).toEqual([409, expect.stringContaining('last-admin-key')]);
    const second = await t.http.post('/v1/api-keys').set(auth(t.adminKey)).send({ name: 'second admin', role: 'admin' }).expect(201);
    await t.http.post(`/v1/api-keys/${bootstrap.id}/revoke`).set(auth(second.body.key)).expect(200);
    const last = await t.http.post(`/v1/api-keys/${second.body.id}/revoke`).set(auth(second.body.key));
    expect(last.status).toBe(409);
    t.adminKey = second.body.key;
  });

  it('takes only standard five-field cron schedules', async () => {
    for (const schedule of ['* * *', '@reboot', '0 0 * * * *']) {
      const response = await t.http.post('/v1/sources').set(auth(t.adminKey)).send({ name: `cron ${schedule}`, kind: 'feed', url: 'https://example.org/feed.xml', schedule });
      expect([response.status, response.body.errors?.[0]?.field]).toEqual([400, 'schedule']);
    }
  });

  it('refuses null for every field of a webhook or subscriber that cannot be empty, with a 400 naming it', async () => {
    const hook = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: 'https://hooks.example.org/nulls' }).expect(201);
    for (const field of ['url', 'events', 'format', 'predictions', 'enabled']) {
      const response = await t.http.patch(`/v1/webhooks/${hook.body.id as string}`).set(auth(t.adminKey)).send({ [field]: null });
      expect([response.status, response.body.errors?.[0]?.field]).toEqual([400, field]);
    }
    const subscriber = await t.http.post('/v1/subscribers').set(auth(t.adminKey)).send({ email: 'nulls@example.org', frequency: 'daily' }).expect(201);
    for (const field of ['email', 'frequency', 'predictions', 'timezone', 'sendHour', 'sendWeekday', 'subscribed']) {
      const response = await t.http.patch(`/v1/subscribers/${subscriber.body.id as string}`).set(auth(t.adminKey)).send({ [field]: null });
      expect([response.status, response.body.errors?.[0]?.field]).toEqual([400, field]);
    }
  });

  it('refuses a checkpoint sequence past a PostgreSQL integer, and a body that is not UTF-8, with a 400 naming the field', async () => {
    const checkpoint = { predictionId: '01a22405-0000-7000-8000-000000000001', hash: 'a'.repeat(64), signedAt: '2026-01-01T00:00:00Z', signature: 'AAAA' };
    for (const sequence of [2 ** 31, 1e308]) {
      const response = await t.http.post('/v1/audit/verify').set(auth(t.adminKey)).send({ checkpoints: [{ ...checkpoint, sequence }] });
      expect([response.status, response.body.errors?.[0]?.field]).toEqual([400, 'checkpoints[0].sequence']);
    }
    const bytes = Buffer.concat([Buffer.from('{"summary": "bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' bytes", "observedAt": "2026-01-01T00:00:00Z", "impacts": [{"prediction": "deepseek-blacklisted-12m", "likelihoodRatio": 2}]}')]);
    const before = await t.prisma.evidence.count();
    const response = await t.http.post('/v1/evidence').set(auth(t.adminKey)).set('Content-Type', 'application/json').serialize(asBytes).send(bytes);
    expect([response.status, response.body.errors?.[0]?.field]).toEqual([400, 'body']);
    expect(response.body.detail).toMatch(/UTF-8/);
    expect(await t.prisma.evidence.count()).toBe(before);
    // A route that takes no body refuses one, rather than act and ignore it.
    const ignored = await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).send({ sign: 'nothing' });
    expect([ignored.status, ignored.body.errors?.[0]?.field]).toEqual([400, 'sign']);
  });

  it('answers every hostile request to every operation of the document below 500, as problem+json naming the field, and changes no stored row', async () => {
    // Real records behind every path, so requests reach what lies past validation.
    const created = async (path: string, body: unknown) => {
      const response = await t.http.post(path).set(auth(t.adminKey)).send(body as object);
      if (response.status >= 300) throw new Error(`fixture ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body as Record<string, unknown>;
    };
    const example = (path: string) => operations.find((operation) => operation.method === 'post' && operation.path === path)!.validBody;
    const ids: Record<string, string> = {
      predictions: 'deepseek-blacklisted-12m',
      indicators: 'deepseek-hardware-hiring',
      evidence: (await created('/v1/evidence', example('/v1/evidence'))).id as string,
      sources: (await created('/v1/sources', example('/v1/sources'))).id as string,
      rules: (await created('/v1/rules', { ...(example('/v1/rules') as object), name: 'fuzz target rule' })).id as string,
      webhooks: (await created('/v1/webhooks', example('/v1/webhooks'))).id as string,
      subscribers: (await created('/v1/subscribers', example('/v1/subscribers'))).id as string,
      'api-keys': (await created('/v1/api-keys', { name: 'fuzz target', role: 'viewer' })).id as string,
      signals: ((await created('/v1/signals', example('/v1/signals'))).createdIds as string[])[0]!,
      'term-sets': ((await t.http.get('/v1/term-sets').set(auth(t.adminKey))).body.items as { name: string }[])[0]!.name,
    };
    ids.stories = (await t.http.get(`/v1/signals/${ids.signals}`).set(auth(t.adminKey))).body.storyId as string;
    const pathValue = (operation: FuzzOperation, name: string) => {
      const resource = operation.path.split('/')[2]!;
      if (name === 'itemId') return ids.signals!;
      if (name === 'deliveryId') return '01a22405-0000-7000-8000-000000000001';
      return ids[resource] ?? '01a22405-0000-7000-8000-000000000001';
    };

    expect(operations.length).toBeGreaterThanOrEqual(74);
    const before = await tableDigests(t.database.url);
    const random = seededRandom(SEED);
    const accepted: string[] = [];
    let sent = 0;
    for (const operation of operations) {
      for (const request of hostileRequests(document, operation, pathValue, random, REQUESTS_PER_OPERATION)) {
        let call = t.http[operation.method](request.url).set(auth(t.adminKey));
        if (request.body !== undefined) call = call.set('Content-Type', request.contentType).serialize(asBytes).send(request.body);
        const response = await call;
        sent += 1;
        const label = `${operation.method.toUpperCase()} ${request.url.slice(0, 120)} (${request.label})`;
        if (response.status >= 500) throw new Error(`${label} answered ${response.status}: ${JSON.stringify(response.body)} (FUZZ_SEED=${SEED})`);
        if (response.status >= 400) expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        if (response.status === 400 && typeof response.body.errors?.[0]?.field !== 'string') throw new Error(`${label} answered 400 without naming a field`);
        if (response.status < 300 && operation.method !== 'get') accepted.push(`${label}: ${response.status}`);
      }
    }
    expect(sent).toBe(operations.length * REQUESTS_PER_OPERATION);
    const after = await tableDigests(t.database.url);
    const changed = [...after].filter(([table, digest]) => before.get(table) !== digest).map(([table]) => table);
    if (changed.length > 0) throw new Error(`hostile requests changed ${changed.join(', ')}; writes that were accepted:\n${accepted.join('\n')}`);
    const verify = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
    expect(verify.body).toMatchObject({ ok: true, brokenCount: 0 });
  }, 900_000);
});
