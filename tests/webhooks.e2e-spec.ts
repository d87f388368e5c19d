import { OutboxWriter } from '#events';
import { OutboxRelayService } from '#notify';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { eventually } from '#test/wait.js';
import { startWebhookReceiver, verifyWebhook, type WebhookReceiver } from '#test/webhook-receiver.js';

/** A response body, loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * Webhooks end to end: the API, a worker relaying the outbox and delivering,
 * BullMQ on Redis, and a real receiver on 127.0.0.1 that verifies every
 * delivery with the standardwebhooks library.
 */
describe('webhooks', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let admin: string;
  let analyst: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await createTestApp({
      worker: true,
      env: { OUTBOX_RELAY_INTERVAL_MS: '100', WEBHOOK_RETRY_SCHEDULE: '300ms,300ms,500ms,1s,1s', WEBHOOK_REQUEUE_AFTER_SECONDS: '1' },
    });
    admin = t.adminKey;
    analyst = await t.keyFor('analyst');
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  /** Endpoints of earlier tests would receive this test's events too: each test turns its endpoints off at the end. */
  const created: string[] = [];
  afterEach(async () => {
    await t.prisma.webhookEndpoint.updateMany({ where: { id: { in: created.splice(0) } }, data: { enabled: false } });
  });

  async function createEndpoint(body: Record<string, unknown>): Promise<{ id: string; secret: string } & Record<string, unknown>> {
    const response = await t.http.post('/v1/webhooks').set(auth(admin)).send(body);
    expect(response.status).toBe(201);
    created.push(response.body.id);
    return response.body as { id: string; secret: string } & Record<string, unknown>;
  }

  let day = 1;
  async function recordEvidence(likelihoodRatio = 3, prediction = 'deepseek-blacklisted-12m', summary = 'Commerce adds DeepSeek to the Entity List'): Promise<string> {
    const response = await t.http
      .post('/v1/evidence')
      .set(auth(analyst))
      .send({ summary, observedAt: new Date(Date.UTC(2026, 10, day++)).toISOString(), impacts: [{ prediction, likelihoodRatio }] });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  let signal = 0;
  /** `count` signal.pending_review events, written to the outbox as a routed signal would write them. */
  async function writeSignalEvents(count: number): Promise<void> {
    const events = Array.from({ length: count }, () => {
      signal += 1;
      return {
        type: 'signal.pending_review' as const,
        predictionId: null,
        payload: { signalItemId: `00000000-0000-7000-8000-${String(signal).padStart(12, '0')}`, title: `Signal ${signal}`, url: null, sourceId: null, rules: ['test'] },
      };
    });
    const outbox = t.app.get(OutboxWriter);
    await t.prisma.$transaction((tx) => outbox.write(tx, events));
  }

  describe('the /v1/webhooks resource', () => {
    it('shows the secret once, then never; lists, changes and deletes', async () => {
      const endpoint = await createEndpoint({ url: `${receiver.origin}/crud`, events: ['*'], minProbabilityChange: 0.05 });
      expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(Buffer.from(endpoint.secret.slice(6), 'base64')).toHaveLength(24);
      expect(endpoint).toMatchObject({ url: `${receiver.origin}/crud`, events: ['*'], format: 'standard', minProbabilityChange: 0.05, enabled: true, predictions: [] });

      const fetched = await t.http.get(`/v1/webhooks/${endpoint.id}`).set(auth(admin));
      expect(fetched.status).toBe(200);
      expect(fetched.body).not.toHaveProperty('secret');
      expect(JSON.stringify(fetched.body)).not.toContain(endpoint.secret);
      const list = await t.http.get('/v1/webhooks?limit=200').set(auth(admin));
      expect(list.body.items.map((item: { id: string }) => item.id)).toContain(endpoint.id);
      expect(JSON.stringify(list.body)).not.toContain('whsec_');

      const changed = await t.http
        .patch(`/v1/webhooks/${endpoint.id}`)
        .set(auth(admin))
        .send({ events: ['prediction.resolved', 'prediction.due'], format: 'slack', predictions: ['deepseek-blacklisted-12m'] });
      expect(changed.status).toBe(200);
      const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'deepseek-blacklisted-12m' } });
      expect(changed.body).toMatchObject({ events: ['prediction.resolved', 'prediction.due'], format: 'slack', predictions: [prediction.id], url: `${receiver.origin}/crud` });

      expect((await t.http.delete(`/v1/webhooks/${endpoint.id}`).set(auth(admin))).status).toBe(204);
      expect((await t.http.get(`/v1/webhooks/${endpoint.id}`).set(auth(admin))).status).toBe(404);
    });

    it('is for admins', async () => {
      expect((await t.http.get('/v1/webhooks').set(auth(analyst))).status).toBe(403);
      expect((await t.http.post('/v1/webhooks').set(auth(analyst)).send({ url: `${receiver.origin}/x` })).status).toBe(403);
      expect((await t.http.get('/v1/webhooks')).status).toBe(401);
    });

    it.each([
      [{ url: 'ftp://files.example/hook' }, 'url'],
      [{ url: `http://127.0.0.1:9/x`, events: ['evidence.invented'] }, 'events'],
      [{ url: `http://127.0.0.1:9/x`, minProbabilityChange: 2 }, 'minProbabilityChange'],
      [{ url: `http://127.0.0.1:9/x`, format: 'teams' }, 'format'],
      [{ url: `http://127.0.0.1:9/x`, predictions: ['no-such-prediction'] }, 'predictions[0]'],
      [{ url: 'http://10.1.2.3/hook' }, 'url'],
      [{ url: `http://127.0.0.1:9/x`, secret: 'whsec_mine' }, 'secret'],
    ])('refuses %j naming the field %s', async (body, field) => {
      const response = await t.http.post('/v1/webhooks').set(auth(admin)).send(body);
      expect(response.status).toBe(field === 'predictions[0]' ? 404 : 400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });
  });

  describe('deliveries', () => {
    it('delivers every event, signed so that a standardwebhooks receiver verifies it, as {type, timestamp, data}', async () => {
      const endpoint = await createEndpoint({ url: `${receiver.origin}/all`, events: ['*'] });
      const evidenceId = await recordEvidence();
      const deliveries = await eventually(() => (receiver.at('/all').length >= 2 ? receiver.at('/all') : null), 20_000, 'two deliveries');
      for (const delivery of deliveries) expect(() => verifyWebhook(endpoint.secret, delivery)).not.toThrow();
      expect(() => verifyWebhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`, deliveries[0]!)).toThrow();
      const bodies = deliveries.map((delivery) => JSON.parse(delivery.body) as Json);
      expect(bodies.map((body) => body.type as string).sort()).toEqual(['evidence.recorded', 'prediction.confidence_changed']);
      const recorded = bodies.find((body) => body.type === 'evidence.recorded')!;
      expect(recorded.data.evidenceId).toBe(evidenceId);
      expect(Date.parse(recorded.timestamp)).not.toBeNaN();
      const event = await t.prisma.outboxEvent.findFirstOrThrow({ where: { type: 'evidence.recorded', payload: { path: ['evidenceId'], equals: evidenceId } } });
      expect(deliveries.find((delivery) => JSON.parse(delivery.body).type === 'evidence.recorded')!.headers['webhook-id']).toBe(event.id);
      expect(event.dispatchedAt).not.toBeNull();
    });

    it('retries a receiver failing twice: three attempts with one webhook-id, all logged', async () => {
      receiver.answer('/flaky', [500, 503, 204]);
      const endpoint = await createEndpoint({ url: `${receiver.origin}/flaky`, events: ['evidence.recorded'] });
      await recordEvidence();
      const attempts = await eventually(() => (receiver.at('/flaky').length >= 3 ? receiver.at('/flaky') : null), 20_000, 'three attempts');
      expect(new Set(attempts.map((attempt) => attempt.headers['webhook-id'])).size).toBe(1);
      for (const attempt of attempts) expect(() => verifyWebhook(endpoint.secret, attempt)).not.toThrow();

      const log = await eventually(async () => {
        const response = await t.http.get(`/v1/webhooks/${endpoint.id}/deliveries`).set(auth(admin));
        return response.body.items[0]?.status === 'succeeded' ? (response.body as Json) : null;
      });
      expect(log.items).toHaveLength(1);
      expect(log.items[0]).toMatchObject({ eventType: 'evidence.recorded', attempts: 3, responseCode: 204, eventId: attempts[0]!.headers['webhook-id'] });
      expect(log.items[0].attemptLog.map((attempt: { responseCode: number; succeeded: boolean }) => [attempt.responseCode, attempt.succeeded])).toEqual([
        [500, false],
        [503, false],
        [204, true],
      ]);
      expect(log.items[0].attemptLog[0].responseBody).toBe('answered 500 to request 1');
      expect(log.items[0].attemptLog[0].latencyMs).toEqual(expect.any(Number));
      expect((await t.http.get(`/v1/webhooks/${endpoint.id}`).set(auth(admin))).body).toMatchObject({ failureStreak: 0, failingSince: null });
    });

    it('counts a redirect as a failure and gives up after the schedule: exhausted', async () => {
      receiver.answer('/moved', 302);
      const endpoint = await createEndpoint({ url: `${receiver.origin}/moved`, events: ['evidence.recorded'] });
      await recordEvidence();
      const delivery = await eventually(async () => {
        const response = await t.http.get(`/v1/webhooks/${endpoint.id}/deliveries`).set(auth(admin));
        return response.body.items[0]?.status === 'exhausted' ? (response.body.items[0] as Json) : null;
      }, 30_000);
      // The first attempt and one per entry of the schedule.
      expect(delivery.attempts).toBe(6);
      expect(receiver.at('/moved')).toHaveLength(6);
      expect(delivery.lastError).toContain('HTTP 302');
    });

    it('delivers again a delivery whose job ran but whose outcome was never written, under the same webhook-id', async () => {
      const endpoint = await createEndpoint({ url: `${receiver.origin}/unrecorded`, events: ['evidence.recorded'] });
      await recordEvidence();
      const first = await eventually(async () => {
        const row = await t.prisma.webhookDelivery.findFirst({ where: { endpointId: endpoint.id, status: 'succeeded' } });
        return row ?? null;
      }, 20_000, 'the first delivery');
      // As if the worker had died (or the database had gone) before it wrote the answer down: the job is done, the row still pending.
      await t.prisma.webhookDelivery.update({ where: { id: first.id }, data: { status: 'pending', attempts: first.attempts - 1, nextAttemptAt: new Date(Date.now() - 60_000), deliveredAt: null } });
      await t.worker!.get(OutboxRelayService).requeueOverdue();
      await eventually(async () => ((await t.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: first.id } })).status === 'succeeded' ? true : null), 20_000, 'the delivery done again');
      const deliveries = receiver.at('/unrecorded');
      expect(deliveries).toHaveLength(2);
      expect(new Set(deliveries.map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);
    });

    it('keeps a receiver that hangs from holding up the others: once it fails, its attempts wait on the retries queue', async () => {
      receiver.answer('/hanging', [500, 'hold']);
      await createEndpoint({ url: `${receiver.origin}/prompt`, events: ['signal.pending_review'] });
      const hanging = await createEndpoint({ url: `${receiver.origin}/hanging`, events: ['signal.pending_review'] });
      await writeSignalEvents(1);
      await eventually(
        async () => ((await t.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: hanging.id } })).failureStreak > 0 ? true : null),
        20_000,
        'the first failure',
      );

      // More events than the notify queue has job slots (32), while the hanging receiver keeps every request open (each would time out after 15 s).
      const events = 40;
      await writeSignalEvents(events);
      await eventually(() => (receiver.at('/prompt').length === events + 1 ? true : null), 10_000, 'every event at the receiver that answers');
      expect(receiver.holding('/hanging')).toBeGreaterThan(0);
      const metrics = (await t.http.get('/metrics')).text;
      expect(metrics).toMatch(/^bellwether_webhook_endpoints\{state="failing"\} 1$/m);
      expect(Number(/^bellwether_webhook_deliveries_pending (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(receiver.holding('/hanging'));

      receiver.release('/hanging', 204);
      await eventually(
        async () => ((await t.prisma.webhookDelivery.count({ where: { endpointId: hanging.id, status: 'succeeded' } })) === events + 1 ? true : null),
        30_000,
        'every event at the receiver once it answers',
      );
      const answered = receiver.at('/hanging').filter((delivery) => delivery.status === 204);
      expect(new Set(answered.map((delivery) => delivery.headers['webhook-id'])).size).toBe(events + 1);
      for (const delivery of answered) expect(() => verifyWebhook(hanging.secret, delivery)).not.toThrow();
      expect((await t.http.get('/metrics')).text).toMatch(/^bellwether_webhook_endpoints\{state="failing"\} 0$/m);
    });

    it('delivers to a receiver that was down when the event was written, once it is back', async () => {
      const doomed = await startWebhookReceiver();
      const port = doomed.port;
      await doomed.close();
      const endpoint = await createEndpoint({ url: `http://127.0.0.1:${port}/late`, events: ['evidence.recorded'] });
      const evidenceId = await recordEvidence();
      await eventually(async () => ((await t.prisma.webhookDeliveryAttempt.count({ where: { delivery: { endpointId: endpoint.id } } })) >= 1 ? true : null));
      const back = await startWebhookReceiver(port);
      try {
        const delivery = await eventually(() => back.at('/late')[0], 20_000, 'the delivery after the receiver came back');
        expect(() => verifyWebhook(endpoint.secret, delivery)).not.toThrow();
        expect(JSON.parse(delivery.body).data.evidenceId).toBe(evidenceId);
        // The receiver has the request a moment before the worker records the answer.
        const row = await eventually(async () => {
          const current = await t.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
          return current.status === 'succeeded' ? current : null;
        }, 20_000, 'the delivery recorded as succeeded');
        expect(row.attempts).toBeGreaterThanOrEqual(2);
        expect((await t.prisma.webhookDeliveryAttempt.findFirstOrThrow({ where: { deliveryId: row.id }, orderBy: { createdAt: 'asc' } })).error).toContain('ECONNREFUSED');
      } finally {
        await back.close();
      }
    });

    it('disables an endpoint that answers 410 Gone, at once, and says so with an event', async () => {
      receiver.answer('/gone', 410);
      const endpoint = await createEndpoint({ url: `${receiver.origin}/gone`, events: ['evidence.recorded'] });
      await recordEvidence();
      const disabled = await eventually(async () => {
        const response = await t.http.get(`/v1/webhooks/${endpoint.id}`).set(auth(admin));
        return response.body.enabled === false ? (response.body as Json) : null;
      });
      expect(disabled.disabledReason).toContain('410');
      expect(receiver.at('/gone')).toHaveLength(1);
      const delivery = await t.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, responseCode: 410 });
      const event = await t.prisma.outboxEvent.findFirst({ where: { type: 'webhook.endpoint_disabled', payload: { path: ['endpointId'], equals: endpoint.id } } });
      expect(event).not.toBeNull();

      await recordEvidence();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(receiver.at('/gone')).toHaveLength(1);
    });

    it('sends only the subscribed types, predictions and moves of at least minProbabilityChange', async () => {
      await createEndpoint({ url: `${receiver.origin}/picky`, events: ['prediction.confidence_changed'], predictions: ['china-domain-parity'], minProbabilityChange: 0.05 });
      await recordEvidence(3, 'deepseek-blacklisted-12m');
      await recordEvidence(1.01, 'china-domain-parity', 'A tiny move');
      await recordEvidence(4, 'china-domain-parity', 'A large move');
      const delivery = await eventually(() => receiver.at('/picky')[0], 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(receiver.at('/picky')).toHaveLength(1);
      const body = JSON.parse(delivery.body);
      expect(body.type).toBe('prediction.confidence_changed');
      expect(body.data.probabilityAfter - body.data.probabilityBefore).toBeGreaterThan(0.05);
    });

    it('sends Slack-ready {text, blocks} to a slack endpoint: the evidence that moved its prediction, with the effective ratio and a link', async () => {
      await createEndpoint({ url: `${receiver.origin}/slack`, events: ['prediction.confidence_changed'], format: 'slack', predictions: ['us-china-ai-bifurcation'] });
      const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'us-china-ai-bifurcation' } });
      await recordEvidence(3, 'us-china-ai-bifurcation', 'Commerce adds DeepSeek to the Entity List');
      const after = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'us-china-ai-bifurcation' } });
      const delivery = await eventually(() => receiver.at('/slack')[0], 20_000);
      const message = JSON.parse(delivery.body);
      const before = Math.round(prediction.probability * 100);
      const now = Math.round(after.probability * 100);
      expect(message.text).toBe(`New evidence: Commerce adds DeepSeek to the Entity List — ${prediction.title}: ${before}% → ${now}% (+${now - before} pts, effective LR 3)`);
      expect(message.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining(`<${t.config.publicUrl}/app/predictions/us-china-ai-bifurcation|`) } });
    });

    it('sends a slack endpoint on ["*"] one message per evidence item, naming every prediction it moved; a JSON endpoint gets every event, each with links.app', async () => {
      await createEndpoint({ url: `${receiver.origin}/slack-all`, events: ['*'], format: 'slack' });
      await createEndpoint({ url: `${receiver.origin}/json-all`, events: ['*'] });
      const recorded = await t.http
        .post('/v1/evidence')
        .set(auth(analyst))
        .send({
          summary: 'Two labs added to the Entity List',
          observedAt: new Date(Date.UTC(2026, 10, day++)).toISOString(),
          reliability: 0.8,
          impacts: [
            { prediction: 'china-alt-compute-acceleration', likelihoodRatio: 10 },
            { prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'weak' },
          ],
        });
      expect(recorded.status).toBe(201);
      // JSON: evidence.recorded and one confidence change per prediction moved, each linking its page.
      const json = await eventually(() => (receiver.at('/json-all').length >= 3 ? receiver.at('/json-all') : undefined), 20_000);
      const bodies = json.map((delivery): Json => JSON.parse(delivery.body) as Json);
      expect(bodies.map((body) => String(body.type)).sort()).toEqual(['evidence.recorded', 'prediction.confidence_changed', 'prediction.confidence_changed']);
      for (const body of bodies) expect(body.links.app).toMatch(new RegExp(`^${t.config.publicUrl}/app/predictions/`));
      const slack = await eventually(() => receiver.at('/slack-all')[0], 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(receiver.at('/slack-all')).toHaveLength(1);
      const message = JSON.parse(slack.body) as Json;
      // Reliability 0.8 turns LR 10 into e^(0.8 ln 10) = 6.3, and the weak support (1.5) into 1.4.
      expect(message.text).toMatch(/^New evidence: Two labs added to the Entity List — .*: \d+% → \d+% \(\+\d+ pts, effective LR 6\.3\); .*: \d+% → \d+% \(\+\d+ pts, effective LR 1\.4\)$/);
      expect(message.blocks[0].text.text).toContain(`${t.config.publicUrl}/app/predictions/china-alt-compute-acceleration`);
      expect(message.blocks[0].text.text).toContain(`${t.config.publicUrl}/app/predictions/us-china-ai-bifurcation`);
    });
  });

  describe('secrets, pings and redelivery', () => {
    it('rotates the secret: for 24 hours both the new and the old secret verify', async () => {
      const endpoint = await createEndpoint({ url: `${receiver.origin}/rotated`, events: ['evidence.recorded'] });
      const rotated = await t.http.post(`/v1/webhooks/${endpoint.id}/rotate-secret`).set(auth(admin));
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(endpoint.secret);
      expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);
      await recordEvidence();
      const delivery = await eventually(() => receiver.at('/rotated')[0], 20_000);
      expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(() => verifyWebhook(rotated.body.secret, delivery)).not.toThrow();
      expect(() => verifyWebhook(endpoint.secret, delivery)).not.toThrow();

      await t.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { previousSecretExpiresAt: new Date(Date.now() - 1000) } });
      await recordEvidence();
      const later = await eventually(() => receiver.at('/rotated')[1], 20_000);
      expect(() => verifyWebhook(rotated.body.secret, later)).not.toThrow();
      expect(() => verifyWebhook(endpoint.secret, later)).toThrow();
    });

    it('sends a webhook.test ping and answers with the attempt', async () => {
      const endpoint = await createEndpoint({ url: `${receiver.origin}/ping`, events: ['prediction.resolved'] });
      const response = await t.http.post(`/v1/webhooks/${endpoint.id}/test`).set(auth(admin));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'succeeded', attempt: { attempt: 1, succeeded: true, responseCode: 200 } });
      const ping = receiver.at('/ping')[0]!;
      expect(verifyWebhook(endpoint.secret, ping)).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } });

      receiver.answer('/ping', 500);
      const failed = await t.http.post(`/v1/webhooks/${endpoint.id}/test`).set(auth(admin));
      expect(failed.body).toMatchObject({ status: 'failed', attempt: { succeeded: false, responseCode: 500, error: 'HTTP 500' } });
    });

    it('redelivers a delivery with the same webhook-id', async () => {
      const endpoint = await createEndpoint({ url: `${receiver.origin}/again`, events: ['evidence.recorded'] });
      await recordEvidence();
      const first = await eventually(() => receiver.at('/again')[0], 20_000);
      const delivery = await eventually(async () => {
        const row = await t.prisma.webhookDelivery.findFirst({ where: { endpointId: endpoint.id, status: 'succeeded' } });
        return row;
      });
      const response = await t.http.post(`/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`).set(auth(admin));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ deliveryId: delivery.id, status: 'succeeded', attempt: { attempt: 2, succeeded: true } });
      const second = receiver.at('/again')[1]!;
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(() => verifyWebhook(endpoint.secret, second)).not.toThrow();
      const other = await t.http.post(`/v1/webhooks/${endpoint.id}/deliveries/${endpoint.id}/redeliver`).set(auth(admin));
      expect(other.status).toBe(404);
    });
  });
});
