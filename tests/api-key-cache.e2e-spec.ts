import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';

import { createApiApp } from '#apps/api/src/api-app.js';
import { ApiKeyCache } from '#auth';
import { DatabaseConnection } from '#db';
import { adminQuery } from '#test/test-database.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { until } from '#test/wait.js';

/**
 * API keys are proven from a short-lived in-process cache. Two API apps on one
 * database stand for two API replicas: each has its own cache and its own
 * revocation listener.
 */
describe('API key cache', () => {
  let t: TestApp;
  let other: NestExpressApplication;
  let otherHttp: TestAgent;

  beforeAll(async () => {
    t = await createTestApp();
    other = await createApiApp(t.config, new DatabaseConnection(t.database.url, 'postgres'));
    await other.init();
    otherHttp = request(other.getHttpServer());
    // Both replicas listen for revocations before the tests rely on their caches.
    expect(await t.app.get(ApiKeyCache).ready()).toBe(true);
    expect(await other.get(ApiKeyCache).ready()).toBe(true);
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  const keyIdOf = async (token: string): Promise<string> => {
    const prefix = token.split('_')[1]!;
    const listed = await t.http.get('/v1/api-keys').set(auth(t.adminKey));
    return (listed.body.items as { id: string; prefix: string }[]).find((key) => key.prefix === prefix)!.id;
  };

  it('serves a proven key from the cache: a revocation made behind the service is not seen until the entry expires', async () => {
    const viewer = await t.keyFor('viewer');
    expect((await t.http.get('/v1/predictions').set(auth(viewer))).status).toBe(200);
    // Written straight to the table, so no notification is sent: only the cache can still accept the key.
    await adminQuery(`UPDATE "ApiKey" SET "revokedAt" = now() WHERE "id" = '${await keyIdOf(viewer)}'`, t.database.url);
    expect((await t.http.get('/v1/predictions').set(auth(viewer))).status).toBe(200);
    // The other replica never proved the key, so it asks the database and refuses it.
    expect((await otherHttp.get('/v1/predictions').set(auth(viewer))).status).toBe(401);
  });

  it('refuses a revoked key at once in the revoking process and within a second in another', async () => {
    const viewer = await t.keyFor('viewer');
    // Both replicas have proven (and cached) the key.
    expect((await t.http.get('/v1/predictions').set(auth(viewer))).status).toBe(200);
    expect((await otherHttp.get('/v1/predictions').set(auth(viewer))).status).toBe(200);
    expect((await otherHttp.get('/v1/predictions').set(auth(viewer))).status).toBe(200);

    const revoked = await t.http.post(`/v1/api-keys/${await keyIdOf(viewer)}/revoke`).set(auth(t.adminKey));
    expect(revoked.status).toBe(200);
    expect((await t.http.get('/v1/predictions').set(auth(viewer))).status).toBe(401);
    await until(async () => (await otherHttp.get('/v1/predictions').set(auth(viewer))).status === 401, 1_000, 'the revocation to reach the other replica');
    // And it stays refused everywhere.
    expect((await otherHttp.get('/v1/predictions').set(auth(viewer))).status).toBe(401);
    expect((await t.http.get('/v1/predictions').set(auth(viewer))).status).toBe(401);
  });

  it('keeps other keys cached when one is revoked', async () => {
    const kept = await t.keyFor('analyst');
    const gone = await t.keyFor('viewer');
    for (const key of [kept, gone]) expect((await otherHttp.get('/v1/predictions').set(auth(key))).status).toBe(200);
    expect((await t.http.post(`/v1/api-keys/${await keyIdOf(gone)}/revoke`).set(auth(t.adminKey))).status).toBe(200);
    await until(async () => (await otherHttp.get('/v1/predictions').set(auth(gone))).status === 401, 1_000, 'the revocation to reach the other replica');
    expect((await otherHttp.get('/v1/predictions').set(auth(kept))).status).toBe(200);
  });

  it('drops everything and checks the database while its listener is disconnected, then caches again', async () => {
    const viewer = await t.keyFor('viewer');
    expect((await otherHttp.get('/v1/predictions').set(auth(viewer))).status).toBe(200);
    // Cut every listener off, as a database restart would, and revoke behind the service while they are down.
    await adminQuery(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'bellwether-api-key-cache' AND datname = current_database()`,
      t.database.url,
    );
    await adminQuery(`UPDATE "ApiKey" SET "revokedAt" = now() WHERE "id" = '${await keyIdOf(viewer)}'`, t.database.url);
    await until(async () => (await otherHttp.get('/v1/predictions').set(auth(viewer))).status === 401, 1_000, 'the revocation to reach the other replica');
    // The listener comes back by itself.
    await until(async () => other.get(ApiKeyCache).ready(), 5_000, "the other replica's cache to be ready again");
  });
});
