import type { AddressInfo } from 'node:net';

import { createTestApp } from '#test/test-app.js';

import { createBenchPrediction, seedEvidenceHistory } from './evidence-history-fixture.js';
import { formatSummary, summarise, timed, type LatencySummary } from './latency.js';

const LARGE_HISTORY = 100_000;
const WARM_UP = 30;
const ROUNDS = 300;
const TARGET_P95_MS = 50;
const TARGET_RATIO = 1.5;

/**
 * The web app's pages must stay as quick as the JSON they show: the overview and the
 * page of a prediction with 100,000 evidence items, server-rendered HTML (session cookie,
 * templates, SVG chart), against the JSON requests a client of the API makes at once for
 * the same page (overview: the list, the inbox and every scorecard; prediction: scorecard,
 * revisions, the latest audit entries and the first page of the history), interleaved in
 * the same run over real HTTP.
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
        ),
        page: fetchOk('/app/predictions/bench-web-large', { Cookie: cookie }),
      },
    };
    const size = async (path: string) => (await (await fetch(`${base}${path}`, { headers: { Cookie: cookie } })).arrayBuffer()).byteLength;
    process.stdout.write(`page sizes: overview ${(await size('/app')) / 1000} kB, prediction ${(await size('/app/predictions/bench-web-large')) / 1000} kB\n`);

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
