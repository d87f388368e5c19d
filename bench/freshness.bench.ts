import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { freePort } from '#test/private-servers.js';
import { auth, createTestApp } from '#test/test-app.js';
import { startWebhookReceiver } from '#test/webhook-receiver.js';
import { startWebSubHub } from '#test/websub-hub.js';

/** How long items are published on the polled feed, at random moments; the webhook latency of each is measured. */
const POLL_WINDOW_SECONDS = Number(process.env.FRESHNESS_POLL_SECONDS ?? 240);
const POLLED_ITEMS = Number(process.env.FRESHNESS_POLLED_ITEMS ?? 12);
const PUSHED_ITEMS = 20;
const POLL_INTERVAL_SECONDS = 60;
const PUSH_TARGET_P95_MS = 5_000;
const POLL_TARGET_P95_MS = (POLL_INTERVAL_SECONDS + 5) * 1000;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

let headlines = 0;
/**
 * An item routed to the review inbox, so it becomes a signal.pending_review webhook (one per story):
 * each names another number of affiliates and another day, so no two are taken for one event.
 */
const headline = (tag: string): string => {
  headlines += 1;
  return `US Commerce Department adds DeepSeek and ${100 + headlines} affiliates to the Entity List on ${['Jan', 'Mar', 'May', 'Jul', 'Sep', 'Nov'][headlines % 6]} ${(headlines % 28) + 1} (notice ${tag})`;
};

/**
 * Freshness: an item published on a feed until its `signal.pending_review` webhook is delivered, for a
 * feed polled every minute and for a feed whose WebSub hub pushes it. Everything on 127.0.0.1: the
 * publisher, the hub, the API at PUBLIC_URL (the hub's callback), a worker on Redis and PostgreSQL, and
 * the webhook receiver. Targets: p95 under 5 s pushed, under the polling interval + 5 s polled.
 */
export async function run(): Promise<void> {
  const receiver = await startWebhookReceiver();
  const hub = await startWebSubHub();
  const polledItems: { guid: string; title: string }[] = [];
  /** When the polled feed was fetched: the gaps between fetches are the polling the latency comes from. */
  const polledAt: number[] = [];
  const feedServer = http.createServer((_request, response) => {
    polledAt.push(Date.now());
    const items = polledItems.map((item) => `<item><guid>${item.guid}</guid><title>${item.title}</title><link>https://news.example.org/${item.guid}</link></item>`).join('');
    response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Polled</title>${items}</channel></rss>`);
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  const feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/feed.xml`;
  const port = await freePort();
  const t = await createTestApp({ worker: true, env: { PUBLIC_URL: `http://127.0.0.1:${port}`, OUTBOX_RELAY_INTERVAL_MS: '100', STORY_GROUPING: 'false' } });
  await t.app.listen(port, '127.0.0.1');
  try {
    await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: `${receiver.origin}/fresh`, events: ['signal.pending_review'] });
    const arrivals = new Map<string, number>();
    const arrivedAt = (tag: string): number | undefined => {
      if (!arrivals.has(tag)) {
        // The receiver's own time of arrival: the loop that publishes looks only now and then.
        const delivery = receiver.at('/fresh').find((entry) => entry.body.includes(`(notice ${tag})`));
        if (delivery) arrivals.set(tag, delivery.receivedAt);
      }
      return arrivals.get(tag);
    };
    const waitFor = async (tags: readonly string[], timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (tags.some((tag) => arrivedAt(tag) === undefined) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    };

    // WebSub: subscribed on the first fetch; then each item published is pushed.
    const pushed = (await t.http.post('/v1/sources').set(auth(t.adminKey)).send({ name: 'Pushed', kind: 'feed', url: hub.feedUrl, intervalSeconds: 3600 })).body as { id: string };
    await t.http.post(`/v1/sources/${pushed.id}/fetch`).set(auth(t.adminKey));
    for (let waited = 0; hub.subscriptions.size === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const pushLatencies: number[] = [];
    for (let index = 0; index < PUSHED_ITEMS; index += 1) {
      const tag = `push-${index}`;
      const publishedAt = Date.now();
      await hub.publish({ guid: tag, title: headline(tag), link: `https://news.example.org/${tag}` });
      await waitFor([tag], 30_000);
      pushLatencies.push((arrivedAt(tag) ?? Number.NaN) - publishedAt);
    }

    // Polling: the source is fetched on its interval by the scheduler's minute tick; items appear at random moments.
    const polled = (await t.http.post('/v1/sources').set(auth(t.adminKey)).send({ name: 'Polled', kind: 'feed', url: feedUrl, intervalSeconds: POLL_INTERVAL_SECONDS })).body as { id: string };
    const published: { tag: string; at: number }[] = [];
    const offsets = Array.from({ length: POLLED_ITEMS }, () => Math.random() * POLL_WINDOW_SECONDS * 1000).sort((a, b) => a - b);
    const start = Date.now();
    for (const [index, offset] of offsets.entries()) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + offset - Date.now())));
      const tag = `poll-${index}`;
      polledItems.unshift({ guid: tag, title: headline(tag) });
      published.push({ tag, at: Date.now() });
    }
    await waitFor(published.map((item) => item.tag), (POLL_INTERVAL_SECONDS * 3 + 10) * 1000);
    const pollLatencies = published.map((item) => (arrivedAt(item.tag) ?? Number.NaN) - item.at);
    const gaps = polledAt.slice(1).map((at, index) => seconds(at - polledAt[index]!));
    const source = (await t.http.get(`/v1/sources/${polled.id}`).set(auth(t.adminKey))).body as { pollIntervalReason: string | null };
    process.stdout.write(`polled feed fetched ${polledAt.length} times, gaps (s): ${gaps.join(', ')}; now ${source.pollIntervalReason ?? 'as configured'}\n`);
    if (process.env.FRESHNESS_TRACE) {
      const since = (at: number | undefined): string => (at === undefined ? '-' : seconds(at - start));
      process.stdout.write(`fetched at (s): ${polledAt.map(since).join(', ')}\n`);
      for (const item of published) {
        const stored = await t.prisma.signalItem.findFirst({ where: { title: { contains: `(notice ${item.tag})` } } });
        const announced = stored ? await t.prisma.outboxEvent.findFirst({ where: { type: 'signal.pending_review', payload: { path: ['signalItemId'], equals: stored.id } } }) : null;
        process.stdout.write(
          `${item.tag}: published ${since(item.at)}, stored ${since(stored?.createdAt.getTime())}, routed ${since(stored?.routedAt?.getTime())} (${stored?.status ?? '-'}), ` +
            `announced ${since(announced?.createdAt.getTime())}, delivered ${since(arrivedAt(item.tag))}\n`,
        );
      }
    }

    const rows = [
      { name: `WebSub push (${PUSHED_ITEMS} items)`, latencies: pushLatencies, target: PUSH_TARGET_P95_MS },
      { name: `polled every ${POLL_INTERVAL_SECONDS} s (${POLLED_ITEMS} items over ${POLL_WINDOW_SECONDS} s)`, latencies: pollLatencies, target: POLL_TARGET_P95_MS },
    ];
    process.stdout.write('| source | p50 | p95 | max | target p95 | |\n| --- | --- | --- | --- | --- | --- |\n');
    let missed = false;
    for (const row of rows) {
      const lost = row.latencies.filter((latency) => Number.isNaN(latency)).length;
      const measured = row.latencies.filter((latency) => !Number.isNaN(latency));
      const p95 = measured.length > 0 ? percentile(measured, 95) : Number.POSITIVE_INFINITY;
      const ok = lost === 0 && p95 < row.target;
      missed ||= !ok;
      process.stdout.write(
        `| ${row.name} | ${seconds(percentile(measured, 50))} s | ${seconds(p95)} s | ${seconds(Math.max(...measured))} s | < ${seconds(row.target)} s | ${ok ? 'ok' : `MISSED${lost ? ` (${lost} never arrived)` : ''}`} |\n`,
      );
    }
    if (missed) process.exitCode = 1;
  } finally {
    await t.close();
    await hub.close();
    await receiver.close();
    await new Promise<void>((resolve) => feedServer.close(() => resolve()));
  }
}
