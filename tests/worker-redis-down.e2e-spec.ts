import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { QUEUE_NAMES } from '#jobs';
import { startWorkerProcess } from '#test/app-processes.js';
import { startPrivateRedis, type PrivateServer } from '#test/private-servers.js';
import { createTestDatabase } from '#test/test-database.js';
import { until } from '#test/wait.js';

/**
 * A worker started while its Redis is down: it starts, says what it waits for
 * through its logger (one JSON line per queue or worker per 30 s, not a raw
 * stack trace per reconnect), puts the job schedulers in place once Redis is
 * back, and a stop while Redis is down again ends within SHUTDOWN_GRACE_SECONDS.
 */
describe('a worker whose Redis is down', () => {
  let redis: PrivateServer;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let worker: ChildProcess | null = null;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    await redis.stop();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await redis.destroy();
    await database.drop();
  });

  it('starts and logs what it waits for, catches up when Redis is back, and stops within its grace period', async () => {
    worker = startWorkerProcess(
      {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: `bwdown-${randomBytes(4).toString('hex')}`,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        SHUTDOWN_GRACE_SECONDS: '2',
      },
      { output: true },
    );
    let output = '';
    worker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const said = (): string => output;
    const lines = (): Record<string, unknown>[] =>
      output
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);

    await until(() => output.includes('Bellwether worker running'), 30_000, 'the worker to start', said);
    await until(() => output.includes('The job schedulers are not in place'), 5_000, 'word that the job schedulers are not in place', said);
    // Every line is the logger's JSON: no raw stack traces printed beside it.
    const queueWarnings = lines().filter((line) => line.context === 'Queues');
    expect(queueWarnings.length).toBeGreaterThan(0);
    expect(queueWarnings.every((line) => String(line.msg).includes('ECONNREFUSED'))).toBe(true);
    // One line per queue or worker per window (a worker for each queue), however often each reconnected.
    expect(queueWarnings.length).toBeLessThanOrEqual(QUEUE_NAMES.length * 2);

    await redis.start();
    await until(() => output.includes('Job schedulers are in place'), 30_000, 'the job schedulers in place after Redis came back', said);

    await redis.stop();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => worker!.once('exit', (code, signal) => resolve({ code, signal })));
    const stoppedAt = Date.now();
    worker.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    // A queue whose Redis is gone may never close: then the grace period ends the stop, with code 1 and a word why.
    // A close that still got through before the connections noticed ends it as Nest does, by the signal itself.
    if (code === 1) expect(output).toContain('did not stop within 2 s of SIGTERM');
    else expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
  }, 90_000);
});
