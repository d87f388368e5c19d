import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';

interface Operation {
  operationId: string;
  summary?: string;
  security?: Record<string, string[]>[];
  'x-required-role'?: string;
  responses: Record<string, { $ref?: string; description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  requestBody?: { content: Record<string, { examples?: Record<string, unknown> }> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The OpenAPI document as served: ids, problems, roles and examples clients rely on, checked against the API's real answers. */
describe('the OpenAPI document (/openapi.json)', () => {
  let t: TestApp;
  let document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; responses: Record<string, Operation['responses'][string]> } };
  const operations: { path: string; method: string; operation: Operation }[] = [];
  const byId = (operationId: string): Operation => operations.find((entry) => entry.operation.operationId === operationId)!.operation;

  beforeAll(async () => {
    t = await createTestApp();
    document = (await t.http.get('/openapi.json').expect(200)).body;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) if (item[method]) operations.push({ path, method, operation: item[method] });
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 60_000);

  it('names every operation with a unique, readable operationId and gives it a summary', () => {
    const ids = operations.map((entry) => entry.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    expect(ids.filter((id) => id.includes('Controller'))).toEqual([]);
    expect(ids).toEqual(expect.arrayContaining(['listPredictions', 'createPrediction', 'getPredictionScorecard', 'recordEvidence', 'listSignals', 'acceptSignal', 'checkReadiness']));
    expect(operations.filter((entry) => !entry.operation.summary)).toEqual([]);
    expect(byId('listPredictions').summary).toBe('List predictions');
  }, 30_000);

  it('states the security and the role of every operation', () => {
    for (const { path, operation } of operations) {
      const isPublic = path.startsWith('/health/') || path.startsWith('/v1/unsubscribe/');
      expect([path, operation.security]).toEqual([path, isPublic ? [] : [{ bearer: [] }]]);
    }
    expect(byId('listPredictions')['x-required-role']).toBe('viewer');
    expect(byId('recordEvidence')['x-required-role']).toBe('analyst');
    expect(byId('undoPredictionResolution')['x-required-role']).toBe('admin');
    expect(byId('checkLiveness')['x-required-role']).toBe('none');
    expect(byId('createApiKey').responses['403']).toEqual({ $ref: '#/components/responses/Forbidden' });
    expect(byId('listPredictions').responses['403']).toBeUndefined();
  }, 30_000);

  it('documents the problem+json answers of every /v1 operation with the one Problem schema', () => {
    expect(document.components.schemas.Problem).toMatchObject({ required: ['type', 'title', 'status'] });
    for (const { path, operation } of operations.filter((entry) => entry.path.startsWith('/v1/'))) {
      expect([path, operation.responses['400']]).toEqual([path, { $ref: '#/components/responses/BadRequest' }]);
      expect([path, operation.responses['500']]).toEqual([path, { $ref: '#/components/responses/InternalError' }]);
      if (/\{\w+\}/.test(path)) expect([path, operation.responses['404']]).toEqual([path, { $ref: '#/components/responses/NotFound' }]);
      if (operation.requestBody) expect([path, operation.responses['413']]).toEqual([path, { $ref: '#/components/responses/PayloadTooLarge' }]);
      if (operation.requestBody) expect([path, operation.responses['415']]).toEqual([path, { $ref: '#/components/responses/UnsupportedMediaType' }]);
      for (const [status, response] of Object.entries(operation.responses).filter(([status]) => /^[45]/.test(status))) {
        const resolved = response.$ref ? document.components.responses[response.$ref.split('/').pop()!]! : response;
        expect([path, status, resolved.content?.['application/problem+json']?.schema]).toEqual([path, status, { $ref: '#/components/schemas/Problem' }]);
      }
    }
    expect(byId('recordEvidence').responses['409']!.description).toContain('https://bellwether.dev/problems/prediction-resolved');
  }, 30_000);

  it('says what the API really answers: 400, 401, 403, 404, 409 and 415 carry the documented problem types', async () => {
    const documented = (status: string, operationId: string): string => {
      const response = byId(operationId).responses[status]!;
      return (response.$ref ? document.components.responses[response.$ref.split('/').pop()!]! : response).description!;
    };
    const viewer = await t.keyFor('viewer');
    const answers = [
      { status: '401', operationId: 'listPredictions', response: await t.http.get('/v1/predictions') },
      { status: '403', operationId: 'createPrediction', response: await t.http.post('/v1/predictions').set(auth(viewer)).send({}) },
      { status: '404', operationId: 'getPrediction', response: await t.http.get('/v1/predictions/no-such-prediction').set(auth(viewer)) },
      { status: '400', operationId: 'listPredictions', response: await t.http.get('/v1/predictions?limit=500').set(auth(viewer)) },
      { status: '415', operationId: 'recordEvidence', response: await t.http.post('/v1/evidence').set(auth(t.adminKey)).set('Content-Type', 'text/plain').send('evidence') },
      {
        status: '409',
        operationId: 'createPrediction',
        response: await t.http.post('/v1/predictions').set(auth(t.adminKey)).send({
          slug: 'deepseek-blacklisted-12m', title: 'Taken', statement: 'Taken', resolutionCriteria: 'Taken', prior: 0.5, deadline: '2099-01-01T00:00:00Z',
        }),
      },
    ];
    for (const { status, operationId, response } of answers) {
      expect([operationId, response.status]).toEqual([operationId, Number(status)]);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(documented(status, operationId)).toContain(`\`${response.body.type}\``);
    }
  }, 30_000);

  it('carries examples of the main request bodies, and the API accepts them as they are', async () => {
    const example = Object.values(byId('createPrediction').requestBody!.content['application/json']!.examples!)[0] as { value: Record<string, unknown> };
    expect(example.value.slug).toBe('taiwan-export-controls-24m');
    await t.http.post('/v1/predictions').set(auth(t.adminKey)).send(example.value).expect(201);
    const evidence = Object.values(byId('recordEvidence').requestBody!.content['application/json']!.examples!)[0] as { value: unknown };
    await t.http.post('/v1/evidence').set(auth(t.adminKey)).send(evidence.value as object).expect(201);
  }, 30_000);

  it('passes the Redocly linter with no errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bellwether-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(document));
      const run = promisify(execFile);
      const { stdout, stderr } = await run(process.execPath, [join(process.cwd(), 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--config', join(process.cwd(), 'redocly.yaml'), '--format=summary'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      }).catch((error: { stdout: string; stderr: string }) => {
        throw new Error(`redocly lint failed:\n${error.stdout}\n${error.stderr}`);
      });
      expect(`${stdout}${stderr}`).toContain('valid');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
