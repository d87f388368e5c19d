import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { parse } from 'csv-parse/sync';

import { auditEntryContent, hashAuditEntry, probabilityFromLogOdds, publicKeyText, signCheckpoint, keyIdOf, type AuditEntryFields } from '#core';
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
  // The source deployment signs with a key of its own, as another deployment would.
  const sourcePair = generateKeyPairSync('ed25519');
  const sourceKey = publicKeyText(sourcePair.publicKey);

  beforeAll(async () => {
    source = await createTestApp({ env: { AUDIT_SIGNING_KEY: sourcePair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() } });
    target = await createTestApp({ env: { SEED: 'false' } });
    await source.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(source.app.getHttpServer().address() as AddressInfo).port}`;
    analyst = await source.keyFor('analyst');
    const secondAnalyst = await source.keyFor('analyst');
    const post = async (path: string, body: unknown, key = analyst, status = 201) => {
      const response = await source.http.post(path).set(auth(key)).send(body as object);
      if (response.status !== status) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body as { id: string; storyId?: string; impacts?: unknown[]; crossings?: unknown[] };
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
    // A second item of the same story: it counts once (its story's standing is exported and checked on import).
    await post('/v1/evidence', { summary: 'A second outlet on the notice', storyId: both.storyId, observedAt: new Date().toISOString(), impacts: [{ prediction: slugs.open, likelihoodRatio: 2 }] });
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

    // Checkpoints travel too: a copy saved from the source verifies in the target.
    await source.http.post('/v1/audit/checkpoints').set(auth(source.adminKey)).expect(201);
    const response = await source.http.get('/v1/export').set(auth(source.adminKey));
    expect(response.status).toBe(200);
    document = JSON.parse(response.text) as ExportDocument;
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  const importInto = (app: TestApp, body: unknown, trustedKey?: string) =>
    app.http
      .post(`/v1/import${trustedKey ? `?trustedKey=${encodeURIComponent(trustedKey)}` : ''}`)
      .set(auth(app.adminKey))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));

  /** Refused with a 400 naming the table, row and field, and nothing written. */
  const expectRefused = async (body: unknown, field: RegExp | string, type = 'import-inconsistent', trustedKey?: string) => {
    const response = await importInto(target, body, trustedKey);
    expect([response.status, response.body.type]).toEqual([400, `https://bellwether.dev/problems/${type}`]);
    if (typeof field === 'string') expect(response.body.errors[0].field).toBe(field);
    else expect(response.body.errors[0].field).toMatch(field);
    expect(await target.prisma.prediction.count()).toBe(0);
    expect(await target.prisma.forecast.count()).toBe(0);
    return response;
  };

  const predictionOf = (doc: ExportDocument, slug: string) => doc.tables.predictions!.find((prediction) => prediction.slug === slug)!;

  /**
   * What someone holding the data does to an export: change one entry of a chain and recompute every
   * log-odds, probability and hash after it, and the prediction's head, so that the chain verifies.
   */
  function rehash(doc: ExportDocument, predictionId: string, sequence: number, change: (entry: Record<string, unknown>) => void): void {
    const prediction = doc.tables.predictions!.find((row) => row.id === predictionId)!;
    const chain = doc.tables.auditEntries!.filter((entry) => entry.predictionId === predictionId).sort((a, b) => (a.sequence as number) - (b.sequence as number));
    let prevHash = sequence > 1 ? (chain[sequence - 2]!.hash as string) : '0'.repeat(64);
    let logOdds = sequence > 1 ? (chain[sequence - 2]!.logOddsAfter as number) : (prediction.priorLogOdds as number);
    for (const entry of chain.slice(sequence - 1)) {
      if (entry.sequence === sequence) change(entry);
      entry.logOddsBefore = logOdds;
      entry.logOddsAfter = logOdds + (entry.deltaLogOdds as number);
      entry.probabilityBefore = probabilityFromLogOdds(entry.logOddsBefore as number);
      entry.probabilityAfter = probabilityFromLogOdds(entry.logOddsAfter as number);
      entry.prevHash = prevHash;
      entry.hash = hashAuditEntry(prevHash, auditEntryContent(entry as unknown as AuditEntryFields));
      prevHash = entry.hash as string;
      logOdds = entry.logOddsAfter as number;
    }
    Object.assign(prediction, { logOdds, probability: probabilityFromLogOdds(logOdds), auditHash: prevHash });
  }

  it('exports every table of the record, for admins only', async () => {
    expect(document).toMatchObject({ format: 'bellwether-export', version: 2 });
    expect(Object.keys(document.tables)).toEqual([
      'predictions',
      'revisions',
      'indicators',
      'indicatorLinks',
      'readings',
      'evidence',
      'impacts',
      'auditEntries',
      'storyImpacts',
      'chainHeads',
      'auditCheckpoints',
      'auditKeys',
      'auditKeyEndorsements',
      'forecasts',
      'trackScores',
    ]);
    // Every head was signed as it moved, with the deployment's key, which the export carries.
    expect(document.tables.chainHeads!.length).toBeGreaterThanOrEqual(document.tables.predictions!.length);
    expect(document.tables.auditKeys).toEqual([expect.objectContaining({ publicKey: sourceKey, origin: 'local' })]);
    const counts = await Promise.all([
      source.prisma.prediction.count(),
      source.prisma.predictionRevision.count(),
      source.prisma.indicatorReading.count(),
      source.prisma.evidence.count(),
      source.prisma.evidenceImpact.count(),
      source.prisma.auditEntry.count(),
      source.prisma.evidenceStoryImpact.count(),
      source.prisma.forecast.count(),
      source.prisma.trackScore.count(),
    ]);
    const { tables } = document;
    expect(
      [tables.predictions, tables.revisions, tables.readings, tables.evidence, tables.impacts, tables.auditEntries, tables.storyImpacts, tables.forecasts, tables.trackScores].map(
        (rows) => rows!.length,
      ),
    ).toEqual(counts);
    expect(tables.storyImpacts!.some((row) => row.liveItems === 2)).toBe(true);
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
    expect((await importInto(target, { ...document, version: 3 })).body.errors[0].field).toBe('version');
  });

  it('refuses a story ledger the evidence and trail do not imply, and writes nothing', async () => {
    const tampered = clone(document);
    const index = tampered.tables.storyImpacts!.findIndex((row) => row.liveItems === 2);
    tampered.tables.storyImpacts![index]!.appliedDeltaLogOdds = 0;
    const response = await importInto(target, tampered);
    expect(response.status).toBe(400);
    expect(response.body.type).toBe('https://bellwether.dev/problems/import-inconsistent');
    expect(response.body.errors[0].field).toBe(`tables.storyImpacts[${index}].appliedDeltaLogOdds`);
    expect(await target.prisma.prediction.count()).toBe(0);
  });

  it('refuses each value the API would refuse and each derived value that does not follow, naming table, row and field, and writes nothing', async () => {
    // A forecast probability outside what the API takes (it would make every later logit throw).
    const outOfRange = clone(document);
    outOfRange.tables.forecasts![1]!.probability = 1.5;
    await expectRefused(outOfRange, 'tables.forecasts[1].probability', 'import-invalid');
    // A number past a PostgreSQL integer, and an enum the API does not know.
    const huge = clone(document);
    huge.tables.auditEntries![0]!.sequence = 2 ** 31;
    await expectRefused(huge, 'tables.auditEntries[0].sequence', 'import-invalid');
    const kind = clone(document);
    kind.tables.impacts![0]!.direction = 'sideways';
    await expectRefused(kind, 'tables.impacts[0].direction', 'import-invalid');
    const long = clone(document);
    long.tables.predictions![0]!.title = 'x'.repeat(301);
    await expectRefused(long, 'tables.predictions[0].title', 'import-invalid');

    // A prediction's probability that is not the probability of its log-odds.
    const probability = clone(document);
    const index = probability.tables.predictions!.findIndex((prediction) => prediction.slug === slugs.open);
    probability.tables.predictions![index]!.probability = 0.999;
    await expectRefused(probability, `tables.predictions[${index}].probability`);

    // A kept Brier score set to 0.
    const brier = clone(document);
    const kept = brier.tables.trackScores!.findIndex((row) => row.track === 'model');
    brier.tables.trackScores![kept]!.brier = 0;
    await expectRefused(brier, `tables.trackScores[${kept}].brier`);

    // A forecast of the resolved prediction edited from what the analyst said: its kept scores no longer follow.
    const forecast = clone(document);
    const resolvedId = predictionOf(forecast, slugs.resolved).id;
    // (Its latest: an earlier one of the same day never counts, as scores take each day's last probability.)
    forecast.tables.forecasts!.find((row) => row.predictionId === resolvedId && row.probability === 0.35)!.probability = 0.999;
    await expectRefused(forecast, /^tables\.trackScores\[\d+\]\.(probability|brier|logScore|timeAveragedBrier)$/);

    // An impact whose move is not reliability × ln(likelihood ratio).
    const impact = clone(document);
    impact.tables.impacts![0]!.deltaLogOdds = (impact.tables.impacts![0]!.deltaLogOdds as number) * 2;
    await expectRefused(impact, 'tables.impacts[0].deltaLogOdds');
  });

  it('refuses a fully re-hashed chain by its signed heads, and a re-hashed and re-signed one by the key the importer trusts', async () => {
    // The override made to say more, so the prediction ends at 0.991; every hash recomputed: the chain verifies, its signed heads do not.
    const rehashed = clone(document);
    const open = predictionOf(rehashed, slugs.open);
    expect(open.probability).toBeLessThan(0.9);
    const override = rehashed.tables.auditEntries!.filter((entry) => entry.predictionId === open.id && entry.kind === 'override').at(-1)!;
    const shift = Math.log(0.991 / 0.009) - (open.logOdds as number);
    rehash(rehashed, open.id as string, override.sequence as number, (entry) => {
      entry.deltaLogOdds = (entry.deltaLogOdds as number) + shift;
    });
    expect(predictionOf(rehashed, slugs.open).probability).toBeCloseTo(0.991, 6);
    const signedAt = rehashed.tables.chainHeads!.findIndex((head) => head.predictionId === open.id && head.sequence === override.sequence);
    const refused = await expectRefused(rehashed, `tables.chainHeads[${signedAt}].hash`, 'import-signature-invalid');
    expect(refused.body.detail).toContain('head_signature_mismatch');

    // Re-signed with a key of the forger's own, it is consistent: only the real public key tells.
    const forger = generateKeyPairSync('ed25519');
    const forgerKey = publicKeyText(forger.publicKey);
    const resigned = clone(rehashed);
    resigned.tables.auditKeys = [{ ...resigned.tables.auditKeys![0]!, id: keyIdOf(forgerKey), publicKey: forgerKey }];
    resigned.tables.auditKeyEndorsements = [];
    resigned.tables.auditCheckpoints = [];
    resigned.tables.chainHeads = resigned.tables.chainHeads!.map((head) => {
      const hash = resigned.tables.auditEntries!.find((entry) => entry.predictionId === head.predictionId && entry.sequence === head.sequence)!.hash as string;
      const signed = signCheckpoint({ predictionId: head.predictionId as string, sequence: head.sequence as number, hash, signedAt: head.signedAt as string }, forger.privateKey);
      return { ...head, hash, keyId: keyIdOf(forgerKey), signature: signed.signature };
    });
    const untrusted = await expectRefused(resigned, /^tables\.chainHeads\[\d+\]\.keyId$/, 'import-signature-invalid', sourceKey);
    expect(untrusted.body.detail).toContain('head_signature_untrusted');
    // A forged signature, and a key the importer names that never signed this export.
    const garbage = clone(document);
    garbage.tables.chainHeads![0]!.signature = Buffer.alloc(64, 7).toString('base64');
    await expectRefused(garbage, 'tables.chainHeads[0].signature', 'import-signature-invalid');
    await expectRefused(document, /^tables\.chainHeads\[\d+\]\.keyId$/, 'import-signature-invalid', publicKeyText(forger.publicKey));
  });

  it('imports an export from before stories: each evidence its own story, the ledger rebuilt from the trail', async () => {
    const legacy = await createTestApp({ env: { SEED: 'false' } });
    try {
      const old = clone(document);
      delete old.tables.storyImpacts;
      // Only evidence that is a story of its own can have been exported before stories.
      const grouped = new Set(old.tables.evidence!.map((row) => row.storyId).filter((id, index, all) => all.indexOf(id) !== index));
      old.tables.evidence = old.tables.evidence!.map(({ storyId, namedStoryId: _named, canonicalUrl: _url, independenceReason: _reason, ...row }) => (grouped.has(storyId) ? { ...row, storyId } : row));
      const response = await importInto(legacy, old);
      expect(response.status).toBe(201);
      const rows = await legacy.prisma.evidenceStoryImpact.findMany();
      expect(rows).toHaveLength(document.tables.storyImpacts!.length);
      const strip = ({ id: _id, storyId: _story, createdAt: _created, updatedAt: _updated, ...row }: Record<string, unknown>) => row;
      const key = (row: Record<string, unknown>) => `${row.predictionId as string}/${row.strongestEvidenceId as string}/${row.liveItems as number}`;
      expect(rows.map(strip).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(document.tables.storyImpacts!.map(strip).sort((a, b) => key(a).localeCompare(key(b))));
      const ungrouped = await legacy.prisma.evidence.findMany({ where: { storyId: { notIn: [...grouped] as string[] } } });
      expect(ungrouped.every((row) => row.storyId === row.id)).toBe(true);
    } finally {
      await legacy.close();
    }
  });

  it('round-trips: the imported record verifies, with the same probabilities, forecasts and scores', async () => {
    const response = await importInto(target, document, sourceKey);
    expect(response.status).toBe(201);
    expect(response.body.signatures).toMatchObject({ trust: 'named', signedHeads: document.tables.chainHeads!.length, keys: [{ publicKey: sourceKey, trusted: true }] });
    expect(response.body.chains).toBe(document.tables.predictions!.length);
    expect(response.body.entries).toBe(document.tables.auditEntries!.length);
    expect(response.body.tables.evidence).toBe(document.tables.evidence!.length);

    const verify = await target.http.get('/v1/audit/verify').set(auth(target.adminKey));
    expect(verify.body).toMatchObject({ ok: true, chains: document.tables.predictions!.length, entries: document.tables.auditEntries!.length });
    // Checkpoints saved from the source verify in the target: its key endorses the source's.
    const saved = (await source.http.get('/v1/audit/checkpoints').set(auth(source.adminKey))).body.items as Record<string, unknown>[];
    const copies = saved.map(({ predictionId, sequence, hash, signedAt, signature }) => ({ predictionId, sequence, hash, signedAt, signature }));
    const withCopies = await target.http.post('/v1/audit/verify').set(auth(target.adminKey)).send({ checkpoints: copies });
    expect(withCopies.body).toMatchObject({ ok: true, brokenCount: 0 });
    expect(withCopies.body.witness.proofs).toHaveLength(copies.length);

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

    // The target exports what it was given, and its own key beside the exporter's, which it endorses.
    const again = JSON.parse((await get(target, '/v1/export')).text) as ExportDocument;
    const { auditKeys, auditKeyEndorsements, ...record } = again.tables;
    const { auditKeys: sourceKeys, auditKeyEndorsements: _sourceEndorsements, ...sourceRecord } = document.tables;
    expect(record).toEqual(sourceRecord);
    expect(auditKeys).toEqual(expect.arrayContaining(sourceKeys!.map((key) => ({ ...key, origin: 'imported' }))));
    expect(auditKeyEndorsements).toEqual([expect.objectContaining({ subjectKeyId: sourceKeys![0]!.id, relation: 'imported' })]);
  });

  it('imports only into an empty database (409)', async () => {
    const twice = await importInto(target, document);
    expect(twice.status).toBe(409);
    expect(twice.body.type).toBe('https://bellwether.dev/problems/import-target-not-empty');
    expect((await importInto(source, document)).status).toBe(409);
  });
});
