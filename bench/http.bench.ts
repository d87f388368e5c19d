import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';
import { Redis } from 'ioredis';

import { startApiProcess, startEmbeddedProcess, stopProcess } from '#test/app-processes.js';
import { deleteRedisPrefix, randomApiKey } from '#test/test-app.js';
import { adminQuery, createTestDatabase, TEST_REDIS_URL } from '#test/test-database.js';

import { caller, evidenceRequest, prepare, readRequest, type Fixture } from './http-workloads.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARM_UP_SECONDS = 2;
/** Each server's SECONDS are measured in this many alternating turns. */
const SLICES = 3;
const CONCURRENCIES = [1, 10, 50] as const;
const SPREAD = 5;
/** Bellwether against the bare server doing the same SQL, in requests per second. */
const AIMS = { evidence: 0.9, hot: 0.95, list: 0.8, scorecard: 0.6 } as const;
/** The hot prediction's p99 at c10 against the bare server's. */
const HOT_P99_AIM = 1.2;
/** The API's resident memory after every run here: the live heap is tens of MB, the rest V8's room to grow and the drivers. */
const API_RSS_AIM_MB = 200;
/** Embedded mode (one process: PGlite, the API and the worker) against queue mode, evidence at c1 / c10, and its memory after that load. */
const EMBEDDED_AIMS = { c1: 0.8, c10: 0.6, rssMb: 300 } as const;

interface Server {
  name: 'bellwether' | 'bare' | 'embedded';
  origin: string;
  child: ChildProcess;
}

interface Run {
  requestsPerSecond: number;
  meanMs: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** The bare server as a process of its own, resolved once it says where it listens. */
async function startBareProcess(databaseUrl: string): Promise<Server> {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/bench/bare-server.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[\w.]+:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return { name: 'bare', origin, child };
}

/**
 * What a process's RSS holds, from its own /metrics (prom-client's process metrics): V8's heap
 * (used, and what it has reserved), memory outside the heap (Buffers, and what native modules
 * report), and the remainder (code, stacks, native allocations, other threads' heaps).
 */
async function memoryBreakdown(origin: string, rss: number): Promise<string> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const mb = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  const heapUsed = mb('nodejs_heap_size_used_bytes');
  const heapTotal = mb('nodejs_heap_size_total_bytes');
  const external = mb('nodejs_external_memory_bytes');
  return (
    `RSS ${fixed(rss, 0)} MB = V8 heap ${fixed(heapTotal, 0)} MB (${fixed(heapUsed, 0)} MB live or not yet collected) + outside the heap ${fixed(external, 0)} MB ` +
    `+ the rest ${fixed(rss - heapTotal - external, 0)} MB (code, stacks, native memory, other threads)`
  );
}

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** One slice of load on one server, its latency histogram kept for merging with the other slices. */
async function slice(origin: string, connections: number, seconds: number, request: autocannon.Request): Promise<autocannon.Result> {
  return autocannon({ url: origin, connections, duration: seconds, requests: [request], skipAggregateResult: true });
}

/** Slices of one server merged into one run: requests over the time measured, latency from the merged histograms. */
function merge(origin: string, connections: number, slices: readonly autocannon.Result[]): Run {
  const raw = slices as unknown as readonly { totalCompletedRequests: number; duration: number }[];
  // autocannon's own merge of runs made with skipAggregateResult (not in its type definitions).
  const { aggregateResult } = autocannon as unknown as { aggregateResult(results: autocannon.Result[], options: autocannon.Options): autocannon.Result };
  const merged = aggregateResult([...slices], { url: origin, connections });
  const seconds = raw.reduce((sum, result) => sum + result.duration, 0);
  return {
    requestsPerSecond: raw.reduce((sum, result) => sum + result.totalCompletedRequests, 0) / seconds,
    meanMs: merged.latency.mean,
    p99Ms: merged.latency.p99,
    non2xx: merged.non2xx,
    errors: merged.errors + merged.timeouts,
  };
}

/**
 * Warm both up, then measure in SLICES turns of SECONDS / SLICES each, the servers
 * alternating (A B B A A B ...): a slow spell of a shared machine then falls on
 * both alike instead of on whichever ran through it, and the ratio stays a ratio
 * of the same moments.
 */
async function pair(servers: readonly Server[], connections: number, request: (server: Server) => autocannon.Request, order: number): Promise<Record<Server['name'], Run>> {
  const first = order % 2 === 0 ? servers : [...servers].reverse();
  for (const server of first) await slice(server.origin, connections, WARM_UP_SECONDS, request(server));
  const slices = Object.fromEntries(servers.map((server) => [server.name, [] as autocannon.Result[]])) as Record<Server['name'], autocannon.Result[]>;
  for (let turn = 0; turn < SLICES; turn++) {
    for (const server of turn % 2 === 0 ? first : [...first].reverse()) {
      slices[server.name].push(await slice(server.origin, connections, SECONDS / SLICES, request(server)));
    }
  }
  const runs = {} as Record<Server['name'], Run>;
  for (const server of servers) {
    runs[server.name] = merge(server.origin, connections, slices[server.name]);
    if (runs[server.name].non2xx > 0 || runs[server.name].errors > 0) {
      process.stdout.write(`  ${server.name}: ${runs[server.name].non2xx} non-2xx answers, ${runs[server.name].errors} errors\n`);
    }
  }
  return runs;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

/**
 * Bellwether in queue mode (the built API as its own process, PostgreSQL and Redis)
 * against a bare Node `http` + `pg` server doing the same SQL work
 * (bench/bare-server.ts), on one fresh database, driven by autocannon:
 * POST /v1/evidence spread over 5 predictions and on one hot prediction at
 * concurrency 1, 10 and 50, then GET /v1/predictions and GET
 * /v1/predictions/:id/scorecard at 10. The bare server's audit entries are
 * interleaved with Bellwether's in the same chains, and Bellwether's
 * /v1/audit/verify must accept them all at the end. Then embedded mode (`npm
 * start`, one process on a fresh data directory) against queue mode on the same
 * evidence workload, and each one's resident memory after its load.
 */
export async function run(): Promise<void> {
  const database = await createTestDatabase();
  const adminKey = randomApiKey();
  const queuePrefix = `bwbench-${randomBytes(4).toString('hex')}`;
  const servers: Server[] = [];
  try {
    const api = await startApiProcess({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      BOOTSTRAP_ADMIN_KEY: adminKey,
      SEED: 'false',
      SCHEDULERS: 'false',
      RATE_LIMIT_PER_KEY: '0',
      RATE_LIMIT_PER_ADDRESS: '0',
    });
    servers.push({ name: 'bellwether', origin: api.baseUrl, child: api.child }, await startBareProcess(database.url));
    const bellwether = servers[0]!;
    const readyRss = rssMb(bellwether.child);

    const call = caller(bellwether.origin);
    const fixtures = new Map<Server['name'], Fixture>();
    fixtures.set('bellwether', await prepare(bellwether.origin, adminKey, SPREAD));
    // The bare server reads the same database: the same keys and predictions.
    const fixtureOf = (server: Server) => fixtures.get(server.name === 'bare' ? 'bellwether' : server.name)!;
    const { viewer, predictions } = fixtureOf(bellwether);

    const evidence = (targetsOf: (fixture: Fixture) => readonly string[]) => (server: Server) =>
      evidenceRequest(fixtureOf(server).analyst, targetsOf(fixtureOf(server)));
    const spread = (fixture: Fixture) => fixture.predictions;
    const hotOne = (fixture: Fixture) => fixture.predictions.slice(0, 1);
    const read = (path: string) => () => readRequest(viewer, path);

    const machine = os.cpus();
    const pgVersion = (await adminQuery('SHOW server_version', database.url)).rows[0].server_version as string;
    const redis = new Redis(TEST_REDIS_URL);
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    redis.disconnect();
    process.stdout.write(
      `machine: ${machine.length} cores (${machine[0]?.model.trim()}), ${fixed(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map((load) => fixed(load, 2)).join(' ')}; ` +
        `Node ${process.version}, PostgreSQL ${pgVersion}, Redis ${redisVersion}; ${SECONDS} s per server per workload in ${SLICES} alternating turns, after ${WARM_UP_SECONDS} s of warm-up\n`,
    );

    const rows: string[] = [];
    const line = (label: string, runs: Record<Server['name'], Run>, aim?: number) => {
      const ratio = runs.bellwether.requestsPerSecond / runs.bare.requestsPerSecond;
      const text =
        `${label.padEnd(34)} ${fixed(runs.bellwether.requestsPerSecond, 0).padStart(6)} vs ${fixed(runs.bare.requestsPerSecond, 0).padStart(6)} req/s  ${fixed(ratio, 2)}x` +
        `  mean ${fixed(runs.bellwether.meanMs)} vs ${fixed(runs.bare.meanMs)} ms  p99 ${runs.bellwether.p99Ms} vs ${runs.bare.p99Ms} ms` +
        (aim === undefined ? '' : `  (aim >= ${aim}x: ${ratio >= aim ? 'met' : 'NOT met'})`);
      rows.push(text);
      process.stdout.write(`${text}\n`);
      return ratio;
    };

    let order = 0;
    const evidenceRuns: Record<string, Record<Server['name'], Run>> = {};
    for (const [shape, targets, aim] of [['5 predictions', spread, AIMS.evidence], ['one hot prediction', hotOne, AIMS.hot]] as const) {
      for (const connections of CONCURRENCIES) {
        const runs = await pair(servers, connections, evidence(targets), order++);
        evidenceRuns[`${shape} c${connections}`] = runs;
        line(`POST /v1/evidence, ${shape}, c${connections}`, runs, aim);
      }
    }
    line('GET /v1/predictions, c10', await pair(servers, 10, read('/v1/predictions'), order++), AIMS.list);
    line('GET scorecard, c10', await pair(servers, 10, read(`/v1/predictions/${predictions[0]}/scorecard`), order++), AIMS.scorecard);

    const hot = evidenceRuns['one hot prediction c10']!;
    const p99Ratio = hot.bellwether.p99Ms / hot.bare.p99Ms;
    process.stdout.write(
      `hot-row p99 at c10: ${hot.bellwether.p99Ms} ms vs ${hot.bare.p99Ms} ms, ${fixed(p99Ratio, 2)}x (aim <= ${HOT_P99_AIM}x: ${p99Ratio <= HOT_P99_AIM ? 'met' : 'NOT met'})\n`,
    );

    // Embedded mode against queue mode: the same evidence workload on a fresh data directory, the two alternating.
    const dataDir = await mkdtemp(join(tmpdir(), 'bellwether-bench-embedded-'));
    try {
      const embedded = await startEmbeddedProcess(dataDir, { BOOTSTRAP_ADMIN_KEY: adminKey, SEED: 'false', SCHEDULERS: 'false', RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_ADDRESS: '0' });
      const embeddedServer: Server = { name: 'embedded', origin: embedded.baseUrl, child: embedded.child };
      servers.push(embeddedServer);
      fixtures.set('embedded', await prepare(embedded.baseUrl, adminKey, SPREAD));
      for (const [connections, aim] of [[1, EMBEDDED_AIMS.c1], [10, EMBEDDED_AIMS.c10]] as const) {
        const runs = await pair([bellwether, embeddedServer], connections, evidence(spread), order++);
        const ratio = runs.embedded.requestsPerSecond / runs.bellwether.requestsPerSecond;
        const text =
          `embedded / queue mode, POST /v1/evidence, 5 predictions, c${connections}: ${fixed(runs.embedded.requestsPerSecond, 0)} vs ${fixed(runs.bellwether.requestsPerSecond, 0)} req/s, ` +
          `${fixed(ratio, 2)}x (aim >= ${aim}x: ${ratio >= aim ? 'met' : 'NOT met'})`;
        rows.push(text);
        process.stdout.write(`${text}\n`);
      }
      const embeddedRss = rssMb(embedded.child);
      process.stdout.write(
        `embedded RSS after its load: ${fixed(embeddedRss, 0)} MB (aim <= ${EMBEDDED_AIMS.rssMb} MB: ${embeddedRss <= EMBEDDED_AIMS.rssMb ? 'met' : 'NOT met'})\n` +
          `  ${await memoryBreakdown(embedded.baseUrl, embeddedRss)}\n`,
      );
      await stopProcess(embedded.child);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }

    const verify = await call('GET', '/v1/audit/verify', adminKey);
    const apiRss = rssMb(bellwether.child);
    const written = await adminQuery('SELECT count(*)::int AS "n" FROM "AuditEntry"', database.url);
    process.stdout.write(
      `audit verify over ${written.rows[0].n} entries written by both servers: ${verify.ok === true ? 'ok' : `FAILED ${JSON.stringify(verify).slice(0, 500)}`}\n` +
        `Bellwether API RSS: ${fixed(readyRss, 0)} MB at ready, ${fixed(apiRss, 0)} MB after the runs (aim <= ${API_RSS_AIM_MB} MB: ${apiRss <= API_RSS_AIM_MB ? 'met' : 'NOT met'})\n` +
        `  ${await memoryBreakdown(bellwether.origin, apiRss)}\n`,
    );
    if (verify.ok !== true) process.exitCode = 1;
  } finally {
    for (const server of servers) await stopProcess(server.child);
    await database.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, queuePrefix);
  }
}
