import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import pg from 'pg';

import { deleteRedisPrefix } from '#test/test-app.js';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '#test/test-database.js';
import { eventually } from '#test/wait.js';

const WORKER_ENTRY = join(process.cwd(), 'dist/apps/worker/src/main.js');
const EVENTS = 60;
const ENDPOINTS = 3;

/**
 * kill -9 of a worker in the middle of a relay batch, then of another in the
 * middle of its deliveries: a third worker still delivers every event to every
 * endpoint, at least once, with the event's webhook-id.
 */
describe('crash safety: workers killed while relaying and delivering webhooks', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let server: http.Server;
  let origin: string;
  const queuePrefix = `bwtest-${randomBytes(4).toString('hex')}`;
  const workers: ChildProcess[] = [];
  /** Every request: endpoint path, webhook-id, and whether it was answered 2xx. */
  const requests: { path: string; webhookId: string; answered: boolean }[] = [];
  let hold = false;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    server = http.createServer((request, response) => {
      const record = { path: request.url ?? '/', webhookId: String(request.headers['webhook-id']), answered: false };
      requests.push(record);
      request.resume();
      if (hold) return; // In flight until the worker dies.
      request.on('end', () => {
        record.answered = true;
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await client.end();
    await database.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, queuePrefix);
  });

  function startWorker(): ChildProcess {
    const worker = spawn(process.execPath, [WORKER_ENTRY], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: queuePrefix,
        OUTBOUND_ALLOWLIST: '127.0.0.1',
        OUTBOX_RELAY_INTERVAL_MS: '100',
        WEBHOOK_RETRY_SCHEDULE: '1s,1s,1s,1s,1s,1s,1s,1s,1s,1s',
        WEBHOOK_REQUEUE_AFTER_SECONDS: '2',
        SCHEDULERS: 'false',
        LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    workers.push(worker);
    return worker;
  }

  async function kill(worker: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGKILL');
    await exited;
  }

  const count = async (sql: string): Promise<number> => (await client.query<{ count: number }>(sql)).rows[0]!.count;

  it('delivers every event to every endpoint with a stable webhook-id', async () => {
    for (let index = 0; index < ENDPOINTS; index += 1) {
      await client.query(
        `INSERT INTO "WebhookEndpoint" (id, url, secret, events, "predictionIds", "updatedAt")
         VALUES (gen_random_uuid(), $1, $2, '{*}', '{}', now())`,
        [`${origin}/endpoint-${index}`, `whsec_${randomBytes(24).toString('base64')}`],
      );
    }
    const events = await client.query<{ id: string }>(
      `INSERT INTO "OutboxEvent" (id, type, payload)
       SELECT gen_random_uuid(), 'prediction.due', jsonb_build_object('predictionId', null, 'slug', 'p' || n, 'deadline', '2026-11-29T00:00:00Z', 'probability', 0.5, 'actor', 'test')
         FROM generate_series(1, ${EVENTS}) AS n
       RETURNING id`,
    );
    const eventIds = new Set(events.rows.map((row) => row.id));

    // 1. A lock on the delivery table holds the relay inside its transaction: rows claimed, deliveries not yet written.
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE "WebhookDelivery" IN ACCESS EXCLUSIVE MODE');
    const relaying = startWorker();
    await eventually(
      async () => ((await count(`SELECT count(*)::int FROM pg_stat_activity WHERE query LIKE '%INSERT INTO "WebhookDelivery"%' AND wait_event_type = 'Lock'`)) > 0 ? true : null),
      60_000,
      'a relay batch waiting inside its transaction',
    );
    await kill(relaying);
    await locker.query('ROLLBACK');
    await locker.end();
    // The killed batch committed nothing: its events are still undispatched.
    expect(await count(`SELECT count(*)::int FROM "OutboxEvent" WHERE "dispatchedAt" IS NOT NULL`)).toBe(0);

    // 2. The receiver holds every request: a second worker relays, starts delivering, and dies with deliveries in flight.
    hold = true;
    const delivering = startWorker();
    await eventually(() => (requests.length >= 10 ? true : null), 60_000, 'deliveries in flight');
    await kill(delivering);
    expect(requests.every((request) => !request.answered)).toBe(true);
    hold = false;

    // 3. A third worker finishes everything.
    startWorker();
    await eventually(
      async () => ((await count(`SELECT count(*)::int FROM "WebhookDelivery" WHERE status = 'succeeded'`)) === EVENTS * ENDPOINTS ? true : null),
      150_000,
      'every delivery to succeed',
    );
    expect(await count(`SELECT count(*)::int FROM "WebhookDelivery"`)).toBe(EVENTS * ENDPOINTS);
    expect(await count(`SELECT count(*)::int FROM "OutboxEvent" WHERE "dispatchedAt" IS NULL`)).toBe(0);
    for (let index = 0; index < ENDPOINTS; index += 1) {
      const answered = new Set(requests.filter((request) => request.path === `/endpoint-${index}` && request.answered).map((request) => request.webhookId));
      expect(answered).toEqual(eventIds);
      // Every request of this endpoint, answered or not, carried one of the events' ids.
      expect(requests.filter((request) => request.path === `/endpoint-${index}`).every((request) => eventIds.has(request.webhookId))).toBe(true);
    }
  }, 240_000);
});
