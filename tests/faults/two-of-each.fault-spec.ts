import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { startApiProcess, startWorkerProcess, stopProcess, type RunningApi } from '#test/app-processes.js';
import { startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';
import { deleteRedisPrefix, randomApiKey } from '#test/test-app.js';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '#test/test-database.js';
import { eventually } from '#test/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '#test/webhook-receiver.js';

const FEEDS = 30;

/**
 * Two API and two worker processes on one PostgreSQL and one Redis, under
 * evidence load from both APIs while feeds fall due and events go out: no
 * write is lost, no feed is fetched twice for one due time, no event reaches a
 * receiver twice, and the audit trail verifies at the end.
 */
describe('fault drill: two API and two worker processes under load', () => {
  let database: TestDatabase;
  let feeds: LocalHttpServer;
  let receiver: WebhookReceiver;
  const apis: RunningApi[] = [];
  const workers: ChildProcess[] = [];
  const queuePrefix = `bwtest-${randomBytes(4).toString('hex')}`;
  const adminKey = randomApiKey();

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await startWebhookReceiver();
    const routes = Object.fromEntries(
      Array.from({ length: FEEDS }, (_, index) => [
        `/feed-${index}.xml`,
        (_request: unknown, response: { writeHead(status: number, headers: Record<string, string>): { end(body: string): void } }) =>
          response
            .writeHead(200, { 'content-type': 'application/rss+xml' })
            .end(`<?xml version="1.0"?><rss version="2.0"><channel><title>f${index}</title><item><title>Item ${index}</title><guid>g${index}</guid></item></channel></rss>`),
      ]),
    );
    feeds = await startLocalHttpServer(routes as never);
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      BOOTSTRAP_ADMIN_KEY: adminKey,
      OUTBOUND_ALLOWLIST: '127.0.0.1',
      OUTBOX_RELAY_INTERVAL_MS: '200',
    };
    apis.push(await startApiProcess(env), await startApiProcess({ ...env, SEED: 'false' }));
    workers.push(startWorkerProcess(env), startWorkerProcess(env));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([...apis.map((api) => stopProcess(api.child)), ...workers.map((worker) => stopProcess(worker))]);
    await feeds?.close();
    await receiver?.close();
    await database?.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, queuePrefix);
  });

  it('processes everything once and loses nothing', async () => {
    const headers = { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' };
    const post = (api: RunningApi, path: string, body: unknown) => fetch(`${api.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect((await post(apis[0]!, '/v1/webhooks', { url: `${receiver.origin}/events`, events: ['evidence.recorded'] })).status).toBe(201);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // Feeds due now: both workers' ticks see them.
      for (let index = 0; index < FEEDS; index++) {
        await client.query(
          `INSERT INTO "Source" (id, name, kind, url, "intervalSeconds", "nextFetchAt", "updatedAt") VALUES (gen_random_uuid(), $1, 'feed', $2, 1800, now(), now())`,
          [`feed ${index}`, `${feeds.origin}/feed-${index}.xml`],
        );
      }

      const acknowledged: string[] = [];
      let failures = 0;
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 8 }, async (_, lane) => {
          while (Date.now() - started < 20_000) {
            const response = await post(apis[lane % 2]!, '/v1/evidence', {
              summary: `lane ${lane} ${acknowledged.length}`,
              observedAt: '2026-01-01T00:00:00Z',
              impacts: [{ prediction: lane % 2 === 0 ? 'deepseek-blacklisted-12m' : 'china-domain-parity', likelihoodRatio: 1.01 }],
            });
            if (response.status === 201) acknowledged.push(((await response.json()) as { id: string }).id);
            else failures += 1;
          }
        }),
      );
      expect(failures).toBe(0);
      expect(acknowledged.length).toBeGreaterThan(50);

      const { rows } = await client.query<{ count: number }>(`SELECT count(*)::int FROM "Evidence" WHERE id = ANY($1::uuid[])`, [acknowledged]);
      expect(rows[0]!.count).toBe(acknowledged.length);

      // Every event reaches the receiver once, whichever worker relayed and delivered it.
      await eventually(() => (receiver.at('/events').length >= acknowledged.length ? true : null), 90_000, 'every event delivered');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const webhookIds = receiver.at('/events').map((delivery) => delivery.headers['webhook-id']);
      expect(new Set(webhookIds).size).toBe(acknowledged.length);
      expect(webhookIds.length).toBe(acknowledged.length);

      // Every feed fetched once for its due time, by one worker or the other.
      await eventually(async () => {
        const fetched = await client.query<{ count: number }>(`SELECT count(*)::int FROM "Source" WHERE "lastSuccessAt" IS NOT NULL`);
        return fetched.rows[0]!.count === FEEDS ? true : null;
      }, 90_000, 'every feed fetched');
      const perFeed = new Map<string, number>();
      for (const request of feeds.requests) perFeed.set(request.path, (perFeed.get(request.path) ?? 0) + 1);
      expect([...perFeed.values()].every((count) => count === 1)).toBe(true);
      expect(perFeed.size).toBe(FEEDS);
      const items = await client.query<{ count: number }>(`SELECT count(*)::int FROM "SignalItem"`);
      expect(items.rows[0]!.count).toBe(FEEDS);

      const verify = await fetch(`${apis[1]!.baseUrl}/v1/audit/verify`, { headers });
      expect(await verify.json()).toMatchObject({ ok: true, brokenCount: 0 });
    } finally {
      await client.end();
    }
  }, 300_000);
});
