import type { ChildProcess } from 'node:child_process';

import { startWorkerProcess, stopProcess } from '#test/app-processes.js';
import { startPrivateRedis, type PrivateServer } from '#test/private-servers.js';
import { createTestDatabase, type TestDatabase } from '#test/test-database.js';
import { until } from '#test/wait.js';

/**
 * A worker whose Redis goes away says so in its own log, a line per queue or
 * worker now and then, instead of BullMQ printing a stack trace to the console
 * for every reconnection attempt.
 */
describe('queue errors while Redis is down', () => {
  let database: TestDatabase;
  let redis: PrivateServer;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await startPrivateRedis();
  }, 60_000);
  afterAll(async () => {
    if (worker) await stopProcess(worker, 'SIGKILL');
    await redis?.destroy();
    await database?.drop();
  });

  it('logs them through the application logger, rate-limited, not as console stack traces', async () => {
    let stdout = '';
    let stderr = '';
    worker = startWorkerProcess(
      { DATABASE_URL: database.url, REDIS_URL: redis.url, QUEUE_PREFIX: 'bw-queue-errors', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', SCHEDULERS: 'false' },
      { output: true },
    );
    worker.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    worker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await until(() => stdout.includes('Bellwether worker running'), 30_000, 'the worker to start');

    await redis.stop();
    const logged = (): { source?: string; errors?: number; msg?: string }[] =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { source?: string; errors?: number; msg?: string })
        .filter((entry) => entry.source?.startsWith('queue ') || entry.source?.startsWith('worker '));
    await until(() => new Set(logged().map((entry) => entry.source)).size >= 4, 20_000, 'queue and worker errors in the log');
    // Several seconds of reconnection attempts: still one line per source within the window.
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    const entries = logged();
    const perSource = new Map<string, number>();
    for (const entry of entries) perSource.set(entry.source!, (perSource.get(entry.source!) ?? 0) + 1);
    expect([...perSource.values()].every((count) => count === 1)).toBe(true);
    // Each line names its source and the error that cut it off: a refused connection, or, for a connection Redis dropped under a command, a reset or a broken pipe (whichever came first in the window).
    expect(entries.every((entry) => entry.msg?.startsWith(`${entry.source}: `) && /ECONNREFUSED|ECONNRESET|EPIPE/.test(entry.msg))).toBe(true);
    expect(stderr).not.toMatch(/ECONNREFUSED/);
  }, 90_000);
});
