import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

import { RUNTIME_FLAGS } from '#test/app-processes.js';
import { deleteRedisPrefix } from '#test/test-app.js';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '#test/test-database.js';

/** Sources per run (SCHEDULING_SOURCES), spread over hosts (SCHEDULING_HOSTS): the figure is 20,000 over 50. */
const SOURCES = Number(process.env.SCHEDULING_SOURCES ?? 20_000);
const HOSTS = Number(process.env.SCHEDULING_HOSTS ?? 50);
/** How long the steady-state run watches (SCHEDULING_STEADY_MINUTES) of the 15-minute cycle. */
const STEADY_MINUTES = Number(process.env.SCHEDULING_STEADY_MINUTES ?? 5);
const STEADY_INTERVAL_SECONDS = 15 * 60;
/** What share of fetches get a 200 with a new item rather than a 304. */
const CHANGED_SHARE = 0.05;
const PER_HOST_LIMIT = 3;
const CLOCK_TICKS_PER_SECOND = 100;

const WORKER_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '../apps/worker/src/main.js');
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

/** The local feed hosts: one HTTP server per host, counting requests per path, when each came, and the most in flight per host. */
class FeedFarm {
  readonly origins: string[] = [];
  readonly firstRequestAt = new Map<string, number>();
  readonly requests = new Map<string, number>();
  maxInFlight = 0;
  private readonly servers: http.Server[] = [];
  private generation = 0;

  async start(hosts: number): Promise<void> {
    for (let index = 0; index < hosts; index += 1) {
      let inFlight = 0;
      const server = http.createServer((request, response) => {
        const path = request.url ?? '/';
        const key = `${index}${path}`;
        this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
        if (!this.firstRequestAt.has(key)) this.firstRequestAt.set(key, Date.now());
        inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, inFlight);
        // A few milliseconds of server time, as a nearby feed host answers.
        setTimeout(() => {
          inFlight -= 1;
          const changed = hashOf(path) < CHANGED_SHARE;
          if (!changed && request.headers['if-none-match'] === '"v1"') {
            response.writeHead(304, { etag: '"v1"' }).end();
            return;
          }
          const guid = `${path}-${this.generation}`;
          response
            .writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' })
            .end(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Weather report ${guid}</title><guid>${guid}</guid></item></channel></rss>`);
        }, 5);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.servers.push(server);
      this.origins.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  }

  reset(): void {
    this.firstRequestAt.clear();
    this.requests.clear();
    this.maxInFlight = 0;
    this.generation += 1;
  }

  urlOf(source: number): string {
    return `${this.origins[source % this.origins.length]}/feeds/${source}.xml`;
  }

  keyOf(source: number): string {
    return `${source % this.origins.length}/feeds/${source}.xml`;
  }

  async close(): Promise<void> {
    for (const server of this.servers) server.closeAllConnections();
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function hashOf(text: string): number {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 16777619) >>> 0;
  return hash / 2 ** 32;
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** One database, one queue prefix and the worker processes started against them. */
class Deployment {
  readonly prefix = `bwbench-sched-${randomBytes(4).toString('hex')}`;
  readonly workers: ChildProcess[] = [];
  database!: TestDatabase;
  client!: pg.Client;

  async open(): Promise<void> {
    this.database = await createTestDatabase();
    this.client = new pg.Client({ connectionString: this.database.url });
    await this.client.connect();
  }

  /** Sources with their due times; `etag` makes the first answer a 304 where the server agrees. */
  async insertSources(farm: FeedFarm, dueAt: (source: number) => Date, intervalSeconds: number): Promise<void> {
    for (let start = 0; start < SOURCES; start += 2000) {
      const ids = Array.from({ length: Math.min(2000, SOURCES - start) }, (_, offset) => start + offset);
      await this.client.query(
        `INSERT INTO "Source" (id, name, kind, url, "intervalSeconds", etag, "nextFetchAt", "updatedAt")
         SELECT gen_random_uuid(), 'bench ' || n, 'feed', url, $3, '"v1"', due, now() FROM unnest($1::int[], $2::text[], $4::timestamp[]) AS t(n, url, due)`,
        [ids, ids.map((source) => farm.urlOf(source)), intervalSeconds, ids.map((source) => dueAt(source).toISOString().replace('Z', ''))],
      );
    }
  }

  startWorkers(count: number): void {
    const env = { DATABASE_URL: this.database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: this.prefix, OUTBOUND_ALLOWLIST: '127.0.0.1', LOG_LEVEL: 'error', SEED: 'false' };
    for (let index = 0; index < count; index += 1) {
      this.workers.push(spawn(process.execPath, [...RUNTIME_FLAGS, WORKER_ENTRY], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] }));
    }
  }

  workerCpuSeconds(): number {
    return this.workers.reduce((sum, worker) => sum + cpuSeconds(worker.pid!), 0);
  }

  async fetchedCount(): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Source" WHERE "lastFetchedAt" IS NOT NULL`);
    return rows[0]!.n;
  }

  async close(): Promise<void> {
    for (const worker of this.workers) worker.kill('SIGKILL');
    await this.client?.end();
    await this.database?.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, this.prefix);
  }
}

interface BurstResult {
  workers: number;
  seconds: number;
  perSecond: number;
  cpuPerFetchMs: number;
  doubles: number;
  maxInFlight: number;
}

/** Every source due at once (within the last minute); workers start, and the time until the last is fetched is measured. */
async function burst(farm: FeedFarm, workers: number): Promise<BurstResult> {
  farm.reset();
  const deployment = new Deployment();
  try {
    await deployment.open();
    const now = Date.now();
    await deployment.insertSources(farm, (source) => new Date(now - (source % 60) * 1000), 1800);
    deployment.startWorkers(workers);
    let firstAt: number | null = null;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (firstAt === null && farm.firstRequestAt.size > 0) firstAt = Math.min(...farm.firstRequestAt.values());
      if ((await deployment.fetchedCount()) >= SOURCES) break;
      if (Date.now() - now > 20 * 60_000) throw new Error('The burst did not drain within 20 minutes');
    }
    const seconds = (Date.now() - firstAt!) / 1000;
    const cpu = deployment.workerCpuSeconds();
    const doubles = [...farm.requests.values()].filter((count) => count > 1).length;
    return { workers, seconds, perSecond: SOURCES / seconds, cpuPerFetchMs: (cpu * 1000) / SOURCES, doubles, maxInFlight: farm.maxInFlight };
  } finally {
    await deployment.close();
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? NaN;
}

/**
 * Steady state: the sources' due times spread evenly over one 15-minute
 * interval, most answering 304. One worker runs for STEADY_MINUTES; lateness
 * is each source's first request against its due time.
 */
async function steady(farm: FeedFarm): Promise<void> {
  farm.reset();
  const deployment = new Deployment();
  try {
    await deployment.open();
    const start = Date.now() + 5_000;
    const dueOf = (source: number): number => start + Math.floor((source / SOURCES) * STEADY_INTERVAL_SECONDS * 1000);
    await deployment.insertSources(farm, (source) => new Date(dueOf(source)), STEADY_INTERVAL_SECONDS);
    deployment.startWorkers(1);
    // Boot, then measure CPU over the window.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - Date.now())));
    const cpuBefore = deployment.workerCpuSeconds();
    const windowMs = STEADY_MINUTES * 60_000;
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const cpu = deployment.workerCpuSeconds() - cpuBefore;
    const end = Date.now();
    // Sources due in the window, less the last 20 s (their fetch may still be on its way).
    const lateness: number[] = [];
    let missed = 0;
    for (let source = 0; source < SOURCES; source += 1) {
      const due = dueOf(source);
      if (due > end - 20_000) break;
      const at = farm.firstRequestAt.get(farm.keyOf(source));
      if (at === undefined) missed += 1;
      else lateness.push((at - due) / 1000);
    }
    lateness.sort((a, b) => a - b);
    const doubles = [...farm.requests.values()].filter((count) => count > 1).length;
    const rate = (lateness.length + missed) / (windowMs / 1000);
    out(
      `steady state, ${SOURCES} sources every 15 min (${rate.toFixed(1)} fetches/s due), one worker, ${STEADY_MINUTES} min: ` +
        `${lateness.length} fetched, ${missed} not fetched by 20 s after due; lateness p50 ${percentile(lateness, 0.5).toFixed(2)} s, ` +
        `p99 ${percentile(lateness, 0.99).toFixed(2)} s, max ${(lateness.at(-1) ?? NaN).toFixed(2)} s (target p99 < 60 s: ${percentile(lateness, 0.99) < 60 && missed === 0 ? 'met' : 'NOT met'}); ` +
        `worker CPU ${((cpu / (windowMs / 1000)) * 100).toFixed(1)}% of a core (target < 50%: ${cpu / (windowMs / 1000) < 0.5 ? 'met' : 'NOT met'}); ` +
        `sources fetched twice ${doubles}; most in flight to one host ${farm.maxInFlight}`,
    );
  } finally {
    await deployment.close();
  }
}

/**
 * Queue mode (PostgreSQL and Redis at 127.0.0.1), real worker processes
 * (`dist/apps/worker/src/main.js`), local feed hosts with ETag/304. Reports
 * sources per second with one and two workers and their ratio, worker CPU per
 * fetch, sources fetched twice and the most requests in flight to one host
 * (limit 3 across the cluster); then the steady state's lateness and CPU.
 */
export async function run(): Promise<void> {
  const farm = new FeedFarm();
  await farm.start(HOSTS);
  try {
    out(`${SOURCES} sources over ${HOSTS} hosts (SCHEDULING_SOURCES, SCHEDULING_HOSTS), ${Math.round(CHANGED_SHARE * 100)}% answering 200 with a new item, the rest 304`);
    const results: BurstResult[] = [];
    for (const workers of [1, 2]) {
      const result = await burst(farm, workers);
      results.push(result);
      out(
        `all due at once, ${workers} worker${workers > 1 ? 's' : ''}: ${SOURCES} fetched in ${result.seconds.toFixed(1)} s = ${result.perSecond.toFixed(0)} sources/s; ` +
          `worker CPU ${result.cpuPerFetchMs.toFixed(2)} ms per fetch; fetched twice ${result.doubles}; ` +
          `most in flight to one host ${result.maxInFlight} (limit ${PER_HOST_LIMIT}: ${result.maxInFlight <= PER_HOST_LIMIT ? 'held' : 'NOT held'})`,
      );
    }
    const ratio = results[1]!.perSecond / results[0]!.perSecond;
    out(`two workers / one: ${ratio.toFixed(2)}x (aim at least 1.6x where CPU allows; this machine has ${(await import('node:os')).availableParallelism()} cores shared with PostgreSQL, Redis and the feed hosts)`);
    await steady(farm);
  } finally {
    await farm.close();
  }
}
