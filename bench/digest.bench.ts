import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { SMTPServer } from 'smtp-server';

import { DigestBuilder, DigestRenderer, DigestService, lastEndedPeriod } from '#notify';
import { auth, createTestApp } from '#test/test-app.js';

import { formatSummary, summarise } from './latency.js';

const SUBSCRIBERS = 1_000;
/** Evidence recorded in the period: each item moves one or two of the seeded predictions. */
const EVIDENCE = 60;
const TARGET_MS_PER_DIGEST = 20;
const HOUR = 3_600_000;
const SEEDED = ['deepseek-blacklisted-12m', 'china-alt-compute-acceleration', 'us-china-ai-bifurcation', 'china-domain-parity'];

/** A plain SMTP server on 127.0.0.1 that accepts and counts every message without parsing it (nor looking up the client's name). */
async function startCountingSmtp(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    count: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Digests for 1,000 subscribers of one daily period in which 60 pieces of
 * evidence moved the seeded predictions. A third of the subscribers follow
 * everything, the rest one or two predictions, in a few time zones sharing the
 * same send instant. Measured: building and rendering each digest (the HTML
 * part with its CSS inlined and the text part) from the period's inputs, p50,
 * p95 and mean, against the 20 ms aim; then the whole send of the period
 * through DigestService (claiming the run rows, building, rendering and SMTP to
 * a local server), in total and per digest.
 */
export async function run(): Promise<void> {
  const smtp = await startCountingSmtp();
  const t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://bellwether.example' } });
  try {
    const analyst = await t.keyFor('analyst');
    const predictions = await t.prisma.prediction.findMany({ where: { slug: { in: SEEDED } }, select: { id: true, slug: true } });
    if (predictions.length !== SEEDED.length) throw new Error('The seeded predictions are missing');
    for (let index = 0; index < EVIDENCE; index++) {
      const first = SEEDED[index % SEEDED.length]!;
      const second = SEEDED[(index + 1) % SEEDED.length]!;
      const impacts = [{ prediction: first, likelihoodRatio: index % 3 === 0 ? 0.5 : 1.5 }, ...(index % 2 === 0 ? [{ prediction: second, likelihoodRatio: 1.2 }] : [])];
      const response = await t.http
        .post('/v1/evidence')
        .set(auth(analyst))
        .send({ summary: `Bench evidence ${index}: a report bearing on ${first}`, observedAt: new Date().toISOString(), sourceUrl: `https://example.org/report/${index}`, impacts });
      if (response.status !== 201) throw new Error(`POST /v1/evidence answered ${response.status}: ${JSON.stringify(response.body)}`);
    }

    // Every subscriber's daily period ends at the next whole UTC hour: in UTC, or in a zone whose local hour is that instant.
    const at = new Date(Math.ceil((Date.now() + 1000) / HOUR) * HOUR);
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
    const localHour = (timezone: string): number => Number(new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: 'numeric', hourCycle: 'h23' }).format(at));
    await t.prisma.subscriber.createMany({
      data: Array.from({ length: SUBSCRIBERS }, (_, index) => {
        const timezone = zones[index % zones.length]!;
        const follows = index % 3 === 0 ? [] : predictions.filter((_, position) => position === index % 4 || (index % 3 === 2 && position === (index + 1) % 4)).map((prediction) => prediction.id);
        return {
          email: `reader-${index}@example.org`,
          frequency: 'daily' as const,
          timezone,
          sendHour: localHour(timezone),
          predictionIds: follows,
          unsubscribeToken: randomBytes(24).toString('base64url'),
          createdAt: new Date(at.getTime() - 3 * 24 * HOUR),
        };
      }),
    });
    const now = new Date(at.getTime() + 60_000);

    // 1. Building and rendering each digest from the period's inputs, read once as sendDue reads them.
    const builder = t.app.get(DigestBuilder);
    const digests = t.app.get(DigestService);
    const renderer = new DigestRenderer();
    const subscribers = await t.prisma.subscriber.findMany({ orderBy: { id: 'asc' } });
    const inputsStart = performance.now();
    const inputs = await builder.inputs(lastEndedPeriod(subscribers[0]!, now), now);
    const inputsMs = performance.now() - inputsStart;
    const samples: number[] = [];
    let entries = 0;
    for (const subscriber of subscribers) {
      const start = performance.now();
      const digest = builder.build(inputs, subscriber.predictionIds);
      await renderer.render(digest, { frequency: subscriber.frequency, timezone: subscriber.timezone, unsubscribeUrl: digests.unsubscribeUrl(subscriber), publicUrl: 'https://bellwether.example.org' });
      samples.push(performance.now() - start);
      entries += digest.entryCount;
    }
    const perDigest = summarise(samples);

    // 2. The whole period through DigestService: run rows claimed, built, rendered and sent over SMTP.
    const sendStart = performance.now();
    const outcome = await digests.sendDue(now);
    const sendSeconds = (performance.now() - sendStart) / 1000;
    if (outcome.sent !== SUBSCRIBERS || smtp.count() !== SUBSCRIBERS) throw new Error(`Expected ${SUBSCRIBERS} digests sent, got ${JSON.stringify(outcome)} and ${smtp.count()} received`);

    process.stdout.write(`${SUBSCRIBERS} subscribers, ${EVIDENCE} evidence items in the period, ${(entries / SUBSCRIBERS).toFixed(1)} entries per digest on average\n`);
    process.stdout.write(`period inputs read once: ${inputsMs.toFixed(1)} ms (${inputs.events.length} events)\n`);
    process.stdout.write(formatSummary('build and render, per digest', perDigest));
    process.stdout.write(`build and render, all ${SUBSCRIBERS}: ${(samples.reduce((sum, sample) => sum + sample, 0) / 1000).toFixed(2)} s\n`);
    process.stdout.write(`sendDue (claim, build, render, SMTP to 127.0.0.1): ${sendSeconds.toFixed(2)} s in total, ${((sendSeconds * 1000) / SUBSCRIBERS).toFixed(1)} ms per digest\n`);
    process.stdout.write(
      `per digest p95 ${perDigest.p95.toFixed(1)} ms (target < ${TARGET_MS_PER_DIGEST} ms: ${perDigest.p95 < TARGET_MS_PER_DIGEST ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await t.close();
    await smtp.close();
  }
}
