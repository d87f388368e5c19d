import fc from 'fast-check';

import { IndicatorLinksService, IndicatorReadingsService, IndicatorsService } from '#signals';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';

const DAY_MS = 86_400_000;

/**
 * A CSV source's rows are recorded as one batch. The batch must mean exactly
 * what recording the same rows one by one means: the same readings stored,
 * the same repeats skipped, the same threshold crossings, the same moves.
 */
describe('indicator readings in batches', () => {
  let t: TestApp;
  let counter = 0;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** An indicator linked to a prediction of its own at thresholds 10 and 20. */
  async function linkedIndicator(): Promise<{ indicatorId: string; predictionSlug: string }> {
    counter += 1;
    const prediction = await t.http
      .post('/v1/predictions')
      .set(auth(t.adminKey))
      .send({
        slug: `batch-prediction-${counter}`,
        title: `Batch prediction ${counter}`,
        statement: 'Something happens.',
        resolutionCriteria: 'True if it happens.',
        prior: 0.5,
        deadline: new Date(Date.now() + 400 * DAY_MS).toISOString(),
      })
      .expect(201);
    const indicator = await t.app.get(IndicatorsService).create({ slug: `batch-indicator-${counter}`, name: `Batch ${counter}`, description: 'test', unit: 'units' });
    await t.app.get(IndicatorLinksService).replace(indicator.id, [
      { prediction: prediction.body.slug, threshold: 10, likelihoodRatioUp: 3, likelihoodRatioDown: 1 / 3 },
      { prediction: prediction.body.slug, threshold: 20, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5 },
    ]);
    return { indicatorId: indicator.id, predictionSlug: prediction.body.slug };
  }

  async function outcome(target: { indicatorId: string; predictionSlug: string }) {
    const readings = await t.prisma.indicatorReading.findMany({ where: { indicatorId: target.indicatorId }, orderBy: [{ observedAt: 'asc' }, { id: 'asc' }] });
    const evidence = await t.prisma.evidence.findMany({ where: { indicatorReading: { indicatorId: target.indicatorId } }, orderBy: { id: 'asc' }, include: { indicatorReading: true } });
    const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: target.predictionSlug } });
    return {
      readings: readings.map((reading) => [reading.observedAt.toISOString(), reading.value]),
      crossings: evidence.map((item) => [item.summary.replace(/^Batch \d+ /, ''), item.indicatorReading!.observedAt.toISOString()]),
      logOdds: prediction.logOdds,
    };
  }

  it('stores, skips and crosses exactly as recording the rows one by one does', async () => {
    const service = t.app.get(IndicatorReadingsService);
    const row = fc.record({ day: fc.integer({ min: 1, max: 12 }), value: fc.constantFrom(0, 5, 10, 15, 20, 25) });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 25 }), fc.array(row, { maxLength: 10 }), async (earlier, batch) => {
        const oneByOne = await linkedIndicator();
        const batched = await linkedIndicator();
        const input = (rows: { day: number; value: number }[]) => rows.map(({ day, value }) => ({ value, observedAt: new Date(Date.UTC(2026, 0, day)) }));
        // The same history before, then the same rows: one by one on one indicator, as one batch on the other.
        for (const reading of input(earlier)) {
          await service.record(oneByOne.indicatorId, reading, 'system:test');
          await service.record(batched.indicatorId, reading, 'system:test');
        }
        for (const reading of [...input(batch)].sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime())) {
          await service.record(oneByOne.indicatorId, reading, 'system:test');
        }
        const result = await service.recordMany(batched.indicatorId, input(batch), 'system:test');
        const [expected, actual] = [await outcome(oneByOne), await outcome(batched)];
        expect(actual).toEqual(expected);
        expect(result.recorded + result.duplicates).toBe(batch.length);
      }),
      { numRuns: 25 },
    );
  }, 180_000);

  it('reports refused rows by position and stores the rest', async () => {
    const target = await linkedIndicator();
    const result = await t.app.get(IndicatorReadingsService).recordMany(
      target.indicatorId,
      [
        { value: 5, observedAt: new Date('2026-01-01T00:00:00Z') },
        { value: Number.NaN, observedAt: new Date('2026-01-02T00:00:00Z') },
        { value: 15, observedAt: new Date(Date.now() + 3 * DAY_MS) },
        { value: 15, observedAt: new Date('2026-01-03T00:00:00Z') },
      ],
      'system:test',
    );
    expect(result.recorded).toBe(2);
    expect(result.refused.map((refusal) => refusal.index)).toEqual([1, 2]);
    expect(result.crossings.map((crossing) => [crossing.threshold, crossing.direction])).toEqual([[10, 'up']]);
  });

  it('records a 20,000-row batch in one go', async () => {
    const target = await linkedIndicator();
    const start = Date.UTC(2020, 0, 1);
    // Hourly values that climb past 10 once, halfway, and past 20 near the end.
    const rows = Array.from({ length: 20_000 }, (_, index) => ({ value: index < 10_000 ? 5 : index < 19_990 ? 15 : 25, observedAt: new Date(start + index * 3_600_000) }));
    const result = await t.app.get(IndicatorReadingsService).recordMany(target.indicatorId, rows, 'system:test');
    expect(result.recorded).toBe(20_000);
    expect(await t.prisma.indicatorReading.count({ where: { indicatorId: target.indicatorId } })).toBe(20_000);
    expect(result.crossings.map((crossing) => [crossing.threshold, crossing.direction])).toEqual([
      [10, 'up'],
      [20, 'up'],
    ]);
    const again = await t.app.get(IndicatorReadingsService).recordMany(target.indicatorId, rows, 'system:test');
    expect([again.recorded, again.duplicates, again.crossings.length]).toEqual([0, 20_000, 0]);
  }, 120_000);
});
