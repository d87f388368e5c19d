import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const API_ENTRY = join(process.cwd(), 'dist/apps/api/src/main.js');
const WORKER_ENTRY = join(process.cwd(), 'dist/apps/worker/src/main.js');

export interface RunningApi {
  child: ChildProcess;
  baseUrl: string;
}

/** The built API as its own process on a free loopback port, resolved once it says where it listens. */
export async function startApiProcess(env: Record<string, string>): Promise<RunningApi> {
  const child = spawn(process.execPath, [API_ENTRY], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/[\w.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`API exited with ${code}:\n${output}`)));
  });
  return { child, baseUrl };
}

/** The built worker as its own process; quiet unless `env` sets LOG_LEVEL, and with its output piped when `output` is asked for. */
export function startWorkerProcess(env: Record<string, string>, options: { output?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, [WORKER_ENTRY], { env: { ...process.env, LOG_LEVEL: 'error', ...env }, stdio: options.output ? ['ignore', 'pipe', 'pipe'] : 'ignore' });
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}
