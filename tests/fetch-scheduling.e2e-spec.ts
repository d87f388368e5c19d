import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { INestApplicationContext } from '@nestjs/common';

import { createWorkerApp } from '#apps/worker/src/worker-app.js';
import { DatabaseConnection } from '#db';
import { DueSourcesScheduler, SourceFetchCounter, SourceIngestionService } from '#signals';
import { createTestApp, type TestApp } from '#test/test-app.js';
import { eventually } from '#test/wait.js';

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Weather</title><guid>w</guid></item></channel></rss>`;

/**
 * A feed host on 127.0.0.1 (its own port, so its own host for the limiter)
 * that counts requests per path and the most it ever had in flight at once.
 * Each answer takes `delayMs`; `hold` keeps every request open until `release()`.
 */
interface FeedHost {
  origin: string;
  host: string;
  requests: Map<string, number>;
  inFlight: number;
  maxInFlight: number;
  hold: boolean;
  release(): void;
  route: (path: string, response: ServerResponse) => boolean;
  close(): Promise<void>;
}

async function startFeedHost(delayMs = 10): Promise<FeedHost> {
  const held: (() => void)[] = [];
  const state = {
    requests: new Map<string, number>(),
    inFlight: 0,
    maxInFlight: 0,
    hold: false,
    route: (() => false) as FeedHost['route'],
  };
  const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    state.requests.set(path, (state.requests.get(path) ?? 0) + 1);
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    const answer = (): void => {
      state.inFlight -= 1;
      if (state.route(path, response)) return;
      if (request.headers['if-none-match'] === '"v1"') response.writeHead(304, { etag: '"v1"' }).end();
      else response.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' }).end(FEED);
    };
    if (state.hold) held.push(answer);
    else setTimeout(answer, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    release() {
      state.hold = false;
      for (const answer of held.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** `count` enabled sources spread over `hosts`, all due within the last minute, each at a path of its own. */
async function createDueSources(t: TestApp, hosts: readonly FeedHost[], count: number, tag: string): Promise<void> {
  const now = Date.now();
  await t.prisma.source.createMany({
    data: Array.from({ length: count }, (_, index) => ({
      name: `${tag} ${index}`,
      kind: 'feed' as const,
      url: `${hosts[index % hosts.length]!.origin}/${tag}/${index}.xml`,
      intervalSeconds: 1800,
      nextFetchAt: new Date(now - ((index * 7919) % 60_000)),
    })),
  });
}

const requestsOf = (hosts: readonly FeedHost[], tag: string): number[] =>
  hosts.flatMap((host) => [...host.requests].filter(([path]) => path.startsWith(`/${tag}/`)).map(([, count]) => count));

/**
 * Two workers share the fetches of many sources over a few hosts: each source
 * is fetched once per due time and no host ever has more than 3 requests from
 * the cluster at once. (How fast the backlog drains is measured by
 * bench/scheduling.bench.ts.)
 */
describe.each(['redis', 'postgres'] as const)('fetch scheduling with two workers (BullMQ on %s)', (queue) => {
  let t: TestApp;
  let second: INestApplicationContext;
  const hosts: FeedHost[] = [];

  beforeAll(async () => {
    // No job schedulers: the test runs the ticks itself, so none races its counts.
    t = await createTestApp({ queue, worker: true, env: { SCHEDULERS: 'false' } });
    second = await createWorkerApp(t.config, new DatabaseConnection(t.database.url, 'postgres'));
    await second.init();
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await t?.close();
    await Promise.all(hosts.map((host) => host.close()));
  });

  const workers = (): INestApplicationContext[] => [t.worker!, second];

  it('fetches every due source once, never more than 3 at once per host', async () => {
    // 600 sources (150 per host) show a double fetch or a fourth request at once as surely as more would; on a
    // loaded machine 1,500 left a backlog still draining into the next tests.
    const count = 600;
    // Answers slow enough that the hosts' limits are what holds the fetches back, on a busy machine too.
    const feedHosts = await Promise.all([1, 2, 3, 4].map(() => startFeedHost(100)));
    hosts.push(...feedHosts);
    await createDueSources(t, feedHosts, count, 'burst');

    // Both workers' ticks at once: each source is claimed by one of them.
    const tick = (): Promise<number[]> => Promise.all(workers().map((worker) => worker.get(DueSourcesScheduler).enqueueDueSources()));
    const queued = await tick();
    expect(queued[0]! + queued[1]!).toBe(count);
    const done = await eventually(async () => {
      // On a loaded machine a fetch may wait out its 20 s turn at a busy host and be deferred 30 s, more than
      // once: the ticks, as the minute scheduler would, queue it again (two at once, so never twice).
      await tick();
      return (await t.prisma.source.count({ where: { name: { startsWith: 'burst ' }, lastSuccessAt: { not: null } } })) === count ? true : null;
    }, 170_000);
    expect(done).toBe(true);

    const requests = requestsOf(feedHosts, 'burst');
    expect(requests).toHaveLength(count);
    expect(requests.every((n) => n === 1)).toBe(true);
    for (const host of feedHosts) expect(host.maxInFlight).toBeLessThanOrEqual(3);
    // The limit was reached, so it is the limiter that held it there, not a lack of work.
    expect(Math.max(...feedHosts.map((host) => host.maxInFlight))).toBe(3);

    // Both workers took part; the cluster's counter shows every fetch.
    await Promise.all(workers().map((worker) => worker.get(SourceFetchCounter).flush()));
    const perWorker = await Promise.all(workers().map((worker) => t.prisma.sourceFetchCount.aggregate({ where: { processId: worker.get(SourceFetchCounter).processId }, _sum: { fetches: true } })));
    for (const total of perWorker) expect(Number(total._sum.fetches ?? 0)).toBeGreaterThan(0);
    const metrics = await t.http.get('/metrics');
    const fetched = /bellwether_source_fetches_total\{outcome="fetched"\} (\d+)/.exec(metrics.text);
    expect(Number(fetched?.[1])).toBeGreaterThanOrEqual(count);
    expect(metrics.text).toMatch(/bellwether_sources_due 0\b/);

    // Fetched once per due time: another round of ticks finds nothing due.
    expect(await tick()).toEqual([0, 0]);
  }, 200_000);

  it('shows the requests in flight per host in /metrics, at the limit while a host is slow', async () => {
    const slow = await startFeedHost();
    hosts.push(slow);
    slow.hold = true;
    await createDueSources(t, [slow], 8, 'slow');
    await Promise.all(workers().map((worker) => worker.get(DueSourcesScheduler).enqueueDueSources()));
    expect(await eventually(() => (slow.inFlight === 3 ? true : null), 20_000)).toBe(true);
    // A moment longer: no fourth request gets through while three are held.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slow.inFlight).toBe(3);
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toContain(`bellwether_fetch_host_requests_in_flight{host="${slow.host}"} 3`);

    slow.release();
    const done = await eventually(async () => ((await t.prisma.source.count({ where: { name: { startsWith: 'slow ' }, lastSuccessAt: { not: null } } })) === 8 ? true : null), 30_000);
    expect(done).toBe(true);
    expect(slow.maxInFlight).toBe(3);
    expect(requestsOf([slow], 'slow').every((n) => n === 1)).toBe(true);
  }, 60_000);

  it('leaves a host alone for every source, on every worker, after it answers 429 with Retry-After', async () => {
    const busy = await startFeedHost();
    const other = await startFeedHost();
    hosts.push(busy, other);
    busy.route = (path, response) => {
      if (path !== '/throttled.xml') return false;
      response.writeHead(429, { 'retry-after': '120' }).end('slow down');
      return true;
    };
    const throttled = await t.prisma.source.create({ data: { name: 'throttled', kind: 'feed', url: `${busy.origin}/throttled.xml`, enabled: false } });
    // The API process fetches it ("fetch now"); the workers are other limiter clients.
    const outcome = await t.app.get(SourceIngestionService).fetchSource(throttled.id);
    expect(outcome).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 429') });

    await createDueSources(t, [busy, other], 10, 'polite');
    await Promise.all(workers().map((worker) => worker.get(DueSourcesScheduler).enqueueDueSources()));
    const settled = await eventually(async () => {
      const sources = await t.prisma.source.findMany({ where: { name: { startsWith: 'polite ' } } });
      return sources.every((source) => source.nextFetchAt.getTime() > Date.now() + 30_000) ? sources : null;
    }, 30_000);
    expect(settled).not.toBeNull();
    const onBusy = settled!.filter((source) => source.url.startsWith(busy.origin));
    const onOther = settled!.filter((source) => source.url.startsWith(other.origin));
    // Not asked, not counted as failures, and put off until the host's Retry-After has passed.
    expect(requestsOf([busy], 'polite')).toEqual([]);
    for (const source of onBusy) {
      expect(source).toMatchObject({ failureStreak: 0, lastFetchedAt: null, lastError: null });
      expect(source.nextFetchAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 100_000);
    }
    for (const source of onOther) expect(source.lastSuccessAt).not.toBeNull();
    expect(busy.requests.get('/throttled.xml')).toBe(1);
  }, 60_000);
});
