import { startPrivateRedis, type PrivateServer } from '#test/private-servers.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { eventually } from '#test/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '#test/webhook-receiver.js';

/**
 * Queue mode with Redis stopped while evidence is recorded: the API keeps
 * accepting (PostgreSQL is the source of truth), and once Redis is back, empty,
 * every event reaches the receiver.
 */
describe('webhooks through a Redis outage', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  // A Redis of this suite's own, so stopping it disturbs nobody else.
  let redis: PrivateServer;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    receiver = await startWebhookReceiver();
    t = await createTestApp({
      worker: true,
      env: { REDIS_URL: redis.url, OUTBOX_RELAY_INTERVAL_MS: '100', WEBHOOK_REQUEUE_AFTER_SECONDS: '2', WEBHOOK_RETRY_SCHEDULE: '500ms,1s,1s,1s' },
    });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await redis?.destroy();
  });

  it('accepts evidence while Redis is down and delivers every event after it returns', async () => {
    const analyst = await t.keyFor('analyst');
    const created = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: `${receiver.origin}/outage`, events: ['evidence.recorded'] });
    expect(created.status).toBe(201);

    await redis.stop();
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const response = await t.http
        .post('/v1/evidence')
        .set(auth(analyst))
        .send({ summary: `Recorded during the outage ${index}`, observedAt: new Date().toISOString(), impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 1.2 }] });
      expect(response.status).toBe(201);
      ids.push(response.body.id as string);
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.at('/outage')).toHaveLength(0);

    await redis.start();
    await eventually(() => (new Set(receiver.at('/outage').map((delivery) => JSON.parse(delivery.body).data.evidenceId as string)).size === ids.length ? true : null), 60_000, 'every event after Redis returned');
    const delivered = new Set(receiver.at('/outage').map((delivery) => JSON.parse(delivery.body).data.evidenceId as string));
    expect(delivered).toEqual(new Set(ids));
  }, 120_000);
});
