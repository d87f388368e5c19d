import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';

import type { paths } from '#apps/cli/src/bellwether-api.js';
import { createTestApp, type TestApp } from '#test/test-app.js';

const GENERATED = join(process.cwd(), 'apps/cli/src/bellwether-api.ts');

const USED_OPERATIONS = ['listPredictions', 'createPrediction', 'resolvePrediction', 'getPredictionScorecard', 'recordEvidence', 'listSignals', 'acceptSignal'];
const USED_SCHEMAS = [
  'Problem', 'PredictionDto', 'PredictionPageDto', 'CreatePredictionDto', 'ResolveDto', 'ScorecardDto', 'TopEvidenceDto', 'ChangeDto',
  'RecordEvidenceDto', 'EvidenceImpactDto', 'RecordedEvidenceDto', 'EvidenceMoveDto', 'SignalPageDto', 'SignalDto', 'SignalMatchDto', 'AcceptSignalDto', 'AcceptedSignalDto',
];

/** The declaration `name: {...};` at this indentation in openapi-typescript's output (operations at 4 spaces, schemas at 8). */
function block(source: string, indent: number, name: string): string {
  const pad = ' '.repeat(indent);
  const start = source.indexOf(`\n${pad}${name}: {\n`);
  if (start < 0) return `(no ${name})`;
  const end = source.indexOf(`\n${pad}};`, start + 1);
  return source.slice(start, end);
}

/**
 * A client generated from the served document, driven against the live API: the types the CLI
 * and the README's snippet compile against are the ones the server describes, and they hold.
 */
describe('a typed client generated from /openapi.json (openapi-typescript, openapi-fetch)', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 60_000);

  it('generates from the served document the same types the CLI and this test compile against (npm run generate:client)', async () => {
    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as Parameters<typeof openapiTS>[0];
    const generated = astToString(await openapiTS(document, { defaultNonNullable: false }));
    const committed = await readFile(GENERATED, 'utf8');
    // The operations and schemas the client relies on must match to the byte; if not: npm run build && npm run generate:client.
    for (const name of USED_OPERATIONS) expect(block(committed, 4, name)).toBe(block(generated, 4, name));
    for (const name of USED_SCHEMAS) expect(block(committed, 8, name)).toBe(block(generated, 8, name));
  }, 30_000);

  it('creates a prediction, records evidence, reads the scorecard, and gets a 409 as typed data', async () => {
    const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${await t.keyFor('analyst')}` } });

    const created = await client.POST('/v1/predictions', {
      body: {
        slug: 'typed-client-prediction',
        title: 'A prediction made by the typed client',
        statement: 'Something happens before the deadline.',
        resolutionCriteria: 'A public record says it happened.',
        prior: 0.3,
        deadline: '2099-01-01T00:00:00Z',
      },
    });
    expect(created.response.status).toBe(201);
    expect(created.data!.probability).toBeCloseTo(0.3, 10);

    const recorded = await client.POST('/v1/evidence', {
      body: { summary: 'A strong sign', observedAt: new Date().toISOString(), impacts: [{ prediction: 'typed-client-prediction', likelihoodRatio: 3 }] },
    });
    expect(recorded.error).toBeUndefined();
    const move = recorded.data!.impacts[0]!;
    expect(move.probabilityBefore).toBeCloseTo(0.3, 10);
    expect(move.probabilityAfter).toBeCloseTo(0.5625, 10); // odds 3/7 * 3 = 9/7

    const scorecard = await client.GET('/v1/predictions/{idOrSlug}/scorecard', { params: { path: { idOrSlug: 'typed-client-prediction' } } });
    expect(scorecard.data!.probability).toBeCloseTo(0.5625, 10);
    expect(scorecard.data!.topEvidence.map((item) => item.evidenceId)).toEqual([recorded.data!.id]);

    const page = await client.GET('/v1/predictions', { params: { query: { limit: 200 } } });
    expect(page.data!.items.map((prediction) => prediction.slug)).toContain('typed-client-prediction');

    await client.POST('/v1/predictions/{idOrSlug}/resolve', {
      params: { path: { idOrSlug: 'typed-client-prediction' } },
      body: { outcome: 'true', note: 'It happened' },
    });
    const refused = await client.POST('/v1/evidence', {
      body: { summary: 'Too late', observedAt: new Date().toISOString(), impacts: [{ prediction: 'typed-client-prediction', likelihoodRatio: 2 }] },
    });
    expect(refused.data).toBeUndefined();
    expect(refused.response.status).toBe(409);
    // `error` is typed as the document's Problem: branch on its stable type.
    expect(refused.error!.type).toBe('https://bellwether.dev/problems/prediction-resolved');
    expect(refused.error!.status).toBe(409);
    expect(refused.error!.errors?.[0]?.field).toBe('impacts[0].prediction');
  }, 30_000);
});
