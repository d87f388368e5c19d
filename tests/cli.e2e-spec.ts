import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { auth, createTestApp, type TestApp } from '#test/test-app.js';

const ENTRY = join(process.cwd(), 'dist/apps/cli/src/main.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `bellwether` command as a user would, with only the environment it is given. */
function bellwether(args: string[], env: Record<string, string>): Promise<CliRun> {
  const clean = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1', ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [ENTRY, ...args], { env: clean, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the bellwether CLI against a live API', () => {
  let t: TestApp;
  let env: Record<string, string>;
  let configDir: string;

  beforeAll(async () => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: npm test builds it first (pretest)`);
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
    configDir = await mkdtemp(join(tmpdir(), 'bellwether-cli-'));
    env = { BELLWETHER_URL: `http://127.0.0.1:${address.port}`, BELLWETHER_KEY: await t.keyFor('analyst'), BELLWETHER_CONFIG: join(configDir, 'none.json') };
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await rm(configDir, { recursive: true, force: true });
  }, 60_000);

  it('lists predictions as a table, and as JSON for scripts', async () => {
    const table = await bellwether(['predictions'], env);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/slug\s.*probability\s.*prior\s.*status\s.*deadline/);
    expect(table.stdout).toMatch(/deepseek-blacklisted-12m\s.*\d+\.\d%\s.*\d+\.\d%\s.*open/);

    const json = await bellwether(['predictions', '--json'], env);
    const items = JSON.parse(json.stdout) as { slug: string; probability: number }[];
    expect(items.map((item) => item.slug).sort()).toEqual(['china-alt-compute-acceleration', 'china-domain-parity', 'deepseek-blacklisted-12m', 'us-china-ai-bifurcation']);
  }, 60_000);

  it('records evidence with a likelihood ratio and shows the move; the scorecard shows it among the top evidence', async () => {
    const before = (await t.http.get('/v1/predictions/china-domain-parity').set(auth(t.adminKey))).body as { probability: number };
    const run = await bellwether(['evidence', 'add', 'china-domain-parity', '--lr', '3', '--summary', 'A benchmark shows parity on two domains'], env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const expected = (before.probability * 3) / (before.probability * 3 + (1 - before.probability));
    expect(run.stdout).toContain(`china-domain-parity: ${(before.probability * 100).toFixed(1)}% -> ${(expected * 100).toFixed(1)}%`);
    const after = (await t.http.get('/v1/predictions/china-domain-parity').set(auth(t.adminKey))).body as { probability: number };
    expect(after.probability).toBeCloseTo(expected, 10);

    const card = await bellwether(['scorecard', 'china-domain-parity'], env);
    expect(card.code).toBe(0);
    expect(card.stdout).toContain(`probability  ${(expected * 100).toFixed(1)}%`);
    expect(card.stdout).toContain('A benchmark shows parity on two domains');
    const cardJson = JSON.parse((await bellwether(['scorecard', 'china-domain-parity', '--json'], env)).stdout) as { probability: number };
    expect(cardJson.probability).toBeCloseTo(expected, 10);
  }, 60_000);

  it('shows the review inbox and accepts a signal into evidence', async () => {
    const submitted = await t.http
      .post('/v1/signals')
      .set(auth(t.adminKey))
      .send({ items: [{ title: 'DeepSeek posts job ads to recruit ASIC and FPGA chip engineers', url: 'https://news.example.org/deepseek-asic-jobs' }] })
      .expect(201);
    const id = (submitted.body as { createdIds: string[] }).createdIds[0]!;

    const inbox = await bellwether(['inbox'], env);
    expect(inbox.code).toBe(0);
    expect(inbox.stdout).toContain(id);
    expect(inbox.stdout).toContain('DeepSeek hardware hiring');
    expect((JSON.parse((await bellwether(['inbox', '--json'], env)).stdout) as { id: string }[]).map((item) => item.id)).toContain(id);

    const accepted = await bellwether(['accept', id], env);
    expect(accepted).toMatchObject({ code: 0, stderr: '' });
    expect(accepted.stdout).toMatch(/accepted as evidence [0-9a-f-]{36}/);
    expect(accepted.stdout).toContain('deepseek-blacklisted-12m:');
    const signal = (await t.http.get(`/v1/signals/${id}`).set(auth(t.adminKey))).body as { status: string };
    expect(signal.status).toBe('accepted');

    const again = await bellwether(['accept', id, '--json'], env);
    expect(again.code).toBe(1);
    expect((JSON.parse(again.stderr) as { type: string }).type).toBe('https://bellwether.dev/problems/signal-already-accepted');
  }, 60_000);

  it('prints the API problem and exits 1: unknown prediction, too low a role, no key', async () => {
    const missing = await bellwether(['scorecard', 'no-such-prediction'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error 404');
    expect(missing.stderr).toContain('prediction-not-found');

    const viewer = await bellwether(['evidence', 'add', 'china-domain-parity', '--supports', '--summary', 'x'], { ...env, BELLWETHER_KEY: await t.keyFor('viewer') });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain('error 403');

    const anonymous = await bellwether(['predictions'], { BELLWETHER_URL: env.BELLWETHER_URL!, BELLWETHER_CONFIG: env.BELLWETHER_CONFIG! });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('error 401');
  }, 60_000);

  it('reads the server and key from a config file when the environment does not name them', async () => {
    const file = join(configDir, 'config.json');
    await writeFile(file, JSON.stringify({ url: env.BELLWETHER_URL, key: env.BELLWETHER_KEY }));
    const run = await bellwether(['predictions', '--json'], { BELLWETHER_CONFIG: file });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as unknown[]).length).toBe(4);
  }, 30_000);
});
