import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import pg from 'pg';

import { serve, startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';
import { deleteRedisPrefix } from '#test/test-app.js';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '#test/test-database.js';

const WORKER_ENTRY = join(process.cwd(), 'dist/apps/worker/src/main.js');

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
  <item><title>Huawei Ascend adoption grows</title><guid>a</guid></item>
  <item><title>Weather</title><guid>b</guid></item></channel></rss>`;

function startWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [WORKER_ENTRY], { env: { ...process.env, ...env, LOG_LEVEL: 'error' }, stdio: 'ignore' });
}

async function waitFor<T>(probe: () => Promise<T | null> | T | null, timeoutMs: number): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * A worker killed with -9 in the middle of a fetch loses the job to nobody: the
 * fetch is still due in PostgreSQL, BullMQ hands the stalled job to another
 * worker, and the items are stored once.
 */
describe('crash safety: a worker killed mid-fetch', () => {
  let database: TestDatabase;
  let feeds: LocalHttpServer;
  let client: pg.Client;
  const queuePrefix = `bwtest-${randomBytes(4).toString('hex')}`;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await client.end();
    await feeds?.close();
    await database.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, queuePrefix);
  });

  it('another worker completes the fetch, storing each item once', async () => {
    let holdFirstRequest = true;
    feeds = await startLocalHttpServer({
      '/feed.xml': (request, response) => {
        // The first fetch hangs until its worker is dead; later ones answer at once.
        if (holdFirstRequest) return;
        serve(FEED, { 'content-type': 'application/rss+xml' })(request, response);
      },
    });
    await client.query(
      `INSERT INTO "Source" (id, name, kind, url, "intervalSeconds", "nextFetchAt", "updatedAt")
       VALUES ('01a22405-0000-7000-8000-000000000001', 'slow feed', 'feed', $1, 1800, now(), now())`,
      [`${feeds.origin}/feed.xml`],
    );
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      OUTBOUND_ALLOWLIST: '127.0.0.1',
    };

    const doomed = startWorker(env);
    workers.push(doomed);
    // The scheduler's first tick enqueues the due source; wait until its fetch is in flight.
    expect(await waitFor(() => (feeds.requests.length > 0 ? true : null), 60_000)).toBe(true);
    doomed.kill('SIGKILL');
    await new Promise((resolve) => doomed.once('exit', resolve));
    holdFirstRequest = false;

    workers.push(startWorker(env));
    const stored = await waitFor(async () => {
      const { rows } = await client.query<{ count: number }>(`SELECT count(*)::int FROM "SignalItem"`);
      return rows[0]!.count > 0 ? rows[0]!.count : null;
    }, 90_000);
    expect(stored).toBe(2);
    const source = await client.query<{ lastSuccessAt: Date | null; failureStreak: number }>(`SELECT "lastSuccessAt", "failureStreak" FROM "Source"`);
    expect(source.rows[0]!.lastSuccessAt).not.toBeNull();
    expect(feeds.requests.length).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
