import { createHmac } from 'node:crypto';

import { WebSubSubscriptionsService } from '#signals';
import { freePort } from '#test/private-servers.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { eventually } from '#test/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '#test/webhook-receiver.js';
import { startWebSubHub, type WebSubHub } from '#test/websub-hub.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * WebSub end to end (W3C WebSub): a publisher whose feed names a hub, and the hub, on 127.0.0.1; the
 * API listening at PUBLIC_URL, where the hub verifies intent and pushes; a worker relaying to a
 * webhook receiver. A pushed item reaches the webhook in seconds, however long the polling interval.
 */
describe('WebSub: a feed that names a hub is subscribed to, and its items arrive pushed', () => {
  let t: TestApp;
  let hub: WebSubHub;
  let receiver: WebhookReceiver;
  let publicUrl: string;
  let sourceId: string;

  beforeAll(async () => {
    hub = await startWebSubHub();
    receiver = await startWebhookReceiver();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    t = await createTestApp({ worker: true, env: { PUBLIC_URL: publicUrl, OUTBOX_RELAY_INTERVAL_MS: '100' } });
    await t.app.listen(port, '127.0.0.1');
    await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: `${receiver.origin}/pushed`, events: ['signal.pending_review'] }).expect(201);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await hub?.close();
    await receiver?.close();
  });

  it('discovers the hub on a fetch, subscribes with a callback under PUBLIC_URL and a secret, and answers the verification of intent', async () => {
    const created = await t.http
      .post('/v1/sources')
      .set(auth(t.adminKey))
      .send({ name: 'Hub test feed', kind: 'feed', url: hub.feedUrl, intervalSeconds: 3600 })
      .expect(201);
    sourceId = created.body.id as string;
    await t.http.post(`/v1/sources/${sourceId}/fetch`).set(auth(t.adminKey)).expect(200);
    const request = await eventually(() => hub.requests.find((entry) => entry.mode === 'subscribe' && entry.verification !== null), 10_000);
    expect(request.fields).toMatchObject({ 'hub.topic': hub.feedUrl, 'hub.callback': `${publicUrl}/websub/${sourceId}`, 'hub.lease_seconds': expect.stringMatching(/^\d+$/) });
    expect(request.fields['hub.secret']).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(request.verification).toEqual({ status: 200, echoed: true });
    const source = await eventually(async () => {
      const shown = (await t.http.get(`/v1/sources/${sourceId}`).set(auth(t.adminKey))).body as Json;
      return shown.webSub?.state === 'active' ? shown : undefined;
    }, 10_000);
    expect(source.webSub).toMatchObject({ hubUrl: hub.hubUrl, topicUrl: hub.feedUrl, expiresAt: expect.any(String) });
    expect(JSON.stringify(source)).not.toContain(request.fields['hub.secret']);

    // Intent is confirmed only for what was asked: another topic, or an unknown callback, is refused.
    const other = await fetch(`${publicUrl}/websub/${sourceId}?hub.mode=subscribe&hub.topic=${encodeURIComponent('http://127.0.0.1:9/other.xml')}&hub.challenge=abc`);
    expect(other.status).toBe(404);
    const unknown = await fetch(`${publicUrl}/websub/00000000-0000-7000-8000-000000000000?hub.mode=subscribe&hub.topic=${encodeURIComponent(hub.feedUrl)}&hub.challenge=abc`);
    expect(unknown.status).toBe(404);
  });

  it('stores a pushed item like a fetched one: it reaches a webhook in seconds, though the source is polled hourly', async () => {
    const publishedAt = Date.now();
    const statuses = await hub.publish({ guid: 'pushed-1', title: 'US Commerce Department adds DeepSeek to the Entity List', link: 'https://news.example.org/deepseek-entity-list' });
    expect(statuses).toEqual([202]);
    const delivery = await eventually(() => receiver.at('/pushed').find((entry) => entry.body.includes('adds DeepSeek to the Entity List')), 10_000);
    const body = JSON.parse(delivery.body) as Json;
    expect(body).toMatchObject({ type: 'signal.pending_review', data: { sourceId }, links: { app: expect.stringContaining(`${publicUrl}/app/`) } });
    const latencyMs = Date.now() - publishedAt;
    expect(latencyMs).toBeLessThan(5_000);
    console.log(`WebSub: published -> webhook delivered in ${latencyMs} ms`);
    const items = await t.prisma.signalItem.findMany({ where: { sourceId } });
    expect(items.map((item) => item.externalId)).toContain('pushed-1');
  });

  it('ignores a push whose signature does not match, and one to a source with no subscription', async () => {
    const before = await t.prisma.signalItem.count({ where: { sourceId } });
    const forged = hub.feed().replace('</channel>', '<item><guid>forged</guid><title>Forged: DeepSeek to the Entity List</title></item></channel>');
    const wrong = `sha256=${createHmac('sha256', 'not-the-secret').update(forged).digest('hex')}`;
    expect(await hub.push(`${publicUrl}/websub/${sourceId}`, forged, wrong)).toBe(202);
    expect(await hub.push(`${publicUrl}/websub/${sourceId}`, forged, '')).toBe(202);
    expect(await hub.push(`${publicUrl}/websub/00000000-0000-7000-8000-000000000000`, forged, wrong)).toBe(202);
    expect(await t.prisma.signalItem.count({ where: { sourceId } })).toBe(before);
    expect((await t.prisma.webSubSubscription.findUniqueOrThrow({ where: { sourceId } })).lastError).toContain('wrong signature');
  });

  it('renews the lease before it runs out, with the same secret', async () => {
    const subscription = await t.prisma.webSubSubscription.findUniqueOrThrow({ where: { sourceId } });
    const requestsBefore = hub.requests.length;
    await t.prisma.webSubSubscription.update({ where: { sourceId }, data: { expiresAt: new Date(Date.now() + 60_000), requestedAt: new Date(Date.now() - 3600_000) } });
    expect(await t.worker!.get(WebSubSubscriptionsService).renewDue()).toMatchObject({ renewed: 1 });
    const renewal = await eventually(() => hub.requests.slice(requestsBefore).find((entry) => entry.mode === 'subscribe' && entry.verification !== null), 10_000);
    expect(renewal.fields['hub.secret']).toBe(subscription.secret);
    expect(renewal.verification).toEqual({ status: 200, echoed: true });
    const renewed = await t.prisma.webSubSubscription.findUniqueOrThrow({ where: { sourceId } });
    expect(renewed.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3600_000);
  });

  it('shows the polling interval in force and why; polling goes on beside the pushes', async () => {
    const shown = (await t.http.get(`/v1/sources/${sourceId}`).set(auth(t.adminKey))).body as Json;
    expect(shown).toMatchObject({ intervalSeconds: 3600, pollIntervalSeconds: 3600, pollIntervalReason: expect.stringContaining('as configured') });
    expect(Date.parse(shown.nextFetchAt as string)).toBeGreaterThan(Date.now());
    // A second fetch that finds nothing new polls less often.
    const again = (await t.http.post(`/v1/sources/${sourceId}/fetch`).set(auth(t.adminKey)).expect(200)).body as Json;
    expect(again).toMatchObject({ status: 'fetched', newItems: 0 });
    const after = (await t.http.get(`/v1/sources/${sourceId}`).set(auth(t.adminKey))).body as Json;
    expect(after).toMatchObject({ pollIntervalSeconds: 5400, pollIntervalReason: 'nothing new on the last fetch: every 90 min', webSub: { state: 'active' } });
  });

  it('unsubscribes at the hub when the source is deleted, and confirms that intent', async () => {
    const requestsBefore = hub.requests.length;
    await t.http.delete(`/v1/sources/${sourceId}`).set(auth(t.adminKey)).expect(204);
    const request = await eventually(() => hub.requests.slice(requestsBefore).find((entry) => entry.mode === 'unsubscribe' && entry.verification !== null), 10_000);
    expect(request.fields['hub.callback']).toBe(`${publicUrl}/websub/${sourceId}`);
    expect(request.verification).toEqual({ status: 200, echoed: true });
    expect(hub.subscriptions.size).toBe(0);
  });
});
