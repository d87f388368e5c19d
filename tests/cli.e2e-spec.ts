import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bellwether, CLI_ENTRY } from '#test/cli-process.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';


describe('the bellwether CLI against a live API', () => {
  let t: TestApp;
  let env: Record<string, string>;
  let configDir: string;

  beforeAll(async () => {
    if (!existsSync(CLI_ENTRY)) throw new Error(`${CLI_ENTRY} is missing: npm test builds it first (pretest)`);
    configDir = await mkdtemp(join(tmpdir(), 'bellwether-cli-'));
    // Digests sent here are written as .eml files under DATA_DIR (no SMTP_URL).
    t = await createTestApp({ env: { DATA_DIR: configDir, OUTBOX_RELAY_INTERVAL_MS: '100' } });
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
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

  it('forecasts, explains, retracts, rejects and resolves, each as text and as JSON', async () => {
    const forecast = await bellwether(['forecast', 'us-china-ai-bifurcation', '0.7', '--note', 'Two labs listed'], env);
    expect(forecast).toMatchObject({ code: 0, stderr: '' });
    expect(forecast.stdout).toMatch(/^forecast [0-9a-f-]{36}: us-china-ai-bifurcation 70\.0% by /);
    const percent = await bellwether(['forecast', 'us-china-ai-bifurcation', '70', '--json'], env);
    expect(percent.code).toBe(1);
    expect(percent.stderr).toContain('70 looks like a percentage: send 0.7');

    const recorded = await t.http
      .post('/v1/evidence')
      .set(auth(t.adminKey))
      .send({ summary: 'A report later withdrawn', observedAt: new Date().toISOString(), impacts: [{ prediction: 'us-china-ai-bifurcation', likelihoodRatio: 4 }] })
      .expect(201);
    const explain = await bellwether(['explain', 'us-china-ai-bifurcation'], env);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('A report later withdrawn');
    const explained = JSON.parse((await bellwether(['explain', 'us-china-ai-bifurcation', '--json'], env)).stdout) as { slug: string; moves: { cause: string }[] };
    expect(explained.slug).toBe('us-china-ai-bifurcation');
    expect(explained.moves.some((move) => move.cause.includes('A report later withdrawn'))).toBe(true);

    const retracted = await bellwether(['retract', recorded.body.id as string, '--reason', 'Withdrawn by its publisher', '--json'], env);
    expect(retracted.code).toBe(0);
    expect((JSON.parse(retracted.stdout) as { id: string }).id).toBe(recorded.body.id);

    const submitted = await t.http.post('/v1/signals').set(auth(t.adminKey)).send({ items: [{ title: 'Shanghai announces subsidies for AI chips from domestic chipmakers', url: 'https://news.example.org/shanghai-subsidies' }] }).expect(201);
    const signal = (submitted.body as { createdIds: string[] }).createdIds[0]!;
    const rejected = await bellwether(['reject', signal, '--reason', 'Rumour, no primary source'], env);
    expect(rejected).toMatchObject({ code: 0, stderr: '' });
    expect(rejected.stdout).toMatch(/^rejected /);

    await t.http
      .post('/v1/predictions')
      .set(auth(t.adminKey))
      .send({ slug: 'cli-resolved', title: 'Resolved from the CLI', statement: 's', resolutionCriteria: 'r', prior: 0.4, deadline: new Date(Date.now() + 86_400_000).toISOString() })
      .expect(201);
    const resolved = await bellwether(['resolve', 'cli-resolved', 'true', '--note', 'It happened'], env);
    expect(resolved).toMatchObject({ code: 0, stderr: '' });
    expect(resolved.stdout).toContain('cli-resolved: resolved_true');
  }, 60_000);

  it('sends a digest now and redelivers a webhook delivery (admin commands)', async () => {
    const admin = { ...env, BELLWETHER_KEY: t.adminKey };
    const subscriber = await t.http.post('/v1/subscribers').set(auth(t.adminKey)).send({ email: 'cli@example.org', frequency: 'daily' }).expect(201);
    const sent = await bellwether(['digest', 'send', subscriber.body.id as string], admin);
    expect(sent).toMatchObject({ code: 0, stderr: '' });
    expect(sent.stdout).toMatch(/^sent to cli@example\.org: \[Test\] Bellwether daily digest/);
    expect(sent.stdout).toContain(`written to ${join(configDir, 'mail')}`);
    const sentJson = JSON.parse((await bellwether(['digest', 'send', subscriber.body.id as string, '--json'], admin)).stdout) as { to: string; nextDigestAt: string };
    expect(sentJson).toMatchObject({ to: 'cli@example.org', nextDigestAt: subscriber.body.nextDigestAt });

    // A delivery to an address nothing listens on: it fails; redelivering makes one more attempt, same webhook-id.
    const endpoint = await t.http.post('/v1/webhooks').set(auth(t.adminKey)).send({ url: 'http://127.0.0.1:9/cli', events: ['*'] }).expect(201);
    await t.http.post(`/v1/webhooks/${endpoint.body.id}/test`).set(auth(t.adminKey));
    const deliveries = await t.http.get(`/v1/webhooks/${endpoint.body.id}/deliveries`).set(auth(t.adminKey)).expect(200);
    const delivery = (deliveries.body as { items: { id: string }[] }).items[0]!.id;
    const redelivered = await bellwether(['webhooks', 'redeliver', endpoint.body.id as string, delivery, '--json'], admin);
    expect(redelivered.code).toBe(0);
    expect(JSON.parse(redelivered.stdout)).toMatchObject({ deliveryId: delivery, attempt: expect.any(Object) });
    const text = await bellwether(['webhooks', 'redeliver', endpoint.body.id as string, delivery], admin);
    expect(text.stdout).toMatch(new RegExp(`^delivery ${delivery}: (failed|pending|exhausted)`));
    await t.http.patch(`/v1/webhooks/${endpoint.body.id}`).set(auth(t.adminKey)).send({ enabled: false });
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
    // The four seeded predictions, and the one an earlier test resolved.
    expect((JSON.parse(run.stdout) as { slug: string }[]).map((item) => item.slug)).toEqual(expect.arrayContaining(['deepseek-blacklisted-12m', 'china-domain-parity', 'cli-resolved']));
  }, 30_000);
});
