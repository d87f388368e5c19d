import { startPrivateRedis, type PrivateServer } from '#test/private-servers.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { eventually } from '#test/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '#test/webhook-receiver.js';

/**
 * Redis stopped for 30 s under evidence load (queue mode): the API keeps
 * answering and writing, readiness says the queue is down, and once Redis
 * is back, empty, the queued work completes: every event is delivered and the
 * job schedulers run again.
 */
describe('fault drill: Redis stops for 30 s under load', () => {
  let redis: PrivateServer;
  let receiver: WebhookReceiver;
  let t: TestApp;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    receiver = await startWebhookReceiver();
    t = await createTestApp({
      worker: true,
      env: {
        REDIS_URL: redis.url,
        OUTBOX_RELAY_INTERVAL_MS: '200',
        WEBHOOK_REQUEUE_AFTER_SECONDS: '2',
        WEBHOOK_RETRY_SCHEDULE: '500ms,1s,1s,1s',
        SCHEDULER_REASSERT_SECONDS: '5',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await redis?.destroy();
  });

  it('keeps accepting evidence, then delivers every event and runs the schedulers again', async () => {
    await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: `${receiver.origin}/drill`, events: ['evidence.recorded'] }).expect(201);
    const tick = async () => (await t.prisma.schedulerRun.findUnique({ where: { schedulerId: 'enqueue-due-sources-every-minute' } }))?.lastRunAt ?? null;
    await eventually(tick, 30_000, 'the first tick');

    await redis.stop();
    const outageStarted = new Date();
    const ids: string[] = [];
    const statuses: number[] = [];
    while (Date.now() - outageStarted.getTime() < 30_000) {
      const response = await t.http
        .post('/v1/evidence')
        .set(auth(t.adminKey))
        .send({ summary: `during the outage ${ids.length}`, observedAt: '2026-01-01T00:00:00Z', impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 1.01 }] });
      statuses.push(response.status);
      if (response.status === 201) ids.push(response.body.id as string);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.queue.status).toBe('down');
    expect(statuses.every((status) => status === 201)).toBe(true);
    expect(ids.length).toBeGreaterThan(100);
    expect(receiver.at('/drill')).toHaveLength(0);

    await redis.start();
    await eventually(
      () => (new Set(receiver.at('/drill').map((delivery) => JSON.parse(delivery.body).data.evidenceId as string)).size === ids.length ? true : null),
      90_000,
      'every event delivered after Redis returned',
    );
    expect(await t.prisma.outboxEvent.count({ where: { dispatchedAt: null } })).toBe(0);
    // Redis came back empty: the workers put the schedulers back and the minute tick runs again.
    await eventually(async () => ((await tick())! > outageStarted ? true : null), 30_000, 'the tick after the outage');
    await eventually(async () => ((await t.http.get('/health/ready')).status === 200 ? true : null), 30_000, 'ready again');
    expect((await t.http.get('/v1/audit/verify').set(auth(t.adminKey))).body).toMatchObject({ ok: true });
  }, 240_000);
});
