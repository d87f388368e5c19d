import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';

import { startApiProcess, startEmbeddedProcess, stopProcess, type RunningApi } from '#test/app-processes.js';
import { deleteRedisPrefix, randomApiKey } from '#test/test-app.js';
import { createTestDatabase, TEST_REDIS_URL } from '#test/test-database.js';

import { evidenceRequest, prepare, readRequest, type Fixture } from './http-workloads.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const SPREAD = 5;
/** Groups under this share of the busy time are summed into "the rest". */
const SHOWN_SHARE = 0.02;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** µs on the monotonic clock, which process.hrtime reads too (CLOCK_MONOTONIC on Linux). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The load's span on the monotonic clock, in µs. */
interface Window {
  from: number;
  to: number;
}

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Where a sample's own time goes: the runtime's pseudo-frames, a package of
 * node_modules, Node's own modules, or Bellwether's code by library.
 */
export function groupOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) {
    if (frame.functionName === '(garbage collector)') return 'garbage collection';
    if (frame.functionName === '(idle)') return 'idle';
    if (frame.functionName === '(program)') return 'V8 and native code';
    return `native: ${frame.functionName || '(anonymous)'}`;
  }
  if (frame.url.startsWith('wasm://')) return 'WebAssembly';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame.url);
  if (pkg) return pkg[1]!;
  if (frame.url.startsWith('node:')) return `node:${frame.url.slice(5).replace(/^internal\//, '').split('/')[0]}`;
  const ours = /\/dist\/(libs\/[^/]+|apps\/[^/]+|bench)\//.exec(frame.url);
  if (ours) return `bellwether ${ours[1]}`;
  return frame.url;
}

/** Self time per group, in ms, of the samples taken within `window`, added into `totals` under `prefix`. */
export function addSelfTime(totals: Map<string, number>, profile: CpuProfile, window: Window, prefix = ''): void {
  const groups = new Map(profile.nodes.map((node) => [node.id, prefix + groupOf(node.callFrame)]));
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < window.from || at > window.to) return;
    const group = groups.get(id)!;
    totals.set(group, (totals.get(group) ?? 0) + delta / 1000);
  });
}

/** Every thread's profile in `directory` (Node writes one per thread), the main thread's groups unprefixed. */
async function selfTimeOfThreads(directory: string, window: Window): Promise<Map<string, number>> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${directory}`);
  const totals = new Map<string, number>();
  for (const file of files) {
    // CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile; thread 0 is the main thread.
    const thread = Number(file.split('.')[4]);
    const profile = JSON.parse(await readFile(join(directory, file), 'utf8')) as CpuProfile;
    addSelfTime(totals, profile, window, thread === 0 ? '' : `thread ${thread}: `);
  }
  return totals;
}

/** One workload on a process started with --cpu-prof: requests served, and the busy time per request by group. */
async function profileWorkload(label: string, start: (env: Record<string, string>) => Promise<RunningApi>, request: (fixture: Fixture) => autocannon.Request, adminKey: string): Promise<void> {
  const kept = process.env.BENCH_PROFILES;
  const directory = kept ? await mkdtemp(join(kept, `${label.replace(/\W+/g, '-')}-`)) : await mkdtemp(join(tmpdir(), 'bellwether-profile-'));
  try {
    const api = await start({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${directory}` });
    let requests = 0;
    const window: Window = { from: 0, to: 0 };
    try {
      const fixture = await prepare(api.baseUrl, adminKey, SPREAD);
      await autocannon({ url: api.baseUrl, connections: CONNECTIONS, duration: 2, requests: [request(fixture)] });
      window.from = monotonicMicros();
      const result = await autocannon({ url: api.baseUrl, connections: CONNECTIONS, duration: SECONDS, requests: [request(fixture)] });
      window.to = monotonicMicros();
      requests = result.requests.total;
      if (result.non2xx > 0 || result.errors > 0) process.stdout.write(`  ${label}: ${result.non2xx} non-2xx answers, ${result.errors} errors\n`);
    } finally {
      await stopProcess(api.child);
    }
    const totals = await selfTimeOfThreads(directory, window);
    if (totals.size === 0) throw new Error('no samples within the load: the profile clock is not the monotonic clock here');
    for (const group of totals.keys()) if (group.endsWith('idle')) totals.delete(group);
    const busy = [...totals.values()].reduce((sum, ms) => sum + ms, 0);
    const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1]);
    const shown = sorted.filter(([, ms]) => ms / busy >= SHOWN_SHARE);
    const rest = busy - shown.reduce((sum, [, ms]) => sum + ms, 0);
    const perRequest = (ms: number) => `${((ms * 1000) / Math.max(requests, 1)).toFixed(0)} µs`;
    process.stdout.write(`${label}: ${requests} requests in ${SECONDS} s, ${perRequest(busy)} of busy thread time per request (every thread)\n`);
    for (const [group, ms] of shown) process.stdout.write(`  ${group.padEnd(40)} ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${perRequest(ms)}\n`);
    process.stdout.write(`  ${'the rest'.padEnd(40)} ${((100 * rest) / busy).toFixed(1).padStart(5)}%  ${perRequest(rest)}\n`);
  } finally {
    if (!kept) await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Where the API's CPU goes, workload by workload: the API in queue mode (and
 * embedded mode for evidence) run with --cpu-prof under autocannon at
 * concurrency 10 for SECONDS, each on a fresh database or data directory, and
 * its own time during the measured load (after 2 s of warm-up) split by
 * package, Node module and Bellwether library, per request. The profiler samples
 * wall time while a thread is not idle, so a thread descheduled inside a system
 * call (a socket write that wakes PostgreSQL on a busy core) counts there.
 * BENCH_PROFILES=<directory> keeps the .cpuprofile files (Chrome DevTools opens them).
 */
export async function run(): Promise<void> {
  const adminKey = randomApiKey();
  const common = { BOOTSTRAP_ADMIN_KEY: adminKey, SEED: 'false', SCHEDULERS: 'false', RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_ADDRESS: '0' };
  const workloads: [string, (fixture: Fixture) => autocannon.Request][] = [
    ['POST /v1/evidence, 5 predictions', (fixture) => evidenceRequest(fixture.analyst, fixture.predictions)],
    ['POST /v1/evidence, one hot prediction', (fixture) => evidenceRequest(fixture.analyst, fixture.predictions.slice(0, 1))],
    ['GET /v1/predictions', (fixture) => readRequest(fixture.viewer, '/v1/predictions')],
  ];
  for (const [label, request] of workloads) {
    const database = await createTestDatabase();
    const queuePrefix = `bwbench-${randomBytes(4).toString('hex')}`;
    try {
      const start = (env: Record<string, string>) => startApiProcess({ ...common, ...env, DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: queuePrefix });
      await profileWorkload(`queue mode API, ${label}, c${CONNECTIONS}`, start, request, adminKey);
    } finally {
      await database.drop();
      await deleteRedisPrefix(TEST_REDIS_URL, queuePrefix);
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'bellwether-bench-embedded-'));
  try {
    const start = (env: Record<string, string>) => startEmbeddedProcess(dataDir, { ...common, ...env });
    await profileWorkload(`embedded mode, POST /v1/evidence, 5 predictions, c${CONNECTIONS}`, start, (fixture) => evidenceRequest(fixture.analyst, fixture.predictions), adminKey);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
