import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { applyMigrations, MIGRATIONS_DIRECTORY } from '#db';
import { EvidenceService, ForecastsService, PredictionsService } from '#predictions';
import { createPredictionsContext } from '#test/service-context.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '#test/test-database.js';

const PEOPLE_MIGRATION = '20261209100000_people';

/** The migrations before people existed, as a directory of their own. */
function migrationsBeforePeople(): string {
  const directory = mkdtempSync(join(tmpdir(), 'bw-migrations-'));
  for (const name of readdirSync(MIGRATIONS_DIRECTORY)) {
    if (name >= PEOPLE_MIGRATION) continue;
    cpSync(join(MIGRATIONS_DIRECTORY, name), join(directory, name), { recursive: true });
  }
  return directory;
}

function keyToken(): { token: string; prefix: string; hash: string } {
  const prefix = randomBytes(4).toString('hex');
  const token = `bw_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, prefix, hash: createHash('sha256').update(token).digest('hex') };
}

/**
 * A database as it was before people: keys, evidence, forecasts, a resolution and the hashed trail
 * they wrote, all naming `apikey:<id>`. After the people migration every key is a person named
 * after it, every actor reads as that person, the trail still verifies, and a replacement key
 * keeps the person's record.
 */
describe('the people migration on a database with keys, forecasts and a trail', () => {
  let database: TestDatabase;
  let t: TestApp;
  const alice = { id: '01930000-0000-7000-8000-00000000a11c', name: 'alice laptop', ...keyToken() };
  const bob = { id: '01930000-0000-7000-8000-000000000b0b', name: 'bob desktop', ...keyToken() };

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    const before = migrationsBeforePeople();
    try {
      await applyMigrations(database.url, before);
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
    for (const key of [alice, bob]) {
      await adminQuery(
        `INSERT INTO "ApiKey" ("id", "name", "prefix", "hash", "role") VALUES ('${key.id}', '${key.name}', '${key.prefix}', '${key.hash}', 'analyst')`,
        database.url,
      );
    }
    const s = await createPredictionsContext({ database });
    try {
      const predictions = s.get(PredictionsService);
      const evidence = s.get(EvidenceService);
      const forecasts = s.get(ForecastsService);
      const deadline = new Date(Date.now() + 90 * 86_400_000);
      await predictions.create({ slug: 'migrated-one', title: 'Migrated one', statement: 'It happens.', resolutionCriteria: 'It happened.', prior: 0.3, deadline }, `apikey:${alice.id}`);
      await evidence.record({ summary: 'A report that bears on it', observedAt: new Date(Date.now() - 60_000), impacts: [{ prediction: 'migrated-one', likelihoodRatio: 3 }] }, `apikey:${alice.id}`);
      await forecasts.record('migrated-one', { probability: 0.7 }, { actor: `apikey:${alice.id}`, name: alice.name });
      await forecasts.record('migrated-one', { probability: 0.4 }, { actor: `apikey:${bob.id}`, name: bob.name });
      await predictions.resolve('migrated-one', { outcome: 'true', note: 'It happened.' }, `apikey:${bob.id}`);
      await predictions.create({ slug: 'migrated-two', title: 'Migrated two', statement: 'It happens too.', resolutionCriteria: 'It happened.', prior: 0.5, deadline }, `apikey:${alice.id}`);
      await forecasts.record('migrated-two', { probability: 0.6 }, { actor: `apikey:${alice.id}`, name: alice.name });
    } finally {
      await s.context.close();
    }
    t = await createTestApp({ database, queue: 'postgres' });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('makes every key a person named after it, owning the key, and loses nothing', async () => {
    const people = await t.http.get('/v1/users').set(auth(t.adminKey));
    expect(people.status).toBe(200);
    expect(people.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: alice.id, name: 'alice laptop', role: 'analyst', email: null, disabled: false }),
        expect.objectContaining({ id: bob.id, name: 'bob desktop', role: 'analyst' }),
      ]),
    );
    const aliceAsPerson = await t.http.get(`/v1/users/${alice.id}`).set(auth(t.adminKey));
    expect(aliceAsPerson.body.keys).toEqual([expect.objectContaining({ id: alice.id, name: 'alice laptop', userId: alice.id, prefix: alice.prefix })]);
    // The old key still works, and now says whose it is.
    const me = await t.http.get('/v1/me').set(auth(alice.token));
    expect(me.body).toMatchObject({ userId: alice.id, actor: `user:${alice.id}`, name: 'alice laptop', role: 'analyst', key: { id: alice.id } });
    const counts = await adminQuery(
      `SELECT (SELECT count(*) FROM "AuditEntry" e JOIN "Prediction" p ON p."id" = e."predictionId" WHERE p."slug" LIKE 'migrated-%')::int AS entries,
              (SELECT count(*) FROM "Forecast")::int AS forecasts, (SELECT count(*) FROM "Evidence")::int AS evidence`,
      database.url,
    );
    expect(counts.rows[0]).toEqual({ entries: 4, forecasts: 3, evidence: 1 });
  });

  it('keeps the hashed trail as written, reads every actor in it as a person, and still verifies', async () => {
    const stored = await adminQuery(
      `SELECT DISTINCT e."actor" FROM "AuditEntry" e JOIN "Prediction" p ON p."id" = e."predictionId" WHERE p."slug" LIKE 'migrated-%' ORDER BY 1`,
      database.url,
    );
    expect(stored.rows.map((row: { actor: string }) => row.actor).sort()).toEqual([`apikey:${alice.id}`, `apikey:${bob.id}`].sort());
    const trail = await t.http.get('/v1/predictions/migrated-one/audit').set(auth(t.adminKey));
    expect(trail.status).toBe(200);
    const entries = (trail.body.items ?? trail.body.entries ?? trail.body) as { actor: string; actorName: string }[];
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.actorName).toBe(entry.actor === `apikey:${alice.id}` ? 'alice laptop' : 'bob desktop');
    const explain = await t.http.get('/v1/predictions/migrated-one/explain').set(auth(t.adminKey));
    expect(JSON.stringify(explain.body)).not.toMatch(/"actorName":"apikey:/);
    const verify = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
    expect(verify.body).toMatchObject({ ok: true, brokenCount: 0 });
  });

  it('names forecasts and the leaderboard by person, and a replacement key keeps one person', async () => {
    const history = await t.http.get('/v1/predictions/migrated-two/forecasts').set(auth(t.adminKey));
    expect(history.status).toBe(200);
    expect(history.body.analysts).toEqual([expect.objectContaining({ forecaster: `user:${alice.id}`, forecasterName: 'alice laptop' })]);

    // Alice loses her laptop: an admin gives her a new key and revokes the old one.
    const replacement = await t.http.post(`/v1/users/${alice.id}/keys`).set(auth(t.adminKey)).send({ name: 'alice new laptop' });
    expect(replacement.status).toBe(201);
    expect(replacement.body).toMatchObject({ userId: alice.id, role: 'analyst' });
    expect((await t.http.post(`/v1/api-keys/${alice.id}/revoke`).set(auth(t.adminKey))).status).toBe(200);
    expect((await t.http.get('/v1/me').set(auth(alice.token))).status).toBe(401);
    await t.http.patch(`/v1/users/${alice.id}`).set(auth(t.adminKey)).send({ name: 'Alice Analyst' }).expect(200);

    const again = await t.http.post('/v1/predictions/migrated-two/forecasts').set(auth(replacement.body.key)).send({ probability: 0.65 });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ forecaster: `user:${alice.id}`, forecasterName: 'Alice Analyst' });
    const after = await t.http.get('/v1/predictions/migrated-two/forecasts').set(auth(t.adminKey));
    expect(after.body.analysts).toHaveLength(1);
    expect(after.body.team).toMatchObject({ forecasters: 1, probability: 0.65 });

    const table = await t.http.get('/v1/scorecards').set(auth(t.adminKey));
    expect(table.status).toBe(200);
    const board = table.body.leaderboard as { forecaster: string; forecasterName: string }[];
    expect(board.map((row) => row.forecaster).sort()).toEqual([`user:${alice.id}`, `user:${bob.id}`].sort());
    expect(board.find((row) => row.forecaster === `user:${alice.id}`)?.forecasterName).toBe('Alice Analyst');

    // The old trail now reads with her new name.
    const trail = await t.http.get('/v1/predictions/migrated-one/audit').set(auth(t.adminKey));
    const entries = (trail.body.items ?? trail.body.entries ?? trail.body) as { actor: string; actorName: string }[];
    expect(entries.find((entry) => entry.actor === `apikey:${alice.id}`)?.actorName).toBe('Alice Analyst');
  });
});
