import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { RUNTIME_FLAGS, stopProcess } from '#test/app-processes.js';

const ROUNDS = 3;
const READY_FRESH_AIM_MS = 3000;
const READY_REUSED_AIM_MS = 2000;
const RSS_AIM_MB = 350;

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
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...RUNTIME_FLAGS, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
 * `npm start` in embedded mode, from spawn to "listening" (and on to the worker
 * running, which starts once the API answers): on a new data
 * directory (loaded from the build's template) and on the same directory
 * again, with the RSS at that moment; against the floor under it, a process
 * that only opens PGlite the same way and answers one query. Rounds alternate
 * the two, medians of three.
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
}
