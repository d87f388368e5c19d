import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { until } from '#test/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '#test/webhook-receiver.js';

/** Webhook payloads and Slack messages name the person who acted, beside the `user:<id>` actor. */
describe('people in webhooks and Slack', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await createTestApp({ worker: true, env: { OUTBOX_RELAY_INTERVAL_MS: '100' } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('sends data.actorName beside data.actor, and "by <name>" in the Slack footer', async () => {
    for (const [path, format] of [['/standard', 'standard'], ['/slack', 'slack']] as const) {
      const endpoint = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: `${receiver.origin}${path}`, format, events: ['evidence.recorded'] });
      expect(endpoint.status).toBe(201);
    }
    const person = await t.http.post('/v1/users').set(auth(t.adminKey)).send({ name: 'Wanda Webhook', email: 'wanda@example.org', role: 'analyst' });
    const key = await t.http.post(`/v1/users/${person.body.id}/keys`).set(auth(t.adminKey)).send({ name: 'wanda key' });
    await t.http
      .post('/v1/evidence')
      .set(auth(key.body.key))
      .send({ summary: 'Wanda saw it', observedAt: new Date(Date.now() - 60_000).toISOString(), impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 2 }] })
      .expect(201);
    await until(() => receiver.at('/standard').length > 0 && receiver.at('/slack').length > 0, 20_000, 'both deliveries');
    const standard = JSON.parse(receiver.at('/standard')[0]!.body) as { data: { actor: string; actorName: string } };
    expect(standard.data).toMatchObject({ actor: `user:${person.body.id}`, actorName: 'Wanda Webhook' });
    const slack = JSON.parse(receiver.at('/slack')[0]!.body) as { blocks: { type: string; elements?: { text: string }[] }[] };
    expect(slack.blocks.find((block) => block.type === 'context')!.elements![0]!.text).toContain('by Wanda Webhook');
  });
});
