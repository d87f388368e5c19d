import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

import { EXIT_INVALID_CONFIG } from '#config';
import { DATA_DIR_CLAIM_FILE, isProcessRunning } from '#db';
import { until } from '#test/wait.js';

const ENTRY = join(process.cwd(), 'dist/apps/embedded/bellwether.js');
const API_ENTRY = join(process.cwd(), 'dist/apps/api/src/main.js');

/**
 * Every process this suite starts, each the leader of its own process group (so `npm start`'s node goes
 * with it). Whatever a failed or timed-out test left running is killed after that test: none may outlive
 * the run, where it would hold its data directory, and Jest's process, open.
 */
const launched = new Set<ChildProcess>();

function launchProcess(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.stdin.end();
  launched.add(child);
  child.once('exit', () => launched.delete(child));
  return child;
}

function killLaunched(): void {
  for (const child of launched) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  }
}

/** Runs an entry to its end: exit code and everything it printed. */
async function runToExit(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = launchProcess(process.execPath, [entry], env);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

interface RunningBellwether {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

/**
 * Starts the built `npm start` entry as a user would, with nothing but a data
 * directory and a free port: the entry itself, or (`through: 'npm'`) `npm start`
 * without its build step, as a process manager running `npm start` does.
 */
async function start(dataDir: string, through: 'node' | 'npm' = 'node'): Promise<RunningBellwether> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.BOOTSTRAP_ADMIN_KEY;
  const child =
    through === 'node'
      ? launchProcess(process.execPath, [ENTRY], env)
      : launchProcess('npm', ['start', '--ignore-scripts'], env);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up message within 60 s:\n${output}`)), 60_000);
    const check = (): void => {
      const match = /listening on (http:\/\/[\w.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
  return { child, baseUrl, output: () => output };
}

async function stop(running: RunningBellwether): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
  running.child.kill('SIGTERM');
  return exited;
}

/** After a failed assertion: a process the test did not stop must not outlive it. */
function killIfRunning(running: RunningBellwether | undefined): void {
  if (running && running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
}

describe('embedded mode (npm start): PGlite and BullMQ on its PostgreSQL backend, no other setup', () => {
  let dataDir: string;

  beforeAll(async () => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: npm test builds it first (pretest)`);
    dataDir = await mkdtemp(join(tmpdir(), 'bellwether-embedded-'));
  });
  afterEach(killLaunched);
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts, seeds, prints the admin key, runs the scheduled job, and a restart reuses the same data', async () => {
    const first = await start(dataDir);
    let predictionIds: string[];
    let adminKey: string;
    try {
      expect(first.output()).toMatch(/admin key \(shown once, also saved to .*admin-key/);
      const keyFile = join(dataDir, 'admin-key');
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      adminKey = (await readFile(keyFile, 'utf8')).trim();
      expect(first.output()).toContain(adminKey);
      // PGlite asks no password: its socket is a file only this user can open, not a TCP port.
      expect((await stat(join(dataDir, 'socket', '.s.PGSQL.5432'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dataDir, 'socket'))).mode & 0o777).toBe(0o700);

      const unauthenticated = await fetch(`${first.baseUrl}/v1/predictions`);
      expect(unauthenticated.status).toBe(401);
      const response = await fetch(`${first.baseUrl}/v1/predictions`, { headers: { Authorization: `Bearer ${adminKey}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: { id: string; slug: string; prior: number; deadline: string }[] };
      expect(body.items.map((p) => p.slug).sort()).toEqual(
        ['china-alt-compute-acceleration', 'china-domain-parity', 'deepseek-blacklisted-12m', 'us-china-ai-bifurcation'],
      );
      predictionIds = body.items.map((p) => p.id).sort();

      // The audit check's job scheduler fires at once; the worker in the same process runs it through BullMQ.
      await until(() => /"context":"MaintenanceProcessor".*"msg":"The audit trail verifies"/.test(first.output()), 30_000, 'the audit check in the log', first.output);
    } finally {
      expect(await stop(first)).toBe(0);
    }

    const second = await start(dataDir);
    try {
      expect(second.output()).not.toContain('shown once');
      const response = await fetch(`${second.baseUrl}/v1/predictions`, { headers: { Authorization: `Bearer ${adminKey}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: { id: string }[] };
      expect(body.items.map((p) => p.id).sort()).toEqual(predictionIds);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 180_000);

  it('starts a new data directory from the migrated template the build made, not from initdb', async () => {
    const template = join(process.cwd(), 'dist/libs/db/src/embedded/pglite-template.json');
    expect(existsSync(template)).toBe(true);
    const fresh = await mkdtemp(join(tmpdir(), 'bellwether-embedded-template-'));
    let running: RunningBellwether | undefined;
    try {
      const spawnedAt = new Date();
      running = await start(fresh);
      // Ready means the job queues answer too: they are made only once the database does.
      let ready = await fetch(`${running.baseUrl}/health/ready`);
      for (const deadline = Date.now() + 15_000; ready.status !== 200 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        ready = await fetch(`${running.baseUrl}/health/ready`);
      }
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { info: { queue: { status: string } } }).info.queue.status).toBe('up');
      // The embedded settings hold on a copied template too: a small buffer cache (the process's memory).
      const client = new pg.Client({ connectionString: `postgresql://postgres@localhost:5432/postgres?host=${encodeURIComponent(join(fresh, 'socket'))}` });
      await client.connect();
      const { rows: settings } = await client.query<{ shared_buffers: string }>('SHOW shared_buffers');
      await client.end();
      expect(settings[0]!.shared_buffers).toBe('16MB');
      expect(await stop(running)).toBe(0);
      const db = await PGlite.create(join(fresh, 'pglite'));
      try {
        // Every migration was applied when the template was built, before this process started.
        const { rows } = await db.query<{ latest: Date; count: number }>(
          'SELECT max(finished_at) AS "latest", count(*)::int AS "count" FROM public."_prisma_migrations"',
        );
        expect(rows[0]!.count).toBeGreaterThan(0);
        expect(rows[0]!.latest.getTime()).toBeLessThan(spawnedAt.getTime());
      } finally {
        await db.close();
      }
    } finally {
      killIfRunning(running);
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('stops cleanly when told to as soon as it listens, while its worker is still starting', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'bellwether-embedded-stop-'));
    let running: RunningBellwether | undefined;
    try {
      running = await start(fresh);
      // The worker starts after "listening": the stop waits for it, then closes it, then the database.
      expect(await stop(running)).toBe(0);
      expect(running.output()).not.toContain('EPIPE');
    } finally {
      killIfRunning(running);
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('stops when a process manager sends SIGTERM to `npm start`, not only to node, and releases its data directory', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'bellwether-embedded-npm-'));
    let running: RunningBellwether | undefined;
    let nodePid = 0;
    try {
      running = await start(fresh, 'npm');
      nodePid = Number((await readFile(join(fresh, DATA_DIR_CLAIM_FILE), 'utf8')).trim());
      expect(nodePid).toBeGreaterThan(0);
      await stop(running);
      // npm hands the signal to its script's process; a shell in between would die and leave node running, holding the claim.
      await until(() => !isProcessRunning(nodePid), 20_000, 'node to exit');
      expect(existsSync(join(fresh, DATA_DIR_CLAIM_FILE))).toBe(false);
      await expect(fetch(`${running.baseUrl}/health/live`)).rejects.toThrow();
    } finally {
      killIfRunning(running);
      if (nodePid > 0 && isProcessRunning(nodePid)) process.kill(nodePid, 'SIGKILL');
      await rm(fresh, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a second start on a data directory in use, which keeps serving, and takes over the claim of a killed one', async () => {
    const shared = await mkdtemp(join(tmpdir(), 'bellwether-embedded-claim-'));
    let first: RunningBellwether | undefined;
    let third: RunningBellwether | undefined;
    try {
      first = await start(shared);
      const adminKey = (await readFile(join(shared, 'admin-key'), 'utf8')).trim();
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: shared, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', REDIS_URL: '' };
      const second = await runToExit(ENTRY, env);
      expect(second.code).toBe(EXIT_INVALID_CONFIG);
      expect(second.output).toContain(`DATA_DIR ${shared} is in use by another Bellwether process (pid ${first.child.pid})`);
      expect(second.output).not.toMatch(/^\s+at /m);
      // The first still has its database: the refused start touched neither its files nor its socket.
      const stillServing = await fetch(`${first.baseUrl}/v1/predictions`, { headers: { Authorization: `Bearer ${adminKey}` } });
      expect(stillServing.status).toBe(200);

      // kill -9 leaves the claim behind; the next start finds its process gone and takes it over.
      const killed = new Promise((resolve) => first!.child.once('exit', resolve));
      first.child.kill('SIGKILL');
      await killed;
      expect((await readFile(join(shared, DATA_DIR_CLAIM_FILE), 'utf8')).trim()).toBe(String(first.child.pid));
      third = await start(shared);
      expect((await readFile(join(shared, DATA_DIR_CLAIM_FILE), 'utf8')).trim()).toBe(String(third.child.pid));
      const afterTakeover = await fetch(`${third.baseUrl}/v1/predictions`, { headers: { Authorization: `Bearer ${adminKey}` } });
      expect(afterTakeover.status).toBe(200);
      // A clean stop lets the claim go.
      expect(await stop(third)).toBe(0);
      expect(existsSync(join(shared, DATA_DIR_CLAIM_FILE))).toBe(false);
    } finally {
      killIfRunning(first);
      killIfRunning(third);
      await rm(shared, { recursive: true, force: true });
    }
  }, 180_000);

  it('ends with the reason when its data directory cannot be used, instead of waiting for a database that will not open', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bellwether-embedded-unusable-'));
    const notADirectory = join(directory, 'data');
    await writeFile(notADirectory, 'a file where the data directory should be');
    try {
      const child = launchProcess(process.execPath, [ENTRY], { ...process.env, DATA_DIR: notADirectory, PORT: '0', DATABASE_URL: '', REDIS_URL: '' });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).not.toBe(0);
      expect(output).toContain('ENOTDIR');
      expect(output).toContain(join(notADirectory, DATA_DIR_CLAIM_FILE));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('ends with what to change, and no stack trace, when its configuration cannot be used', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bellwether-embedded-config-'));
    try {
      // A bad key is only found once the modules start, with the embedded database's thread already running.
      const badKey = await runToExit(ENTRY, { ...process.env, DATA_DIR: directory, PORT: '0', DATABASE_URL: '', REDIS_URL: '', AUDIT_SIGNING_KEY: 'not-a-key' });
      expect(badKey.code).toBe(EXIT_INVALID_CONFIG);
      expect(badKey.output).toContain('AUDIT_SIGNING_KEY is not a PKCS#8 private key');
      expect(badKey.output).not.toMatch(/^\s+at /m);

      const badPort = await runToExit(API_ENTRY, { ...process.env, PORT: 'eighty' });
      expect(badPort.code).toBe(EXIT_INVALID_CONFIG);
      expect(badPort.output).toContain('PORT must be an integer number');
      expect(badPort.output).not.toMatch(/^\s+at /m);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('keeps its data this user\'s alone, listens on this machine unless HOST widens it, and rotates its signing key without breaking old heads', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'bellwether-embedded-private-'));
    // As a user starts it: no HOST, no signing key (made on first start, kept in DATA_DIR).
    const launch = async (extra: NodeJS.ProcessEnv = {}) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: fresh, PORT: '0', LOG_LEVEL: 'info', ...extra };
      for (const name of ['DATABASE_URL', 'REDIS_URL', 'BOOTSTRAP_ADMIN_KEY', 'AUDIT_SIGNING_KEY', ...(extra.HOST ? [] : ['HOST'])]) delete env[name];
      const child = launchProcess(process.execPath, [ENTRY], env);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const baseUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start-up message within 60 s:\n${output}`)), 60_000);
        child.stdout.on('data', () => {
          const match = /listening on (http:\/\/[\w.]+:\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
      });
      return { child, baseUrl, output: () => output };
    };
    /** Every file and directory under `directory` whose mode lets another user in. */
    const widelyReadable = async (directory: string): Promise<string[]> => {
      const entries = await readdir(directory, { recursive: true, withFileTypes: true });
      const wide: string[] = [];
      for (const entry of entries) {
        const path = join(entry.parentPath, entry.name);
        if (((await stat(path)).mode & 0o077) !== 0) wide.push(path);
      }
      return wide;
    };
    let running: RunningBellwether | undefined;
    try {
      running = await launch();
      expect(running.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.output()).not.toContain('answers beyond this machine');
      expect(await widelyReadable(join(fresh, 'pglite'))).toEqual([]);
      expect((await stat(join(fresh, 'pglite'))).mode & 0o777).toBe(0o700);
      expect((await stat(join(fresh, 'audit-signing-key.pem'))).mode & 0o777).toBe(0o600);

      const key = (await readFile(join(fresh, 'admin-key'), 'utf8')).trim();
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${running!.baseUrl}${path}`, {
          method,
          headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const evidence = { summary: 'before the rotation', observedAt: new Date().toISOString(), impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 2 }] };
      expect((await call('POST', '/v1/evidence', evidence)).status).toBe(201);
      const before = (await call('GET', '/v1/audit/keys')).body as { currentKeyId: string; items: { keyId: string }[] };
      expect(before.items).toHaveLength(1);
      const rotated = await call('POST', '/v1/audit/keys/rotate');
      expect(rotated.status).toBe(201);
      expect(rotated.body).toMatchObject({ current: true, trusted: true, origin: 'local', endorsedBy: [{ keyId: before.currentKeyId, relation: 'successor' }] });
      expect((await call('POST', '/v1/evidence', { ...evidence, summary: 'after the rotation', sourceUrl: 'https://example.org/after' })).status).toBe(201);
      const keys = (await call('GET', '/v1/audit/keys')).body as { currentKeyId: string; items: { keyId: string; retiredAt: string | null; trusted: boolean }[] };
      expect(keys.currentKeyId).toBe(rotated.body.keyId);
      expect(keys.items.find((item) => item.keyId === before.currentKeyId)).toMatchObject({ retiredAt: expect.any(String), trusted: true });
      expect((await call('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true });
      expect(await stop(running)).toBe(0);

      // A data directory left wide by an older start is narrowed; a wider HOST is warned about; the old key's heads still verify.
      await chmod(join(fresh, 'pglite', 'global', 'pg_control'), 0o666);
      running = await launch({ HOST: '0.0.0.0' });
      expect(running.output()).toContain('HOST=0.0.0.0: the embedded mode answers beyond this machine');
      expect((await stat(join(fresh, 'pglite', 'global', 'pg_control'))).mode & 0o777).toBe(0o600);
      expect((await call('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true, brokenCount: 0 });
      expect(await stop(running)).toBe(0);
    } finally {
      killIfRunning(running);
      await rm(fresh, { recursive: true, force: true });
    }
  }, 240_000);
});
