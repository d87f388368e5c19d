import type { AddressInfo } from 'node:net';

import { createTestApp } from '#test/test-app.js';

import { createBenchPrediction, seedEvidenceHistory } from './evidence-history-fixture.js';
import { formatSummary, summarise, timed, type LatencySummary } from './latency.js';

const BASELINE_HISTORY = 100;
const LARGE_HISTORY = 100_000;
/** A busy prediction whose history is all from the last hour, added after the long one (the planner's statistics lag behind it). */
const RECENT_HISTORY = 5_000;
const RECENT_SECONDS_APART = 0.5;
const WARM_UP = 30;
const ROUNDS = 300;
const TARGET_P95_MS = 50;

/**
 * GET /v1/predictions/:id/scorecard must stay interactive with 100,000 evidence
 * items: p50 and p95 on a prediction with that history, against a baseline with
 * 100 measured in the same run (interleaved), over real HTTP to PostgreSQL at
 * 127.0.0.1. Then the same after resolving, when the scores (time-averaged Brier
 * included) are computed too. A third prediction with 5,000 items all from the last
 * hour, added last, shows whether the cost depends on how the history is spread.
 */
export async function run(): Promise<void> {
  const t = await createTestApp();
  try {
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const viewer = await t.keyFor('viewer');
    const small = await createBenchPrediction(base, t.adminKey, 'bench-scorecard-small');
    const large = await createBenchPrediction(base, t.adminKey, 'bench-scorecard-large');
    await seedEvidenceHistory(t.database.url, small, BASELINE_HISTORY);
    process.stdout.write(`seeding ${LARGE_HISTORY} evidence items...\n`);
    await seedEvidenceHistory(t.database.url, large, LARGE_HISTORY);
    const recent = await createBenchPrediction(base, t.adminKey, 'bench-scorecard-recent');
    await seedEvidenceHistory(t.database.url, recent, RECENT_HISTORY, RECENT_SECONDS_APART);

    const get = (predictionId: string) => async () => {
      const response = await fetch(`${base}/v1/predictions/${predictionId}/scorecard`, { headers: { Authorization: `Bearer ${viewer}` } });
      if (response.status !== 200) throw new Error(`GET scorecard answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    /** The three predictions in turn, rotating which goes first, so none always meets the warmest cache. */
    const measure = async (label: string): Promise<void> => {
      const order = [small, large, recent];
      for (let index = 0; index < WARM_UP; index++) for (const prediction of order) await get(prediction.id)();
      const samples = new Map(order.map((prediction) => [prediction.id, [] as number[]]));
      for (let index = 0; index < ROUNDS; index++) {
        for (let turn = 0; turn < order.length; turn++) {
          const prediction = order[(index + turn) % order.length]!;
          samples.get(prediction.id)!.push(await timed(get(prediction.id)));
        }
      }
      report(label, summarise(samples.get(small.id)!), summarise(samples.get(large.id)!), summarise(samples.get(recent.id)!));
    };

    await measure('open');
    for (const prediction of [small, large, recent]) {
      const response = await fetch(`${base}/v1/predictions/${prediction.id}/resolve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ outcome: 'true', note: 'benchmark resolution' }),
      });
      if (response.status !== 200) throw new Error(`resolve answered ${response.status}`);
    }
    await measure('resolved, with scores');
  } finally {
    await t.close();
  }
}

function report(label: string, baseline: LatencySummary, measured: LatencySummary, recent: LatencySummary): void {
  process.stdout.write(formatSummary(`scorecard ${label}, ${BASELINE_HISTORY} (baseline)`, baseline));
  process.stdout.write(formatSummary(`scorecard ${label}, ${LARGE_HISTORY}`, measured));
  process.stdout.write(formatSummary(`scorecard ${label}, ${RECENT_HISTORY} all recent`, recent));
  process.stdout.write(
    `ratio 100k / 100: p50 ${(measured.p50 / baseline.p50).toFixed(2)}x, p95 ${(measured.p95 / baseline.p95).toFixed(2)}x; ` +
      `p95 at 100k ${measured.p95.toFixed(1)} ms (aim under ${TARGET_P95_MS} ms: ${measured.p95 < TARGET_P95_MS ? 'met' : 'NOT met'})\n` +
      `ratio ${RECENT_HISTORY / 1000}k recent / 100k spread over 100 days: p50 ${(recent.p50 / measured.p50).toFixed(2)}x, p95 ${(recent.p95 / measured.p95).toFixed(2)}x ` +
      `(aim: cost independent of the spread, within 1.2x: ${recent.p50 / measured.p50 <= 1.2 ? 'met' : 'NOT met'})\n`,
  );
}
