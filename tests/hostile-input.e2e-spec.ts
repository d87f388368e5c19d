import fc from 'fast-check';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  bodyProperties: string[];
  queryParameters: string[];
}

type Schema = { $ref?: string; properties?: Record<string, unknown> };

/** Every /v1 operation of the served OpenAPI document, with the names of its body properties and query parameters. */
function operationsOf(document: { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>; components?: { schemas?: Record<string, Schema> } }): Operation[] {
  const resolve = (schema: Schema | undefined): Schema | undefined => (schema?.$ref ? document.components?.schemas?.[schema.$ref.split('/').pop()!] : schema);
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .filter(() => path.startsWith('/v1/'))
      .map(([method, operation]) => ({
        method: method as Operation['method'],
        path,
        bodyProperties: Object.keys(resolve(operation.requestBody?.content?.['application/json']?.schema)?.properties ?? {}),
        queryParameters: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
      })),
  );
}

/** Values no handler should ever turn into a 5xx. */
const hostileValue = fc.oneof(
  fc.constantFrom(null, '', 'x\u0000y', 'x \uD800', '\uDC00', '__proto__', 'constructor', -1, 0, 1e308, true, [], {}, [null], { __proto__: { admin: true } }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.constant('x'.repeat(100_000)),
  fc.constant(JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown),
);
const hostileSegment = fc.oneof(fc.constantFrom('%00', 'a%00b', '%ED%A0%80', '%', 'deepseek-blacklisted-12m', '00000000-0000-0000-0000-000000000000', 'x'.repeat(300)), fc.string({ maxLength: 20 }).map(encodeURIComponent));

/**
 * A fuzzer over the OpenAPI document, as a hostile but authorised client:
 * wrong types, NUL, lone surrogates, huge strings, prototype keys and deep
 * nesting in every field of every operation. Nothing may answer 5xx, every
 * 400 names a field in problem+json, and the audit trail still verifies.
 */
describe('hostile input', () => {
  let t: TestApp;
  let operations: Operation[];

  beforeAll(async () => {
    t = await createTestApp();
    operations = operationsOf((await t.http.get('/openapi.json')).body);
  });
  afterAll(() => t.close());

  const expectProblem = (response: { status: number; headers: Record<string, string>; body: { errors?: { field: string }[] } }, label: string) => {
    if (response.status >= 500) throw new Error(`${label} answered ${response.status}: ${JSON.stringify(response.body)}`);
    if (response.status >= 400) expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    if (response.status === 400) expect(response.body.errors?.[0]?.field).toEqual(expect.any(String));
  };

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

  it('answers every fuzzed request of every operation with a non-5xx, and problem+json naming the field', async () => {
    expect(operations.length).toBeGreaterThan(30);
    const before = await t.prisma.auditEntry.count();
    const request = fc.record({
      operation: fc.constantFrom(...operations),
      segment: hostileSegment,
      field: fc.nat(),
      value: hostileValue,
      queryValue: fc.oneof(fc.constantFrom('%00', '%ED%A0%80', '-1', 'x'.repeat(5000), '__proto__'), fc.string({ maxLength: 10 }).map(encodeURIComponent)),
      extraKey: fc.constantFrom(null, '__proto__', 'constructor', 'unknownField', 'a\u0000'),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ operation, segment, field, value, queryValue, extraKey }) => {
        const path = operation.path.replace(/\{[^}]+\}/g, segment);
        const query = operation.queryParameters.length > 0 ? `?${operation.queryParameters[field % operation.queryParameters.length]}=${queryValue}` : '';
        const body: Record<string, unknown> = {};
        if (operation.bodyProperties.length > 0) body[operation.bodyProperties[field % operation.bodyProperties.length]!] = value;
        if (extraKey) body[extraKey] = 1;
        const call = t.http[operation.method](path + query).set(auth(t.adminKey));
        const response = operation.method === 'get' || operation.method === 'delete' ? await call : await call.send(body);
        expectProblem(response, `${operation.method.toUpperCase()} ${path}${query} ${JSON.stringify(body).slice(0, 200)}`);
      }),
      { numRuns: 3000 },
    );
    // Whatever was accepted on the way, the trail still verifies.
    const verify = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
    expect(verify.body).toMatchObject({ ok: true, brokenCount: 0 });
    expect(await t.prisma.auditEntry.count()).toBeGreaterThanOrEqual(before);
  }, 600_000);
});
