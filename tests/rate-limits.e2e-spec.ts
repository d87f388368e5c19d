import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';

import { createApiApp } from '#apps/api/src/api-app.js';
import { DatabaseConnection } from '#db';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';

type Answer = { status: number; headers: Record<string, string>; body: { type?: string; detail?: string; status?: number } };

function expectTooMany(response: Answer, whose: RegExp, windowSeconds: number): void {
  expect(response.status).toBe(429);
  expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 429, type: expect.stringContaining('too-many-requests'), detail: expect.stringMatching(whose) });
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

/** Per API key and per client address, counted in Redis (queue mode) across API replicas, or in memory. */
describe('rate limits', () => {
  describe('in queue mode (Redis)', () => {
    let t: TestApp;
    let replica: NestExpressApplication;

    beforeAll(async () => {
      t = await createTestApp({ env: { RATE_LIMIT_PER_KEY: '5', RATE_LIMIT_PER_ADDRESS: '12', RATE_LIMIT_WINDOW_SECONDS: '60' } });
      // A second API process on the same database and Redis prefix.
      replica = await createApiApp(t.config, new DatabaseConnection(t.database.url, 'postgres'));
      await replica.init();
    }, 60_000);
    afterAll(async () => {
      await replica.close();
      await t.close();
    }, 60_000);

    it('limits each API key across replicas, then each client address (refused keys too), and never health or metrics', async () => {
      const first = await t.keyFor('viewer');
      const second = await t.keyFor('viewer');
      const other = request(replica.getHttpServer());

      // Five requests with one key, spread over both replicas, are fine; the sixth is refused on either.
      for (const agent of [t.http, other, t.http, other, t.http]) {
        expect((await agent.get('/v1/predictions').set(auth(first))).status).toBe(200);
      }
      expectTooMany(await other.get('/v1/predictions').set(auth(first)), /API key/, 60);
      // Another key from the same address still has its own allowance.
      expect((await t.http.get('/v1/predictions').set(auth(second))).status).toBe(200);

      // The address has made 7 requests; keyless and wrongly keyed ones count as well.
      for (let index = 0; index < 3; index++) expect((await other.get('/v1/predictions')).status).toBe(401);
      for (let index = 0; index < 2; index++) expect((await t.http.get('/v1/predictions').set(auth('bw_abcdefgh_notarealkeynotarealkey'))).status).toBe(401);
      const third = await t.keyFor('viewer');
      expectTooMany(await t.http.get('/v1/predictions').set(auth(third)), /client address/, 60);
      expectTooMany(await other.get('/v1/predictions'), /client address/, 60);

      for (const agent of [t.http, other]) {
        expect((await agent.get('/health/live')).status).toBe(200);
        expect((await agent.get('/metrics')).status).toBe(200);
      }
    }, 30_000);
  });

  describe('without Redis (counted in the process)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ queue: 'postgres', env: { RATE_LIMIT_PER_KEY: '2', RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_WINDOW_SECONDS: '1' } });
    }, 60_000);
    afterAll(() => t.close(), 60_000);

    it('refuses past the limit with Retry-After, and lets the key in again once the window has passed', async () => {
      const key = await t.keyFor('analyst');
      expect((await t.http.get('/v1/predictions').set(auth(key))).status).toBe(200);
      expect((await t.http.post('/v1/evidence').set(auth(key)).send({})).status).toBe(400);
      const refused = await t.http.get('/v1/evidence').set(auth(key));
      expectTooMany(refused, /API key/, 1);
      await new Promise((resolve) => setTimeout(resolve, Number(refused.headers['retry-after']) * 1000 + 100));
      expect((await t.http.get('/v1/predictions').set(auth(key))).status).toBe(200);
    }, 30_000);

    it('has no address limit when RATE_LIMIT_PER_ADDRESS is 0', async () => {
      for (let index = 0; index < 10; index++) expect((await t.http.get('/v1/predictions')).status).toBe(401);
    });
  });
});
