import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { RUNTIME_FLAGS, stopProcess } from '#test/app-processes.js';
import { randomApiKey } from '#test/test-app.js';
import { createTestDatabase, TEST_REDIS_URL } from '#test/test-database.js';

const ROUNDS = 3;
const READY_FRESH_AIM_MS = 1500;
const READY_REUSED_AIM_MS = 1000;
const API_READY_AIM_MS = 1000;
const RSS_AIM_MB = 350;
/** The floor under the API's start: Node itself, listening on a port with nothing loaded. */
const NODE_LISTENING = `require('node:http').createServer().listen(0, '127.0.0.1', () => console.log('listening on http'))`;

interface Start {
  readyMs: number;
  rssMb: number;
  /** Until the worker runs too (its job schedulers in place); Bellwether only. */
  workerMs: number | null;
}

/**
 * Spawns `entry` with DATA_DIR and waits for `ready` in its output: time from spawn, and RSS at
 * that moment; then, when `running` is given, for that too.
 */
async function timeStart(entry: string, dataDir: string, ready: RegExp, running?: RegExp): Promise<Start> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'BOOTSTRAP_ADMIN_KEY']) delete env[name];
  return timeSpawn([...RUNTIME_FLAGS, entry], env, ready, running);
}

async function timeSpawn(args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp, running?: RegExp): Promise<Start> {
  const entry = args.at(-1)!;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${entry} not ready within 60 s:\n${output}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (ready.test(output)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}:\n${output}`)));
    });
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
    let workerMs: number | null = null;
    if (running) {
      while (!running.test(output)) {
        if (performance.now() - started > 60_000) throw new Error(`${entry}: no ${running.source} within 60 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      workerMs = performance.now() - started;
    }
    return { readyMs, rssMb: rssKb / 1024, workerMs };
  } finally {
    await stopProcess(child);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fixed = (value: number) => value.toFixed(0);

/**
 * The API of queue mode (`npm run start:api`) from spawn to "listening", on a migrated database
 * that a first start has already seeded, against Node listening with nothing loaded; medians of
 * ROUNDS, the two alternating.
 */
async function apiStart(): Promise<void> {
  const database = await createTestDatabase();
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      BOOTSTRAP_ADMIN_KEY: randomApiKey(),
      SCHEDULERS: 'false',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    const api = [...RUNTIME_FLAGS, join(process.cwd(), 'dist/apps/api/src/main.js')];
    const first = await timeSpawn(api, env, /listening on http/);
    const ours: Start[] = [];
    const floor: Start[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(await timeSpawn(api, env, /listening on http/));
      floor.push(await timeSpawn(['-e', NODE_LISTENING], env, /listening on http/));
    }
    const readyMs = median(ours.map((start) => start.readyMs));
    const floorMs = median(floor.map((start) => start.readyMs));
    process.stdout.write(
      `API start (queue mode), database seeded: ready ${fixed(readyMs)} ms (aim < ${API_READY_AIM_MS}: ${readyMs < API_READY_AIM_MS ? 'met' : 'NOT met'}), ` +
        `RSS ${fixed(median(ours.map((start) => start.rssMb)))} MB; Node listening alone ${fixed(floorMs)} ms: ${(readyMs / floorMs).toFixed(2)}x its time; ` +
        `the first start, which seeds, ${fixed(first.readyMs)} ms\n`,
    );
  } finally {
    await database.drop();
  }
}

/**
 * `npm start` in embedded mode, from spawn to "listening" (and on to the worker
 * running, which starts once the API answers): on a new data
 * directory (loaded from the build's template) and on the same directory
 * again, with the RSS at that moment; against the floor under it, a process
 * that only opens PGlite the same way and answers one query. Rounds alternate
 * the two, medians of three. Then the queue mode's API start (apiStart).
 */
export async function run(): Promise<void> {
  const bellwether = join(process.cwd(), 'dist/apps/embedded/bellwether.js');
  const baseline = join(process.cwd(), 'dist/bench/embedded-baseline.js');
  const results = { bellwether: { fresh: [] as Start[], reused: [] as Start[] }, baseline: { fresh: [] as Start[], reused: [] as Start[] } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, entry, ready, running] of [
      ['bellwether', bellwether, /listening on http/, /Job schedulers are in place/],
      ['baseline', baseline, /^ready$/m, undefined],
    ] as const) {
      const dataDir = await mkdtemp(join(tmpdir(), 'bellwether-bench-embedded-'));
      try {
        results[name].fresh.push(await timeStart(entry, dataDir, ready, running));
        results[name].reused.push(await timeStart(entry, dataDir, ready, running));
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  }
  for (const kind of ['fresh', 'reused'] as const) {
    const ours = results.bellwether[kind];
    const floor = results.baseline[kind];
    const readyMs = median(ours.map((start) => start.readyMs));
    const rssMb = median(ours.map((start) => start.rssMb));
    const workerMs = median(ours.map((start) => start.workerMs ?? 0));
    const floorMs = median(floor.map((start) => start.readyMs));
    const floorMb = median(floor.map((start) => start.rssMb));
    const aimMs = kind === 'fresh' ? READY_FRESH_AIM_MS : READY_REUSED_AIM_MS;
    process.stdout.write(
      `embedded start, ${kind} data directory: ready ${fixed(readyMs)} ms (aim < ${aimMs}: ${readyMs < aimMs ? 'met' : 'NOT met'}), RSS ${fixed(rssMb)} MB (aim < ${RSS_AIM_MB}: ${rssMb < RSS_AIM_MB ? 'met' : 'NOT met'}); ` +
        `PGlite alone ${fixed(floorMs)} ms, ${fixed(floorMb)} MB: ${(readyMs / floorMs).toFixed(2)}x its time, +${fixed(rssMb - floorMb)} MB; ` +
        `the worker running too at ${fixed(workerMs)} ms\n`,
    );
  }
  await apiStart();
}
