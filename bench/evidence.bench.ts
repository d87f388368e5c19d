import type { AddressInfo } from 'node:net';

import { AuditSigningKeyService } from '#predictions';
import { createTestApp } from '#test/test-app.js';

import { createBenchPrediction, seedEvidenceHistory } from './evidence-history-fixture.js';
import { formatSummary, summarise, timed } from './latency.js';

const BASELINE_HISTORY = 100;
const LARGE_HISTORY = 100_000;
const WARM_UP = 30;
const ROUNDS = 300;
const TARGET_RATIO = 1.5;
const SIGNING_SAMPLES = 5000;
/** Signing each moved head at commit may cost at most this share of a request. */
const SIGNING_SHARE_TARGET = 0.05;

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
          // A report of its own each time: one link for all would make them one story.
          sourceUrl: `https://example.com/bench/${index}`,
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
    // Signing at commit: each request above signed its prediction's new head (one Ed25519 signature in the write's statement).
    // Its cost, measured on the same key object in the same process, against the time a request takes.
    const signer = t.app.get(AuditSigningKeyService);
    const head = { predictionId: small.id, sequence: 123_456, hash: 'a'.repeat(64), signedAt: new Date().toISOString() };
    for (let index = 0; index < 200; index++) signer.signHead({ ...head, sequence: index });
    const started = process.hrtime.bigint();
    for (let index = 0; index < SIGNING_SAMPLES; index++) signer.signHead({ ...head, sequence: index });
    const signingMs = Number(process.hrtime.bigint() - started) / 1e6 / SIGNING_SAMPLES;
    const share = signingMs / baseline.p50;
    process.stdout.write(
      `signing a head at commit: ${(signingMs * 1000).toFixed(1)} µs, ${(share * 100).toFixed(2)}% of a request's p50 ` +
        `(target at most ${SIGNING_SHARE_TARGET * 100}%: ${share <= SIGNING_SHARE_TARGET ? 'met' : 'NOT met'})\n`,
    );
    // The same requests, interleaved, with the signature itself made (as always) and with a fixed one in its place
    // (the row is written either way): what the signing costs a request end to end, on the same machine at the same time.
    const real = signer.signHead.bind(signer);
    const fixed = real(head);
    const signed: number[] = [];
    const unsigned: number[] = [];
    for (let index = 0; index < ROUNDS; index++) {
      const stubbed = index % 2 === 1;
      signer.signHead = stubbed ? () => fixed : real;
      (stubbed ? unsigned : signed).push(await timed(post(small.id, ROUNDS + index)));
      signer.signHead = stubbed ? real : () => fixed;
      (stubbed ? signed : unsigned).push(await timed(post(small.id, 2 * ROUNDS + index)));
    }
    signer.signHead = real;
    const withSigning = summarise(signed);
    const withoutSigning = summarise(unsigned);
    process.stdout.write(formatSummary('record, heads signed', withSigning));
    process.stdout.write(formatSummary('record, signature not computed', withoutSigning));
    const throughputCost = 1 - withoutSigning.mean / withSigning.mean;
    process.stdout.write(
      `signing costs ${(throughputCost * 100).toFixed(2)}% of evidence throughput (mean), p50 ${(withSigning.p50 / withoutSigning.p50).toFixed(3)}x ` +
        `(target at most ${SIGNING_SHARE_TARGET * 100}%: ${throughputCost <= SIGNING_SHARE_TARGET ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await t.close();
  }
}
