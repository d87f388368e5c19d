import type { AddressInfo } from 'node:net';

import { createTestApp } from '#test/test-app.js';

import { createBenchPrediction, seedEvidenceHistory } from './evidence-history-fixture.js';
import { formatSummary, summarise, timed, type LatencySummary } from './latency.js';

const BASELINE_HISTORY = 100;
const LARGE_HISTORY = 100_000;
const WARM_UP = 30;
const ROUNDS = 300;
const TARGET_P95_MS = 50;

/**
 * GET /v1/predictions/:id/scorecard must stay interactive with 100,000 evidence
 * items: p50 and p95 on a prediction with that history, against a baseline with
 * 100 measured in the same run (interleaved), over real HTTP to PostgreSQL at
 * 127.0.0.1. Then the same after resolving, when the scores (time-averaged Brier
 * included) are computed too.
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

    const get = (predictionId: string) => async () => {
      const response = await fetch(`${base}/v1/predictions/${predictionId}/scorecard`, { headers: { Authorization: `Bearer ${viewer}` } });
      if (response.status !== 200) throw new Error(`GET scorecard answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    const measurePair = async (label: string): Promise<void> => {
      for (let index = 0; index < WARM_UP; index++) {
        await get(small.id)();
        await get(large.id)();
      }
      const smallSamples: number[] = [];
      const largeSamples: number[] = [];
      for (let index = 0; index < ROUNDS; index++) {
        if (index % 2 === 0) {
          smallSamples.push(await timed(get(small.id)));
          largeSamples.push(await timed(get(large.id)));
        } else {
          largeSamples.push(await timed(get(large.id)));
          smallSamples.push(await timed(get(small.id)));
        }
      }
      report(label, summarise(smallSamples), summarise(largeSamples));
    };

    await measurePair('open');
    for (const prediction of [small, large]) {
      const response = await fetch(`${base}/v1/predictions/${prediction.id}/resolve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ outcome: 'true', note: 'benchmark resolution' }),
      });
      if (response.status !== 200) throw new Error(`resolve answered ${response.status}`);
    }
    await measurePair('resolved, with scores');
  } finally {
    await t.close();
  }
}

function report(label: string, baseline: LatencySummary, measured: LatencySummary): void {
  process.stdout.write(formatSummary(`scorecard ${label}, ${BASELINE_HISTORY} (baseline)`, baseline));
  process.stdout.write(formatSummary(`scorecard ${label}, ${LARGE_HISTORY}`, measured));
  process.stdout.write(
    `ratio 100k / 100: p50 ${(measured.p50 / baseline.p50).toFixed(2)}x, p95 ${(measured.p95 / baseline.p95).toFixed(2)}x; ` +
      `p95 at 100k ${measured.p95.toFixed(1)} ms (aim under ${TARGET_P95_MS} ms: ${measured.p95 < TARGET_P95_MS ? 'met' : 'NOT met'})\n`,
  );
}
