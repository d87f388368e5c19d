import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { StartupService } from '#apps/api/src/startup.service.js';
import { DemoSeedService } from '#apps/api/src/seed/demo-seed.service.js';
import { DEMO_ANALYSTS, DEMO_DAYS, DEMO_EVIDENCE, DEMO_PREDICTIONS } from '#apps/api/src/seed/demo.seed-data.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';

const DAY_MS = 86_400_000;

interface PredictionBody {
  slug: string;
  status: string;
  probability: number;
  createdAt: string;
}

describe('the demo: a year of history loaded into an empty instance through the import', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { DEMO: 'true' } });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const get = async (path: string) => {
    const response = await t.http.get(path).set(auth(t.adminKey));
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response;
  };

  it('loads on the first start, before the seed, and the seed adds the rules and links around it', async () => {
    const startup = t.app.get(StartupService);
    expect(startup.demo?.outcome).toBe('loaded');
    // The seed found the analysis's predictions and indicators in place and made none of them.
    expect(startup.seeded?.created.filter((item) => item.startsWith('prediction:') || item.startsWith('indicator:'))).toEqual([]);
    expect(await t.prisma.rule.count()).toBeGreaterThan(0);
    expect(await t.prisma.indicatorLink.count()).toBeGreaterThan(0);
  });

  it('holds the predictions, evidence, readings and forecasts of a year', async () => {
    const predictions = (await get('/v1/predictions?limit=100')).body.items as PredictionBody[];
    expect(predictions.map((prediction) => prediction.slug).sort()).toEqual(DEMO_PREDICTIONS.map((prediction) => prediction.slug).sort());
    expect(await t.prisma.evidence.count()).toBe(DEMO_EVIDENCE.length);
    const readings = await t.prisma.indicatorReading.count();
    expect(readings).toBeGreaterThanOrEqual(30);
    expect(readings).toBeLessThanOrEqual(60);
    const forecasts = await t.prisma.forecast.count();
    expect(forecasts).toBeGreaterThanOrEqual(100);
    expect(forecasts).toBeLessThanOrEqual(250);
    // Probabilities moved away from the priors: no flat lines.
    for (const spec of DEMO_PREDICTIONS) {
      const prediction = predictions.find((candidate) => candidate.slug === spec.slug)!;
      expect(Math.abs(prediction.probability - spec.prior)).toBeGreaterThan(0.03);
    }
  });

  it('spreads the history over the last year: trail, evidence and forecasts', async () => {
    const now = Date.now();
    const first = await t.prisma.auditEntry.aggregate({ _min: { createdAt: true }, _max: { createdAt: true } });
    expect(now - first._min.createdAt!.getTime()).toBeGreaterThan((DEMO_DAYS - 2) * DAY_MS);
    expect(now - first._min.createdAt!.getTime()).toBeLessThan((DEMO_DAYS + 2) * DAY_MS);
    expect(first._max.createdAt!.getTime()).toBeLessThan(now);
    const evidence = await t.prisma.evidence.aggregate({ _min: { observedAt: true }, _max: { observedAt: true } });
    expect(evidence._max.observedAt!.getTime() - evidence._min.observedAt!.getTime()).toBeGreaterThan(300 * DAY_MS);
    // The chart's series has a shape: points across the year, not all at the load.
    const history = (await get('/v1/predictions/us-china-ai-bifurcation/history?limit=100')).body.items as { at: string; probability: number }[];
    const months = new Set(history.map((point) => point.at.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(11);
    // The "by the deadline" prediction lost odds for every quiet day, as the worker would have recorded them.
    const quietDays = await t.prisma.auditEntry.count({ where: { kind: 'quiet_day', prediction: { slug: 'deepseek-blacklisted-12m' } } });
    expect(quietDays).toBeGreaterThanOrEqual(DEMO_DAYS - 3);
  });

  it('has resolved predictions with scores, several forecasters on the leaderboard and a calibration table', async () => {
    const resolved = DEMO_PREDICTIONS.filter((prediction) => prediction.resolution);
    for (const spec of resolved) {
      const scorecard = (await get(`/v1/predictions/${spec.slug}/scorecard`)).body;
      expect(scorecard.status).toBe(spec.resolution!.outcome === 'true' ? 'resolved_true' : 'resolved_false');
      expect(scorecard.scores.brier).toBeGreaterThanOrEqual(0);
      const analysts = scorecard.tracks.filter((track: { track: string }) => track.track === 'analyst');
      expect(analysts.length).toBe(DEMO_ANALYSTS.length);
    }
    const table = (await get('/v1/scorecards')).body;
    expect(table.resolvedCount).toBe(resolved.length);
    expect(table.leaderboard.length).toBe(DEMO_ANALYSTS.length);
    expect(table.leaderboard.map((standing: { forecasterName: string }) => standing.forecasterName).sort()).toEqual(DEMO_ANALYSTS.map((analyst) => analyst.name).sort());
    const forecasters = await t.prisma.forecast.findMany({ distinct: ['forecaster'], select: { forecaster: true } });
    expect(forecasters.length).toBe(DEMO_ANALYSTS.length);
  });

  it('keeps the audit trail whole and signed by the instance', async () => {
    const verify = (await get('/v1/audit/verify')).body;
    expect(verify.ok).toBe(true);
    expect(verify.brokenCount).toBe(0);
  });

  it('loads once: a second load finds the year in place and writes nothing', async () => {
    const before = await Promise.all([t.prisma.evidence.count(), t.prisma.forecast.count(), t.prisma.auditEntry.count(), t.prisma.user.count()]);
    await expect(t.app.get(DemoSeedService).loadIfEmpty()).resolves.toEqual({ outcome: 'in-place' });
    expect(await Promise.all([t.prisma.evidence.count(), t.prisma.forecast.count(), t.prisma.auditEntry.count(), t.prisma.user.count()])).toEqual(before);
  });

  it('leaves an instance holding other data alone', async () => {
    const other = await createTestApp({ env: { DEMO: 'false' } });
    try {
      await expect(other.app.get(DemoSeedService).loadIfEmpty()).resolves.toEqual({ outcome: 'not-empty', predictions: 4 });
      expect(await other.prisma.forecast.count()).toBe(0);
      expect(await other.prisma.user.count({ where: { email: { in: DEMO_ANALYSTS.map((analyst) => analyst.email) } } })).toBe(0);
    } finally {
      await other.close();
    }
  }, 120_000);
});

/**
 * `npm run demo` as a newcomer runs it, on a data directory of its own. Its process leads its own
 * process group and is killed with it, so npm's node cannot outlive the test.
 */
describe('npm run demo', () => {
  let dataDir: string;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bellwether-demo-'));
  });

  afterEach(() => {
    try {
      if (child?.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on its own data directory and serves a prediction with a year of history', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEMO_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.BOOTSTRAP_ADMIN_KEY;
    delete env.DATA_DIR;
    child = spawn('npm', ['run', 'demo', '--ignore-scripts'], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    child.stdin.end();
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up message within 150 s:\n${output}`)), 150_000);
      child!.stdout.on('data', () => {
        const match = /listening on (http:\/\/[\w.]+:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm run demo exited with ${code}:\n${output}`));
      });
    });
    expect(output).toMatch(/loaded a year of history/);
    expect(output).toContain(join(dataDir, 'pglite'));
    const key = (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
    const response = await fetch(`${baseUrl}/v1/predictions/china-domain-parity/history?limit=200`, { headers: auth(key) });
    expect(response.status).toBe(200);
    const points = ((await response.json()) as { items: { at: string }[] }).items;
    expect(points.length).toBeGreaterThan(5);
    expect(Date.now() - Date.parse(points[0]!.at)).toBeGreaterThan((DEMO_DAYS - 2) * DAY_MS);
    const verify = await fetch(`${baseUrl}/v1/audit/verify`, { headers: auth(key) });
    expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
  }, 240_000);
});
