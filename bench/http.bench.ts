import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';
import { Redis } from 'ioredis';

import { startApiProcess, stopProcess } from '#test/app-processes.js';
import { deleteRedisPrefix, randomApiKey } from '#test/test-app.js';
import { adminQuery, createTestDatabase, TEST_REDIS_URL } from '#test/test-database.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const WARM_UP_SECONDS = 2;
/** Each server's SECONDS are measured in this many alternating turns. */
const SLICES = 3;
const CONCURRENCIES = [1, 10, 50] as const;
const SPREAD = 5;
const AIM = 0.6;

interface Server {
  name: 'bellwether' | 'bare';
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
  const slices: Record<Server['name'], autocannon.Result[]> = { bellwether: [], bare: [] };
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
 * /v1/audit/verify must accept them all at the end.
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

    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const response = await fetch(`${bellwether.origin}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const analyst = (await call('POST', '/v1/api-keys', adminKey, { name: 'bench analyst', role: 'analyst' })).key as string;
    const viewer = (await call('POST', '/v1/api-keys', adminKey, { name: 'bench viewer', role: 'viewer' })).key as string;
    const predictions: string[] = [];
    for (let index = 0; index < SPREAD; index++) {
      const created = await call('POST', '/v1/predictions', adminKey, {
        slug: `bench-http-${index}`,
        title: `Bench ${index}`,
        statement: 'Benchmark prediction.',
        resolutionCriteria: 'None; a benchmark.',
        prior: 0.5,
        deadline: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      });
      predictions.push(created.id as string);
    }

    let sent = 0;
    const evidence = (targets: readonly string[]) => (): autocannon.Request => ({
      method: 'POST',
      path: '/v1/evidence',
      headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
      setupRequest: (request) => {
        const index = sent++;
        return {
          ...request,
          body: JSON.stringify({
            summary: `bench ${index}`,
            sourceUrl: 'https://example.com/bench',
            observedAt: new Date().toISOString(),
            reliability: 0.9,
            impacts: [{ prediction: targets[index % targets.length]!, likelihoodRatio: index % 2 === 0 ? 1.1 : 1 / 1.1 }],
          }),
        };
      },
    });
    const read = (path: string) => (): autocannon.Request => ({ method: 'GET', path, headers: { authorization: `Bearer ${viewer}` } });

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
    for (const [shape, targets] of [['5 predictions', predictions], ['one hot prediction', predictions.slice(0, 1)]] as const) {
      for (const connections of CONCURRENCIES) {
        const runs = await pair(servers, connections, evidence(targets), order++);
        evidenceRuns[`${shape} c${connections}`] = runs;
        line(`POST /v1/evidence, ${shape}, c${connections}`, runs, connections === 1 ? undefined : AIM);
      }
    }
    line('GET /v1/predictions, c10', await pair(servers, 10, read('/v1/predictions'), order++), AIM);
    line('GET scorecard, c10', await pair(servers, 10, read(`/v1/predictions/${predictions[0]}/scorecard`), order++), AIM);

    const c1 = evidenceRuns['5 predictions c1']!;
    const hot = evidenceRuns['one hot prediction c10']!;
    const c1Ratio = c1.bellwether.meanMs / c1.bare.meanMs;
    const p99Ratio = hot.bellwether.p99Ms / hot.bare.p99Ms;
    process.stdout.write(
      `latency at c1 (closed-loop mean): ${fixed(c1.bellwether.meanMs, 2)} ms vs ${fixed(c1.bare.meanMs, 2)} ms, ${fixed(c1Ratio, 2)}x (aim <= 2x: ${c1Ratio <= 2 ? 'met' : 'NOT met'})\n` +
        `hot-row p99 at c10: ${hot.bellwether.p99Ms} ms vs ${hot.bare.p99Ms} ms, ${fixed(p99Ratio, 2)}x (aim <= 3x: ${p99Ratio <= 3 ? 'met' : 'NOT met'})\n`,
    );

    const verify = await call('GET', '/v1/audit/verify', adminKey);
    const written = await adminQuery('SELECT count(*)::int AS "n" FROM "AuditEntry"', database.url);
    process.stdout.write(
      `audit verify over ${written.rows[0].n} entries written by both servers: ${verify.ok === true ? 'ok' : `FAILED ${JSON.stringify(verify).slice(0, 500)}`}\n` +
        `Bellwether API RSS: ${fixed(readyRss, 0)} MB at ready, ${fixed(rssMb(bellwether.child), 0)} MB after the runs\n`,
    );
    if (verify.ok !== true) process.exitCode = 1;
  } finally {
    for (const server of servers) await stopProcess(server.child);
    await database.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, queuePrefix);
  }
}
