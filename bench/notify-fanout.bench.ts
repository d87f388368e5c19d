import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { PrismaService } from '#db';
import { OutboxWriter, type OutboxEventInput } from '#events';
import { signWebhook, WebhookSender } from '#notify';
import { auth, createTestApp } from '#test/test-app.js';

const EVENTS = 1_000;
const ENDPOINTS = 20;
const DELIVERIES = EVENTS * ENDPOINTS;
/** The notify processor's concurrency: the bare loop keeps as many posts in flight. */
const CONCURRENCY = 32;
const RATIO_TARGET = 0.7;
const MEMORY_TARGET_MB = 300;

/** A receiver that answers 204 to everything and counts the deliveries (posts to /hooks/...), as cheap as a receiver gets. */
async function startCountingReceiver(): Promise<{ origin: string; count: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url?.startsWith('/hooks/')) received += 1;
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The baseline: a bare loop posting the same signed Standard Webhooks requests
 * (same bodies, same HMAC signing, same receiver, as many in flight as the
 * worker's delivery concurrency) with no queue, no database and no delivery log.
 */
async function bareLoop(origin: string, secret: string, bodies: readonly { id: string; body: string }[]): Promise<{ perSecond: number; cpuMs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const posts = bodies.flatMap((event) => Array.from({ length: ENDPOINTS }, (_, endpoint) => ({ ...event, path: `/bare/${endpoint}` })));
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < posts.length) {
        const post = posts[next++]!;
        const timestamp = Math.floor(Date.now() / 1000);
        await new Promise<void>((resolve, reject) => {
          const request = http.request(`${origin}${post.path}`, {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'webhook-id': post.id,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': signWebhook(post.id, timestamp, post.body, [secret]),
            },
          });
          request.on('response', (response) => {
            response.resume();
            response.on('end', () => resolve());
          });
          request.on('error', reject);
          request.end(post.body);
        });
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return { perSecond: posts.length / seconds, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * The worker's own WebhookSender alone, posting the same deliveries with no
 * queue and no delivery log: what the outbound guard, the pinned keep-alive
 * pools, the per-host turns, the timeout and the response excerpt cost over a
 * bare post. It bounds what the whole pipeline can reach.
 */
async function senderLoop(sender: WebhookSender, posts: readonly { url: string; id: string; body: string; secret: string }[]): Promise<{ perSecond: number; cpuMs: number }> {
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  // As many callers as the notify jobs in flight hold deliveries (32 events of 20); the sender's per-host turns cap what is on the wire.
  await Promise.all(
    Array.from({ length: CONCURRENCY * ENDPOINTS }, async () => {
      while (next < posts.length) {
        const post = posts[next++]!;
        const response = await sender.send({ url: post.url, webhookId: post.id, body: post.body, secrets: [post.secret] });
        if (!response.succeeded) throw new Error(`The sender's post failed: ${response.error}`);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: posts.length / seconds, cpuMs: (used.user + used.system) / 1000 };
}

const bodyOf = (event: { type: string; createdAt: Date; payload: unknown }): string => JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data: event.payload });

/**
 * Fan-out of 1,000 events to 20 endpoints (20,000 deliveries) through the real
 * path: outbox rows, the relay, BullMQ on Redis, the notify processor, signed
 * POSTs to a local receiver and the delivery log in PostgreSQL. Deliveries per
 * second against the bare loop, measured in the same run right after; peak RSS
 * of this process (the API and worker apps, and the receiver) during the
 * fan-out; and this process's CPU time per delivery against the bare loop's per
 * post, which the load of a shared machine moves less than the rates.
 */
export async function run(): Promise<void> {
  const receiver = await startCountingReceiver();
  const t = await createTestApp({ worker: true, env: { SEED: 'false', OUTBOX_RELAY_INTERVAL_MS: '100' } });
  try {
    const secrets: string[] = [];
    for (let endpoint = 0; endpoint < ENDPOINTS; endpoint++) {
      const created = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: `${receiver.origin}/hooks/${endpoint}`, events: ['*'] });
      if (created.status !== 201) throw new Error(`POST /v1/webhooks answered ${created.status}: ${JSON.stringify(created.body)}`);
      secrets.push(created.body.secret as string);
    }
    const events: OutboxEventInput[] = Array.from({ length: EVENTS }, (_, index) => ({
      type: 'signal.pending_review',
      predictionId: null,
      payload: { signalItemId: `00000000-0000-7000-8000-${String(index).padStart(12, '0')}`, title: `Bench signal ${index}`, url: null, sourceId: null, rules: ['bench'] },
    }));

    const prisma = t.app.get(PrismaService);
    const outbox = t.app.get(OutboxWriter);
    // memoryUsage.rss() alone: the full memoryUsage() walks the heap's spaces, a cost the bare loop would not pay.
    const bootRss = process.memoryUsage.rss();
    let peakRss = bootRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await prisma.$transaction((tx) => outbox.write(tx, events));
    await until(() => receiver.count() >= DELIVERIES, 600_000);
    const fanOutSeconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const pipelineCpuMs = (used.user + used.system) / 1000;
    clearInterval(sampler);
    const pipelinePerSecond = DELIVERIES / fanOutSeconds;

    const stored = await prisma.outboxEvent.findMany({ select: { id: true, type: true, createdAt: true, payload: true } });
    const bare = await bareLoop(
      receiver.origin,
      secrets[0]!,
      stored.map((event) => ({ id: event.id, body: bodyOf(event) })),
    );
    const alone = await senderLoop(
      t.worker!.get(WebhookSender),
      stored.flatMap((event) => secrets.map((secret, endpoint) => ({ url: `${receiver.origin}/sender/${endpoint}`, id: event.id, body: bodyOf(event), secret }))),
    );
    const barePerSecond = bare.perSecond;
    const bareCpuMsPerPost = bare.cpuMs / DELIVERIES;
    const pipelineCpuMsPerDelivery = pipelineCpuMs / DELIVERIES;

    const ratio = pipelinePerSecond / barePerSecond;
    const peakMb = peakRss / 1024 / 1024;
    process.stdout.write(`fan-out: ${EVENTS} events x ${ENDPOINTS} endpoints = ${DELIVERIES} deliveries in ${fanOutSeconds.toFixed(2)} s: ${pipelinePerSecond.toFixed(0)} deliveries/s\n`);
    process.stdout.write(`bare loop, same signed posts, ${CONCURRENCY} in flight: ${barePerSecond.toFixed(0)} posts/s\n`);
    process.stdout.write(`ratio ${ratio.toFixed(2)}x (target >= ${RATIO_TARGET}x: ${ratio >= RATIO_TARGET ? 'met' : 'NOT met'})\n`);
    process.stdout.write(
      `CPU of this process: ${pipelineCpuMsPerDelivery.toFixed(3)} ms per delivery against ${bareCpuMsPerPost.toFixed(3)} ms per bare post (${(bareCpuMsPerPost / pipelineCpuMsPerDelivery).toFixed(2)}x)\n`,
    );
    process.stdout.write(
      `the sender alone (no queue, no delivery log): ${alone.perSecond.toFixed(0)} posts/s, ${(alone.perSecond / barePerSecond).toFixed(2)}x the bare loop; ` +
        `${(alone.cpuMs / DELIVERIES).toFixed(3)} ms CPU per post\n`,
    );
    process.stdout.write(
      `peak RSS ${peakMb.toFixed(0)} MB, ${(bootRss / 1024 / 1024).toFixed(0)} MB when booted (target < ${MEMORY_TARGET_MB} MB: ${peakMb < MEMORY_TARGET_MB ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await t.close();
    await receiver.close();
  }
}
