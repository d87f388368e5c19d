import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

import { WebLiveService } from '#apps/api/src/web/web-live.service.js';
import { ApiKeysService } from '#auth';
import { createTestApp } from '#test/test-app.js';
import { until } from '#test/wait.js';

import { createBenchPrediction, seedEvidenceHistory } from './evidence-history-fixture.js';
import { formatSummary, summarise, timed, type LatencySummary } from './latency.js';
import { LIVE_PAGES_CLIENT } from './live-pages-client.js';

const LARGE_HISTORY = 100_000;
const WARM_UP = 30;
const ROUNDS = 300;
const TARGET_P95_MS = 50;
const TARGET_RATIO = 1.5;
const ANALYSTS = 50;
/** Each analyst's forecasts on the large prediction: enough that each has a history, not one point. */
const FORECASTS_EACH = 4;
const LIVE_PAGES = 200;
const LIVE_AIM_MB = 50;
/** Longer than the live service's poll (1.5 s), so the streams' first stamps are taken before anything changes. */
const LIVE_SETTLE_MS = 3_500;
const MB = 1024 * 1024;

/**
 * The web app's pages must stay as quick as the JSON they show: the overview and the
 * page of a prediction with 100,000 evidence items and 50 analysts' forecasts (each with
 * a history), server-rendered HTML (session cookie, templates, SVG chart), against the
 * JSON requests a client of the API makes at once for the same page (overview: the list,
 * the inbox and every scorecard; prediction: scorecard, revisions, the latest audit
 * entries, the first page of the history and every forecast), interleaved in the same run
 * over real HTTP. And 200 open live pages of that prediction must cost the API process
 * under 50 MB, each told when evidence arrives, and nothing once they are closed.
 */
export async function run(): Promise<void> {
  const t = await createTestApp();
  try {
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const viewer = await t.keyFor('viewer');
    const large = await createBenchPrediction(base, t.adminKey, 'bench-web-large');
    process.stdout.write(`seeding ${LARGE_HISTORY} evidence items...\n`);
    await seedEvidenceHistory(t.database.url, large, LARGE_HISTORY);
    process.stdout.write(`${ANALYSTS} analysts forecasting ${FORECASTS_EACH} times each...\n`);
    const analysts = await forecastAsAnalysts(base, t.app.get(ApiKeysService), large.id);
    const cookie = await signIn(base, viewer);

    const fetchOk = (path: string, headers: Record<string, string>) => async () => {
      const response = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
      await response.arrayBuffer();
    };
    const api = (path: string) => fetchOk(path, { Authorization: `Bearer ${viewer}` });
    const all = (...requests: (() => Promise<void>)[]) => async () => void (await Promise.all(requests.map((request) => request())));
    const ids = ((await (await fetch(`${base}/v1/predictions`, { headers: { Authorization: `Bearer ${viewer}` } })).json()) as { items: { id: string }[] }).items.map(
      (item) => item.id,
    );
    // What a client of the JSON API fetches (at once) to show the same page.
    const pairs = {
      overview: {
        json: all(api('/v1/predictions'), api('/v1/signals?status=pending&limit=200'), ...ids.map((id) => api(`/v1/predictions/${id}/scorecard`))),
        page: fetchOk('/app', { Cookie: cookie }),
      },
      prediction: {
        json: all(
          api(`/v1/predictions/${large.id}/scorecard`),
          api(`/v1/predictions/${large.id}/revisions`),
          api(`/v1/predictions/${large.id}/audit?limit=25`),
          api(`/v1/predictions/${large.id}/history?limit=200`),
          // Every analyst's forecasts and the team now: the page's team line, analysts' lines and latest views.
          api(`/v1/predictions/${large.id}/forecasts`),
        ),
        page: fetchOk('/app/predictions/bench-web-large', { Cookie: cookie }),
      },
    };
    const html = async (path: string) => await (await fetch(`${base}${path}`, { headers: { Cookie: cookie } })).text();
    const predictionPage = await html('/app/predictions/bench-web-large');
    // The page must show what the JSON side fetches: every analyst's latest forecast and the team of all of them.
    const listed = (/data-testid="analyst-forecasts">([\s\S]*?)<\/ul>/.exec(predictionPage)?.[1] ?? '').split('<li>').length - 1;
    if (listed !== ANALYSTS || !predictionPage.includes(`(${ANALYSTS} analysts)`)) throw new Error(`the prediction page lists ${listed} analysts' forecasts, not ${ANALYSTS}`);
    process.stdout.write(`page sizes: overview ${Buffer.byteLength(await html('/app')) / 1000} kB, prediction ${Buffer.byteLength(predictionPage) / 1000} kB\n`);

    await measureLivePages(base, t.app.get(WebLiveService), analysts, large.id);

    for (const [name, { json, page }] of Object.entries(pairs)) {
      for (let index = 0; index < WARM_UP; index++) {
        await json();
        await page();
      }
      const jsonSamples: number[] = [];
      const pageSamples: number[] = [];
      for (let index = 0; index < ROUNDS; index++) {
        if (index % 2 === 0) {
          jsonSamples.push(await timed(json));
          pageSamples.push(await timed(page));
        } else {
          pageSamples.push(await timed(page));
          jsonSamples.push(await timed(json));
        }
      }
      report(name, summarise(jsonSamples), summarise(pageSamples));
    }
  } finally {
    await t.close();
  }
}

/**
 * Fifty people, each with an analyst key (a person named after it), forecasting the prediction
 * FORECASTS_EACH times through the API, round by round so their histories interleave as a
 * team's would. Returns their keys.
 */
async function forecastAsAnalysts(base: string, apiKeys: ApiKeysService, predictionId: string): Promise<string[]> {
  const keys: string[] = [];
  for (let analyst = 0; analyst < ANALYSTS; analyst++) {
    keys.push((await apiKeys.create({ name: `Analyst ${String(analyst + 1).padStart(2, '0')}`, role: 'analyst' })).token);
  }
  for (let round = 0; round < FORECASTS_EACH; round++) {
    for (const [analyst, key] of keys.entries()) {
      // Spread over 0.05..0.94, different for each analyst and round.
      const probability = 0.05 + (((analyst * 37 + round * 11) % 100) / 100) * 0.9;
      const response = await fetch(`${base}/v1/predictions/${predictionId}/forecasts`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ probability: Number(probability.toFixed(3)), note: `Round ${round + 1}: what analyst ${analyst + 1} makes of the latest evidence.` }),
      });
      if (response.status !== 201) throw new Error(`POST forecasts answered ${response.status}: ${await response.text()}`);
    }
  }
  return keys;
}

interface Memory {
  rss: number;
  heap: number;
}

/** This process's memory once garbage is collected (with --expose-gc, as `npm run bench` runs it). */
async function settledMemory(): Promise<Memory> {
  for (let round = 0; round < 3; round++) {
    globalThis.gc?.();
    await delay(50);
  }
  const memory = process.memoryUsage();
  return { rss: memory.rss / MB, heap: memory.heapUsed / MB };
}

/** The open live pages, in a process of their own (bench/live-pages-client.ts), and what they have said. */
function openLivePages(base: string, topic: string, count: number, cookies: string[]) {
  const child = spawn(process.execPath, [LIVE_PAGES_CLIENT], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, LIVE_BASE: base, LIVE_TOPIC: topic, LIVE_COUNT: String(count), LIVE_COOKIES: JSON.stringify(cookies) },
  });
  const said = new Map<string, number>();
  let failure: string | null = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [word, value] = line.split(' ');
    if (word === 'error') failure = line;
    else said.set(word!, Number(value ?? 1));
  });
  child.on('exit', (code) => (failure ??= code === 0 ? null : `the live pages' process exited with ${code}`));
  const reached = (word: string, at: number, timeoutMs: number) =>
    until(
      () => {
        if (failure) throw new Error(failure);
        return (said.get(word) ?? 0) >= at;
      },
      timeoutMs,
      `${at} live pages ${word}`,
      () => `${said.get(word) ?? 0} so far`,
    );
  return {
    said,
    reached,
    async close(): Promise<void> {
      if (child.exitCode !== null) return;
      child.stdin.write('close\n');
      await reached('closed', 1, 10_000);
    },
    kill: () => child.exitCode === null && child.kill(),
  };
}

/**
 * 200 open live pages of the prediction (4 tabs for each analyst's session): the API process's
 * memory (RSS and V8 heap, after collecting garbage) before they open, while they are open,
 * after one evidence item has been broadcast to all of them (counted: every page must be told,
 * so the measure is of working streams), and once they are closed, when the live service must
 * have no listener left.
 */
async function measureLivePages(base: string, live: WebLiveService, keys: string[], predictionId: string): Promise<void> {
  const cookies: string[] = [];
  for (const key of keys) cookies.push(await signIn(base, key));
  const topic = 'prediction:bench-web-large';
  // One page opened and closed first, so that code run once per process is not counted as the pages' cost.
  const warmUp = openLivePages(base, topic, 1, cookies);
  try {
    await warmUp.reached('open', 1, 10_000);
    await warmUp.close();
  } finally {
    warmUp.kill();
  }
  await until(() => live.listening === 0, 10_000, 'the warm-up page to close');

  const before = await settledMemory();
  const pages = openLivePages(base, topic, LIVE_PAGES, cookies);
  try {
    await pages.reached('open', LIVE_PAGES, 30_000);
    await until(() => live.listening === LIVE_PAGES, 10_000, `the live service to count ${LIVE_PAGES} listeners`, () => `${live.listening}`);
    await delay(LIVE_SETTLE_MS);
    const open = await settledMemory();
    const posted = performance.now();
    const evidence = await fetch(`${base}/v1/evidence`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys[0]}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ summary: 'Evidence every open page hears of', observedAt: new Date().toISOString(), impacts: [{ prediction: predictionId, likelihoodRatio: 1.5 }] }),
    });
    if (evidence.status !== 201) throw new Error(`POST /v1/evidence answered ${evidence.status}: ${await evidence.text()}`);
    await pages.reached('changed', LIVE_PAGES, 15_000);
    const toldSeconds = (performance.now() - posted) / 1000;
    const told = await settledMemory();
    await pages.close();
    await until(() => live.listening === 0, 10_000, 'the live service to drop every listener', () => `${live.listening} left`);
    const closed = await settledMemory();

    const added = Math.max(open.rss, told.rss) - before.rss;
    const line = (label: string, memory: Memory) =>
      `${label.padEnd(34)} RSS ${memory.rss.toFixed(0).padStart(4)} MB (${signed(memory.rss - before.rss)}), heap used ${memory.heap.toFixed(1).padStart(6)} MB (${signed(memory.heap - before.heap)})\n`;
    process.stdout.write(`${globalThis.gc ? '' : 'without --expose-gc: the figures include uncollected garbage\n'}`);
    process.stdout.write(line('API process before live pages', before));
    process.stdout.write(line(`${LIVE_PAGES} live pages open`, open));
    process.stdout.write(line(`after one change told to them`, told));
    process.stdout.write(line('after they closed', closed));
    process.stdout.write(
      `live pages: ${pages.said.get('changed') ?? 0} of ${LIVE_PAGES} told of the new evidence within ${toldSeconds.toFixed(1)} s; ` +
        `${live.listening} listeners left after closing; ` +
        `added ${added.toFixed(1)} MB RSS, ${(Math.max(open.heap, told.heap) - before.heap).toFixed(1)} MB heap (aim under ${LIVE_AIM_MB} MB: ${added < LIVE_AIM_MB ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    pages.kill();
  }
}

function signed(mb: number): string {
  return `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`;
}

/** Signs in as a browser would: the form's token from the page and its cookie, then the session cookie. */
async function signIn(base: string, key: string): Promise<string> {
  const form = await fetch(`${base}/app/login`);
  const loginCookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!token) throw new Error('the sign-in page has no form token');
  const response = await fetch(`${base}/app/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: loginCookie },
    body: new URLSearchParams({ _csrf: token, key, next: '/app' }).toString(),
    redirect: 'manual',
  });
  const session = (response.headers.getSetCookie().find((each) => each.startsWith('bw_session=')) ?? '').split(';')[0];
  if (response.status !== 303 || !session) throw new Error(`sign-in answered ${response.status}`);
  return session;
}

function report(name: string, json: LatencySummary, page: LatencySummary): void {
  process.stdout.write(formatSummary(`${name} as JSON, ${LARGE_HISTORY}`, json));
  process.stdout.write(formatSummary(`${name} page, ${LARGE_HISTORY}`, page));
  const ratio = page.p95 / json.p95;
  process.stdout.write(
    `${name}: page / JSON p50 ${(page.p50 / json.p50).toFixed(2)}x, p95 ${ratio.toFixed(2)}x (aim at most ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}); ` +
      `p95 ${page.p95.toFixed(1)} ms (aim under ${TARGET_P95_MS} ms: ${page.p95 < TARGET_P95_MS ? 'met' : 'NOT met'})\n`,
  );
}
