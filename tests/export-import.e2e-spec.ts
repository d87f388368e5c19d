import type { AddressInfo } from 'node:net';

import { parse } from 'csv-parse/sync';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';

const DAY_MS = 86_400_000;

interface ExportDocument {
  format: string;
  version: number;
  exportedAt: string;
  tables: Record<string, Record<string, unknown>[]>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('export and import: the record as one streamed document, loaded back into an empty database', () => {
  let source: TestApp;
  let target: TestApp;
  let base: string;
  let analyst: string;
  let document: ExportDocument;
  const slugs = { open: 'export-open', resolved: 'export-resolved' };

  beforeAll(async () => {
    source = await createTestApp();
    target = await createTestApp({ env: { SEED: 'false' } });
    await source.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(source.app.getHttpServer().address() as AddressInfo).port}`;
    analyst = await source.keyFor('analyst');
    const secondAnalyst = await source.keyFor('analyst');
    const post = async (path: string, body: unknown, key = analyst, status = 201) => {
      const response = await source.http.post(path).set(auth(key)).send(body as object);
      if (response.status !== status) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body as { id: string; impacts?: unknown[]; crossings?: unknown[] };
    };
    for (const [name, slug] of Object.entries(slugs)) {
      await post('/v1/predictions', {
        slug,
        title: `Export ${name}`,
        statement: 'Something happens, "quoted", with a comma.',
        resolutionCriteria: 'True if it happens.',
        prior: 0.3,
        deadline: new Date(Date.now() + 200 * DAY_MS).toISOString(),
      });
    }
    const edited = await source.http.patch(`/v1/predictions/${slugs.open}`).set(auth(analyst)).send({ title: 'Export open, edited' });
    expect(edited.status).toBe(200);
    const both = await post('/v1/evidence', {
      summary: '=HYPERLINK("http://evil") both move',
      sourceUrl: 'https://example.org/a',
      observedAt: new Date().toISOString(),
      reliability: 0.8,
      impacts: [
        { prediction: slugs.open, likelihoodRatio: 3 },
        { prediction: slugs.resolved, direction: 'contradicts', strength: 'moderate' },
      ],
    });
    const retracted = await post('/v1/evidence', { summary: 'Later withdrawn', observedAt: new Date().toISOString(), impacts: [{ prediction: slugs.open, likelihoodRatio: 2 }] });
    await post(`/v1/evidence/${retracted.id}/retract`, { reason: 'The source withdrew it' }, analyst, 200);
    await post(`/v1/predictions/${slugs.open}/override`, { probability: 0.55, reason: 'Desk consensus' }, analyst, 200);
    const links = await source.http
      .put('/v1/indicators/deepseek-hardware-hiring/links')
      .set(auth(analyst))
      .send({ links: [{ prediction: slugs.open, threshold: 10, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5 }] });
    expect(links.status).toBe(200);
    await post('/v1/indicators/deepseek-hardware-hiring/readings', { value: 5, observedAt: new Date(Date.now() - 60_000).toISOString() });
    const crossing = await post('/v1/indicators/deepseek-hardware-hiring/readings', { value: 15, observedAt: new Date().toISOString() });
    expect(crossing.crossings).toHaveLength(1);
    for (const [key, probability] of [[analyst, 0.4], [secondAnalyst, 0.7], [analyst, 0.35]] as const) {
      await post(`/v1/predictions/${slugs.resolved}/forecasts`, { probability, note: 'my view' }, key);
      await post(`/v1/predictions/${slugs.open}/forecasts`, { probability }, key);
    }
    await pause(10);
    const occurredAt = new Date().toISOString();
    await pause(10);
    await post('/v1/evidence', { summary: 'After the fact', observedAt: occurredAt, impacts: [{ prediction: slugs.resolved, likelihoodRatio: 0.1 }] });
    await post(`/v1/predictions/${slugs.resolved}/resolve`, { outcome: 'false', note: 'It did not happen', occurredAt }, analyst, 200);
    expect(both.impacts).toHaveLength(2);

    const response = await source.http.get('/v1/export').set(auth(source.adminKey));
    expect(response.status).toBe(200);
    document = JSON.parse(response.text) as ExportDocument;
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  const importInto = (app: TestApp, body: unknown) =>
    app.http.post('/v1/import').set(auth(app.adminKey)).set('Content-Type', 'application/json').send(JSON.stringify(body));

  it('exports every table of the record, for admins only', async () => {
    expect(document).toMatchObject({ format: 'bellwether-export', version: 1 });
    expect(Object.keys(document.tables)).toEqual([
      'predictions',
      'revisions',
      'indicators',
      'indicatorLinks',
      'readings',
      'evidence',
      'impacts',
      'auditEntries',
      'forecasts',
      'trackScores',
    ]);
    const counts = await Promise.all([
      source.prisma.prediction.count(),
      source.prisma.predictionRevision.count(),
      source.prisma.indicatorReading.count(),
      source.prisma.evidence.count(),
      source.prisma.evidenceImpact.count(),
      source.prisma.auditEntry.count(),
      source.prisma.forecast.count(),
      source.prisma.trackScore.count(),
    ]);
    const { tables } = document;
    expect([tables.predictions, tables.revisions, tables.readings, tables.evidence, tables.impacts, tables.auditEntries, tables.forecasts, tables.trackScores].map((rows) => rows!.length)).toEqual(counts);
    expect(tables.trackScores!.length).toBeGreaterThanOrEqual(4);
    expect(tables.evidence!.some((row) => row.indicatorReadingId !== null)).toBe(true);
    expect(tables.revisions!.filter((row) => row.revision === 2)).toHaveLength(1);
    const viewer = await source.keyFor('analyst');
    expect((await source.http.get('/v1/export').set(auth(viewer))).status).toBe(403);
    expect((await source.http.post('/v1/import').set(auth(viewer)).send({})).status).toBe(403);
  });

  it('streams the document in chunks, with no length known in advance', async () => {
    const response = await fetch(`${base}/v1/export`, { headers: auth(source.adminKey) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="bellwether-export-\d{4}-\d{2}-\d{2}\.json"$/);
    const streamed = (await response.json()) as ExportDocument;
    expect(streamed.tables).toEqual(document.tables);
  });

  it('exports a table as CSV that parses back to the same rows', async () => {
    const response = await source.http.get('/v1/export?format=csv&table=evidence').set(auth(source.adminKey));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const records = parse(response.text, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(document.tables.evidence!.length);
    const byId = new Map(records.map((record) => [record.id, record]));
    for (const row of document.tables.evidence!) {
      const record = byId.get(row.id as string)!;
      expect(record.observedAt).toBe(row.observedAt);
      expect(Number(record.reliability)).toBe(row.reliability);
      expect(record.indicatorReadingId).toBe(row.indicatorReadingId ?? '');
      // A formula is defused for spreadsheets; other text is as stored.
      expect(record.summary).toBe((row.summary as string).startsWith('=') ? `'${row.summary as string}` : row.summary);
    }
    const audit = await source.http.get('/v1/export?format=csv&table=auditEntries').set(auth(source.adminKey));
    const entries = parse(audit.text, { columns: true }) as Record<string, string>[];
    expect(entries).toHaveLength(document.tables.auditEntries!.length);
    const resolution = entries.find((entry) => entry.kind === 'resolution')!;
    expect(JSON.parse(resolution.detail!)).toEqual(document.tables.auditEntries!.find((entry) => entry.id === resolution.id)!.detail);

    const missing = await source.http.get('/v1/export?format=csv').set(auth(source.adminKey));
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('table');
    const unknown = await source.http.get('/v1/export?format=csv&table=apiKeys').set(auth(source.adminKey));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('table');
  });

  it('refuses a tampered export, naming the entry, and writes nothing', async () => {
    const tampered = clone(document);
    const resolved = tampered.tables.predictions!.find((prediction) => prediction.slug === slugs.resolved)!;
    const index = tampered.tables.auditEntries!.findIndex((entry) => entry.predictionId === resolved.id && entry.sequence === 2);
    tampered.tables.auditEntries![index]!.deltaLogOdds = (tampered.tables.auditEntries![index]!.deltaLogOdds as number) / 2;
    const response = await importInto(target, tampered);
    expect(response.status).toBe(400);
    expect(response.body.type).toBe('https://bellwether.dev/problems/import-audit-chain-broken');
    expect(response.body.errors[0].field).toBe(`tables.auditEntries[${index}]`);
    expect(response.body.detail).toContain(`entry 2 of prediction ${resolved.id as string} (${slugs.resolved})`);
    expect(response.body.detail).toContain('hash_mismatch');

    // Rewritten and re-hashed from there on, the chain holds but the prediction's head does not.
    const removed = clone(document);
    const open = removed.tables.predictions!.find((prediction) => prediction.slug === slugs.open)!;
    const last = removed.tables.auditEntries!.findIndex((entry) => entry.predictionId === open.id && entry.sequence === open.auditSequence);
    removed.tables.auditEntries!.splice(last, 1);
    const truncated = await importInto(target, removed);
    expect(truncated.status).toBe(400);
    expect(truncated.body.detail).toContain(`entry ${open.auditSequence as number} of prediction ${open.id as string}`);
    expect(truncated.body.detail).toContain('head_mismatch');
    expect(await target.prisma.prediction.count()).toBe(0);
  });

  it('rolls back a half-written import: a row referring to one the export lacks leaves the database empty', async () => {
    const dangling = clone(document);
    const derived = dangling.tables.evidence!.find((row) => row.indicatorReadingId !== null)!;
    dangling.tables.readings = dangling.tables.readings!.filter((reading) => reading.id !== derived.indicatorReadingId);
    const response = await importInto(target, dangling);
    expect(response.status).toBe(400);
    expect(response.body.type).toBe('https://bellwether.dev/problems/import-inconsistent');
    expect(response.body.errors[0].field).toBe('tables.evidence');
    // Predictions, revisions and indicators were written before the evidence failed; all of it is gone.
    expect(await target.prisma.prediction.count()).toBe(0);
    expect(await target.prisma.indicator.count()).toBe(0);

    const bad = clone(document);
    bad.tables.forecasts![0]!.createdAt = '2026-01-01 10:00';
    const refused = await importInto(target, bad);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].field).toBe('tables.forecasts[0].createdAt');
    expect((await importInto(target, { ...document, version: 2 })).body.errors[0].field).toBe('version');
  });

  it('round-trips: the imported record verifies, with the same probabilities, forecasts and scores', async () => {
    const response = await importInto(target, document);
    expect(response.status).toBe(201);
    expect(response.body.chains).toBe(document.tables.predictions!.length);
    expect(response.body.entries).toBe(document.tables.auditEntries!.length);
    expect(response.body.tables.evidence).toBe(document.tables.evidence!.length);

    const verify = await target.http.get('/v1/audit/verify').set(auth(target.adminKey));
    expect(verify.body).toMatchObject({ ok: true, chains: document.tables.predictions!.length, entries: document.tables.auditEntries!.length });

    const get = (app: TestApp, path: string) => app.http.get(path).set(auth(app.adminKey));
    for (const slug of Object.values(slugs)) {
      const [before, after] = await Promise.all([get(source, `/v1/predictions/${slug}`), get(target, `/v1/predictions/${slug}`)]);
      expect(after.status).toBe(200);
      expect(after.body.probability).toBe(before.body.probability);
      const [historyBefore, historyAfter] = await Promise.all([get(source, `/v1/predictions/${slug}/history`), get(target, `/v1/predictions/${slug}/history`)]);
      expect(historyAfter.body).toEqual(historyBefore.body);
      const [forecastsBefore, forecastsAfter] = await Promise.all([get(source, `/v1/predictions/${slug}/forecasts`), get(target, `/v1/predictions/${slug}/forecasts`)]);
      expect(forecastsAfter.body).toEqual(forecastsBefore.body);
    }
    const [scoresBefore, scoresAfter] = await Promise.all([get(source, '/v1/scorecards'), get(target, '/v1/scorecards')]);
    expect(scoresAfter.status).toBe(200);
    expect(scoresAfter.body).toEqual(scoresBefore.body);

    // The target exports what it was given.
    const again = JSON.parse((await get(target, '/v1/export')).text) as ExportDocument;
    expect(again.tables).toEqual(document.tables);
  });

  it('imports only into an empty database (409)', async () => {
    const twice = await importInto(target, document);
    expect(twice.status).toBe(409);
    expect(twice.body.type).toBe('https://bellwether.dev/problems/import-target-not-empty');
    expect((await importInto(source, document)).status).toBe(409);
  });
});
