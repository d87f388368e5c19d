import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { startWorkerProcess, stopProcess } from '#test/app-processes.js';
import { serve, startLocalHttpServer, type LocalHttpServer, type Route } from '#test/local-http-server.js';
import { deleteRedisPrefix } from '#test/test-app.js';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '#test/test-database.js';
import { eventually } from '#test/wait.js';

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
  <item><title>Huawei Ascend adoption grows</title><guid>a</guid></item>
  <item><title>Weather</title><guid>b</guid></item></channel></rss>`;

/** How long a dead worker's fetch may take to be done by another: see waitForSuccessfulFetch. */
const RECOVERY_MS = 150_000;

const SOURCE_ID = '01a22405-0000-7000-8000-000000000001';

interface StoredItemRow {
  title: string;
  status: string;
  routedAt: Date | null;
  matches: { ruleName: string }[];
}

/** A database, a Redis prefix and a feed server of one test, and the workers it starts against them. */
class CrashScene {
  readonly queuePrefix = `bwtest-${randomBytes(4).toString('hex')}`;
  readonly workers: ChildProcess[] = [];
  database!: TestDatabase;
  client!: pg.Client;
  feeds!: LocalHttpServer;

  async start(feed: Route): Promise<void> {
    this.database = await createTestDatabase();
    this.client = new pg.Client({ connectionString: this.database.url });
    await this.client.connect();
    this.feeds = await startLocalHttpServer({ '/feed.xml': feed });
    await this.client.query(
      `INSERT INTO "Source" (id, name, kind, url, "intervalSeconds", "nextFetchAt", "updatedAt")
       VALUES ($1, 'feed', 'feed', $2, 1800, now(), now())`,
      [SOURCE_ID, `${this.feeds.origin}/feed.xml`],
    );
  }

  startWorker(): ChildProcess {
    const worker = startWorkerProcess({ DATABASE_URL: this.database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: this.queuePrefix, OUTBOUND_ALLOWLIST: '127.0.0.1' });
    this.workers.push(worker);
    return worker;
  }

  kill(worker: ChildProcess): Promise<void> {
    return stopProcess(worker, 'SIGKILL');
  }

  /**
   * Waits on the state the tests assert: the source's fetch recorded as a success. The bound is
   * BullMQ's own for handing a dead worker's job on (its lock lapses after 30 s and stalled jobs
   * are looked for every 30 s, so up to a minute), plus a second worker's start on a busy machine.
   */
  async waitForSuccessfulFetch(timeoutMs: number): Promise<Date | null> {
    return eventually(async () => {
      const { rows } = await this.client.query<{ lastSuccessAt: Date | null }>(`SELECT "lastSuccessAt" FROM "Source" WHERE id = $1`, [SOURCE_ID]);
      return rows[0]?.lastSuccessAt ?? null;
    }, timeoutMs);
  }

  async items(): Promise<StoredItemRow[]> {
    const { rows } = await this.client.query<StoredItemRow>(`SELECT title, status::text, "routedAt", matches FROM "SignalItem" ORDER BY title`);
    return rows;
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) worker.kill('SIGKILL');
    await this.client?.end();
    await this.feeds?.close();
    await this.database?.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, this.queuePrefix);
  }
}

/**
 * A worker killed with -9 in the middle of a fetch loses the job to nobody: the
 * fetch is still due in PostgreSQL, BullMQ hands the stalled job to another
 * worker, the items are stored once, and every stored item is routed.
 */
describe('crash safety: a worker killed mid-fetch', () => {
  let scene: CrashScene;
  beforeEach(() => {
    scene = new CrashScene();
  });
  afterEach(async () => {
    await scene.stop();
  });

  it('another worker completes the fetch, storing each item once', async () => {
    let holdFirstRequest = true;
    await scene.start((request, response) => {
      // The first fetch hangs until its worker is dead; later ones answer at once.
      if (holdFirstRequest) return;
      serve(FEED, { 'content-type': 'application/rss+xml' })(request, response);
    });

    const doomed = scene.startWorker();
    // The scheduler's first tick enqueues the due source; wait until its fetch is in flight.
    expect(await eventually(() => (scene.feeds.requests.length > 0 ? true : null), 60_000)).toBe(true);
    await scene.kill(doomed);
    holdFirstRequest = false;

    scene.startWorker();
    expect(await scene.waitForSuccessfulFetch(RECOVERY_MS)).not.toBeNull();
    const items = await scene.items();
    expect(items.map((item) => item.title)).toEqual(['Huawei Ascend adoption grows', 'Weather']);
    expect(items.every((item) => item.routedAt !== null)).toBe(true);
    expect(scene.feeds.requests.length).toBeGreaterThanOrEqual(2);
  }, RECOVERY_MS + 90_000);

  it('items stored by a worker killed before it routed them are routed once by the next fetch', async () => {
    await scene.start(serve(FEED, { 'content-type': 'application/rss+xml' }));
    await scene.client.query(
      `INSERT INTO "Rule" (id, name, "query", "sourceIds", "updatedAt")
       VALUES ('01a22405-0000-7000-8000-0000000000aa', 'ascend', 'ascend', '{}', now())`,
    );
    // Routing starts by reading the rules: a lock on the Rule table holds the worker between storing the items and routing them.
    const locker = new pg.Client({ connectionString: scene.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "Rule" IN ACCESS EXCLUSIVE MODE');

      const doomed = scene.startWorker();
      const stored = await eventually(async () => ((await scene.items()).length === 2 ? true : null), 60_000);
      expect(stored).toBe(true);
      await scene.kill(doomed);
      expect((await scene.items()).map((item) => [item.status, item.routedAt])).toEqual([
        ['unmatched', null],
        ['unmatched', null],
      ]);
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }

    scene.startWorker();
    expect(await scene.waitForSuccessfulFetch(RECOVERY_MS)).not.toBeNull();
    const items = await scene.items();
    expect(items.map((item) => [item.title, item.status, item.matches.map((match) => match.ruleName)])).toEqual([
      ['Huawei Ascend adoption grows', 'pending', ['ascend']],
      ['Weather', 'unmatched', []],
    ]);
    expect(items.every((item) => item.routedAt !== null)).toBe(true);
  }, RECOVERY_MS + 90_000);
});
