import type { AddressInfo } from 'node:net';

import { createTestApp } from '#test/test-app.js';

import { createBenchPrediction, seedEvidenceHistory } from './evidence-history-fixture.js';
import { formatSummary, summarise, timed } from './latency.js';

const BASELINE_HISTORY = 100;
const LARGE_HISTORY = 100_000;
const WARM_UP = 30;
const ROUNDS = 300;
const TARGET_RATIO = 1.5;

/**
 * Recording one evidence item must cost the same however long the prediction's
 * history is: POST /v1/evidence on a prediction with 100 earlier entries (the
 * baseline) and one with 100,000, interleaved request by request so both see the
 * same machine, against PostgreSQL at 127.0.0.1 over real HTTP.
 */
export async function run(): Promise<void> {
  const t = await createTestApp();
  try {
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const analyst = await t.keyFor('analyst');
    const small = await createBenchPrediction(base, t.adminKey, 'bench-small-history');
    const large = await createBenchPrediction(base, t.adminKey, 'bench-large-history');
    await seedEvidenceHistory(t.database.url, small, BASELINE_HISTORY);
    process.stdout.write(`seeding ${LARGE_HISTORY} evidence items...\n`);
    await seedEvidenceHistory(t.database.url, large, LARGE_HISTORY);

    const post = (predictionId: string, index: number) => async () => {
      const response = await fetch(`${base}/v1/evidence`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${analyst}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          summary: `bench ${index}`,
          sourceUrl: 'https://example.com/bench',
          observedAt: new Date().toISOString(),
          reliability: 0.9,
          impacts: [{ prediction: predictionId, likelihoodRatio: index % 2 === 0 ? 1.1 : 1 / 1.1 }],
        }),
      });
      if (response.status !== 201) throw new Error(`POST /v1/evidence answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    for (let index = 0; index < WARM_UP; index++) {
      await post(small.id, index)();
      await post(large.id, index)();
    }
    const smallSamples: number[] = [];
    const largeSamples: number[] = [];
    for (let index = 0; index < ROUNDS; index++) {
      // Alternate which goes first so neither always benefits from a warm cache.
      if (index % 2 === 0) {
        smallSamples.push(await timed(post(small.id, index)));
        largeSamples.push(await timed(post(large.id, index)));
      } else {
        largeSamples.push(await timed(post(large.id, index)));
        smallSamples.push(await timed(post(small.id, index)));
      }
    }
    const baseline = summarise(smallSamples);
    const measured = summarise(largeSamples);
    process.stdout.write(formatSummary(`record, ${BASELINE_HISTORY} earlier (baseline)`, baseline));
    process.stdout.write(formatSummary(`record, ${LARGE_HISTORY} earlier`, measured));
    const ratioP50 = measured.p50 / baseline.p50;
    const ratioMean = measured.mean / baseline.mean;
    process.stdout.write(
      `ratio 100k / 100: p50 ${ratioP50.toFixed(2)}x, p95 ${(measured.p95 / baseline.p95).toFixed(2)}x, mean ${ratioMean.toFixed(2)}x ` +
        `(target within ${TARGET_RATIO}x: ${ratioP50 <= TARGET_RATIO ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await t.close();
  }
}
