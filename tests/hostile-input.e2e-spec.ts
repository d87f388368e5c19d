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
