import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const API_ENTRY = join(process.cwd(), 'dist/apps/api/src/main.js');
const WORKER_ENTRY = join(process.cwd(), 'dist/apps/worker/src/main.js');
const EMBEDDED_ENTRY = join(process.cwd(), 'dist/apps/embedded/bellwether.js');
/**
 * The V8 heap cap the apps run with (the start scripts in package.json, NODE_OPTIONS in the
 * Dockerfile): a process a test or bench starts runs as in production, so its memory is what
 * an operator would see (without it V8 lets a heap grow to four times its live objects).
 */
export const RUNTIME_FLAGS = ['--max-old-space-size=1024'] as const;

export interface RunningApi {
  child: ChildProcess;
  baseUrl: string;
}

/** The built API as its own process on a free loopback port, resolved once it says where it listens. */
export function startApiProcess(env: Record<string, string>): Promise<RunningApi> {
  return startListening(API_ENTRY, { ...env, LOG_LEVEL: 'error' });
}

/**
 * The built embedded mode (`npm start`: PGlite in `dataDir`, the API, the web app and the
 * worker in one process) on a free loopback port, with no PostgreSQL or Redis settings
 * inherited from the caller.
 */
export function startEmbeddedProcess(dataDir: string, env: Record<string, string>): Promise<RunningApi> {
  return startListening(EMBEDDED_ENTRY, { ...env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'error' });
}

async function startListening(entry: string, env: Record<string, string>): Promise<RunningApi> {
  const child = spawn(process.execPath, [...RUNTIME_FLAGS, entry], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/[\w.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}:\n${output}`)));
  });
  return { child, baseUrl };
}

/** The built worker as its own process; quiet unless `env` sets LOG_LEVEL, and with its output piped when `output` is asked for. */
export function startWorkerProcess(env: Record<string, string>, options: { output?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, [...RUNTIME_FLAGS, WORKER_ENTRY], { env: { ...process.env, LOG_LEVEL: 'error', ...env }, stdio: options.output ? ['ignore', 'pipe', 'pipe'] : 'ignore' });
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}
