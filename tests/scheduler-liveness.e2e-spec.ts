import pg from 'pg';

import { serve, startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';
import { auth, createTestApp, deleteRedisPrefix, type TestApp } from '#test/test-app.js';
import { TEST_REDIS_URL } from '#test/test-database.js';
import { eventually } from '#test/wait.js';

const TICK = 'enqueue-due-sources-every-minute';
const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Ascend</title><guid>x</guid></item></channel></rss>`;

/** What the queue loses when Redis comes back empty, or when BullMQ's tables in PostgreSQL are emptied. */
const wipeQueue: Record<'redis' | 'postgres', (t: TestApp) => Promise<void>> = {
  redis: (t) => deleteRedisPrefix(TEST_REDIS_URL, t.config.QUEUE_PREFIX),
  postgres: async (t) => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(`SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = 'bullmq'`);
      expect(rows.length).toBeGreaterThan(0);
      await client.query(`TRUNCATE ${rows.map((row) => row.name).join(', ')}`);
    } finally {
      await client.end();
    }
  },
};

/**
 * The queue can lose its job schedulers while every connection looks fine.
 * Workers put them back by themselves, PostgreSQL records each run, and
 * health and metrics say when scheduled work is late.
 */
describe.each(['redis', 'postgres'] as const)('scheduler liveness (BullMQ on %s)', (queue) => {
  let t: TestApp;
  let feeds: LocalHttpServer;

  beforeAll(async () => {
    feeds = await startLocalHttpServer({ '/feed.xml': serve(FEED, { 'content-type': 'application/rss+xml' }) });
    t = await createTestApp({ queue, worker: true, env: { SCHEDULER_REASSERT_SECONDS: '2', SCHEDULER_LATE_AFTER_SECONDS: '180' } });
  });
  afterAll(async () => {
    await t.close();
    await feeds.close();
  });

  const lastTick = async () => (await t.prisma.schedulerRun.findUnique({ where: { schedulerId: TICK } }))?.lastRunAt ?? null;

  it('records each run of the minute tick in PostgreSQL, and is ready while it is on time', async () => {
    expect(await eventually(lastTick, 30_000)).not.toBeNull();
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.schedulers.status).toBe('up');
  }, 60_000);

  it('reports degraded, in health, metrics and one event, while the tick is more than 3 minutes late', async () => {
    // As if the queue had lost the scheduler ten minutes ago.
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await t.prisma.schedulerRun.update({ where: { schedulerId: TICK }, data: { lastRunAt: tenMinutesAgo } });

    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.schedulers).toMatchObject({ status: 'down', message: expect.stringContaining('degraded'), stalled: [TICK] });

    const metrics = await t.http.get('/metrics');
    const overdue = new RegExp(`bellwether_scheduler_overdue_seconds\\{scheduler="${TICK}"\\} (\\d+(\\.\\d+)?)`).exec(metrics.text);
    expect(Number(overdue?.[1])).toBeGreaterThan(8 * 60);
    expect(metrics.text).toMatch(/bellwether_sources_due \d+/);

    // The workers' next pass announces the stall once, however many passes see it.
    const announced = await eventually(async () => {
      const events = await t.prisma.outboxEvent.findMany({ where: { type: 'system.scheduler_stalled' } });
      return events.length > 0 ? events : null;
    }, 15_000);
    expect(announced?.[0]?.payload).toMatchObject({ schedulerId: TICK, job: 'enqueue-due-sources', everySeconds: 60 });
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await t.prisma.outboxEvent.count({ where: { type: 'system.scheduler_stalled', payload: { path: ['schedulerId'], equals: TICK } } })).toBe(1);
  }, 60_000);

  it('fires the tick again within 90 s after the queue lost everything, and fetches a due source, without a worker restart', async () => {
    const before = (await lastTick())!;
    await wipeQueue[queue](t);
    const analyst = await t.keyFor('analyst');
    const created = await t.http.post('/v1/sources').set(auth(analyst)).send({ name: 'after the wipe', kind: 'feed', url: `${feeds.origin}/feed.xml` });
    expect(created.status).toBe(201);

    const fetched = await eventually(async () => (await t.prisma.source.findUniqueOrThrow({ where: { id: created.body.id } })).lastSuccessAt, 90_000);
    expect(fetched).not.toBeNull();
    expect((await lastTick())!.getTime()).toBeGreaterThan(before.getTime());
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.schedulers.status).toBe('up');
  }, 120_000);
});
