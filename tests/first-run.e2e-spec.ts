import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface Start {
  child: ChildProcess;
  output: () => string;
  /** Milliseconds from the spawn of `npm start` to "listening". */
  readyAfterMs: number;
}

/** `npm start` in a checkout, as a newcomer runs it: nothing but a data directory and a free port. */
async function npmStart(checkout: string, dataDir: string, timeoutMs: number): Promise<Start> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'BOOTSTRAP_ADMIN_KEY', 'NODE_OPTIONS', 'npm_config_ignore_scripts']) delete env[name];
  const spawnedAt = Date.now();
  const child = spawn('npm', ['start'], { cwd: checkout, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const readyAfterMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up message within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const check = (): void => {
      if (!/listening on http:\/\/[\w.]+:\d+/.test(output)) return;
      clearTimeout(timer);
      resolve(Date.now() - spawnedAt);
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
  return { child, output: () => output, readyAfterMs };
}

async function stop(start: Start): Promise<number | null> {
  if (start.child.exitCode !== null || start.child.signalCode !== null) return start.child.exitCode;
  const exited = new Promise<number | null>((resolve) => start.child.once('exit', resolve));
  start.child.kill('SIGTERM');
  return exited;
}

/**
 * The first run, as the issue measured it: a clean clone of the committed tree (its node_modules
 * linked to this checkout's, as `npm ci` would lay them), `npm start` twice on one data directory.
 * The first start builds, with a line per step; the second finds the build current by its stamp and
 * starts from it, in seconds.
 */
describe('npm start on a clean clone: builds once, then starts from the built tree', () => {
  let workspace: string;
  let checkout: string;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'bellwether-first-run-'));
    checkout = join(workspace, 'clone');
    await run('git', ['clone', '--quiet', '--no-hardlinks', process.cwd(), checkout]);
    await symlink(join(process.cwd(), 'node_modules'), join(checkout, 'node_modules'), 'dir');
  }, 120_000);
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('runs its scripts on the Node 22 that package.json declares and brings', async () => {
    const manifest = JSON.parse(await readFile(join(checkout, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: { node: string } };
    const { stdout } = await run('npm', ['exec', '--', 'node', '-v'], { cwd: checkout });
    expect(stdout.trim()).toBe(`v${manifest.devDependencies.node}`);
    expect(manifest.engines.node).toMatch(/^\^22\./);
  });

  it('builds on the first start with a line per step, and the second start rebuilds nothing and is ready in seconds', async () => {
    const dataDir = join(workspace, 'data');
    const first = await npmStart(checkout, dataDir, 240_000);
    try {
      expect(first.output()).toContain('No build yet: building before the first start');
      expect(first.output()).toMatch(/build 2\/4 TypeScript \(nest build\)/);
      expect(first.output()).toMatch(/build done in [\d.]+ s/);
      // No spinner: npm's progress characters would come as carriage returns or cursor moves.
      expect(first.output()).not.toContain('\r');
      expect(first.output()).not.toContain('\u001b[');
    } finally {
      await stop(first);
    }
    const stamp = await stat(join(checkout, 'dist', '.source-stamp'));

    const second = await npmStart(checkout, dataDir, 60_000);
    try {
      expect(second.output()).not.toContain('build 1/4');
      expect(second.output()).not.toContain('building');
      expect((await stat(join(checkout, 'dist', '.source-stamp'))).mtimeMs).toBe(stamp.mtimeMs);
      // The README says under 3 s on a reused data directory; CI's shared 2 cores get some slack.
      expect(second.readyAfterMs).toBeLessThan(10_000);
      console.log(`second npm start on a clean clone: listening after ${second.readyAfterMs} ms`);
    } finally {
      await stop(second);
    }
  }, 420_000);
});
