import { DomainError } from '#core';
import { IndicatorReadingsService } from '#signals';
import { auth, createTestAppWithKeys, type TestApp } from '#test/test-app.js';

/**
 * Indicator links and readings: a reading that crosses a link's threshold
 * records derived evidence on the linked prediction, once per crossing, with
 * the reading as its source, also when readings arrive concurrently.
 */
describe('indicator readings and links', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => ({ t, analyst, viewer } = await createTestAppWithKeys()));
  afterAll(() => t.close());

  const at = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();
  const read = (indicator: string, value: number, observedAt: string, extra: Record<string, unknown> = {}) =>
    t.http.post(`/v1/indicators/${indicator}/readings`).set(auth(analyst)).send({ value, observedAt, ...extra });
  const derivedEvidence = (indicatorSlug: string) =>
    t.prisma.evidence.findMany({
      where: { indicatorReading: { indicator: { slug: indicatorSlug } } },
      include: { impacts: { include: { prediction: { select: { slug: true } } } } },
      orderBy: { id: 'asc' },
    });
  const logOdds = async (slug: string) => (await t.prisma.prediction.findUniqueOrThrow({ where: { slug } })).logOdds;

  describe('links', () => {
    it('lists the seeded links with prediction slugs', async () => {
      const response = await t.http.get('/v1/indicators/huawei-ascend-adoption/links').set(auth(viewer));
      expect(response.status).toBe(200);
      expect(response.body.items.map((link: { predictionSlug: string }) => link.predictionSlug).sort()).toEqual(['china-domain-parity', 'us-china-ai-bifurcation']);
    });

    it('replaces all of an indicator\'s links, by prediction slug or id', async () => {
      const parity = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'china-domain-parity' } });
      const put = await t.http
        .put('/v1/indicators/china-ai-chip-subsidies/links')
        .set(auth(analyst))
        .send({
          links: [
            { prediction: 'china-domain-parity', threshold: 10, likelihoodRatioUp: 4, likelihoodRatioDown: 0.25, note: 'test link' },
            { prediction: parity.id, threshold: 100, likelihoodRatioUp: 1.5, likelihoodRatioDown: 1 / 1.5 },
          ],
        });
      expect(put.status).toBe(200);
      expect(put.body.items).toHaveLength(2);
      const listed = await t.http.get('/v1/indicators/china-ai-chip-subsidies/links').set(auth(viewer));
      expect(listed.body.items).toEqual([
        expect.objectContaining({ predictionSlug: 'china-domain-parity', predictionId: parity.id, threshold: 10, likelihoodRatioUp: 4, likelihoodRatioDown: 0.25, note: 'test link' }),
        expect.objectContaining({ threshold: 100, note: null }),
      ]);
      // The seeded links of this indicator are gone.
      expect(await t.prisma.indicatorLink.count({ where: { indicator: { slug: 'china-ai-chip-subsidies' } } })).toBe(2);
    });

    it.each([
      [{ links: [{ prediction: 'china-domain-parity', threshold: 1, likelihoodRatioUp: 1000, likelihoodRatioDown: 0.5 }] }, 'links[0].likelihoodRatioUp'],
      [{ links: [{ prediction: 'china-domain-parity', threshold: 1, likelihoodRatioUp: 2, likelihoodRatioDown: 0.001 }] }, 'links[0].likelihoodRatioDown'],
      [{ links: [{ prediction: 'china-domain-parity', threshold: 'high', likelihoodRatioUp: 2, likelihoodRatioDown: 0.5 }] }, 'links[0].threshold'],
      [{ links: [{ threshold: 1, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5 }] }, 'links[0].prediction'],
      [
        {
          links: [
            { prediction: 'china-domain-parity', threshold: 1, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5 },
            { prediction: 'china-domain-parity', threshold: 1, likelihoodRatioUp: 3, likelihoodRatioDown: 0.5 },
          ],
        },
        'links[1].threshold',
      ],
      [{ links: 'none' }, 'links'],
    ])('refuses bad links %j with 400 naming %s and changes nothing', async (body, field) => {
      const before = await t.prisma.indicatorLink.count();
      const response = await t.http.put('/v1/indicators/huawei-ascend-adoption/links').set(auth(analyst)).send(body);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(await t.prisma.indicatorLink.count()).toBe(before);
    });

    it('404s an unknown prediction naming the link, and an unknown indicator', async () => {
      const unknownPrediction = await t.http
        .put('/v1/indicators/huawei-ascend-adoption/links')
        .set(auth(analyst))
        .send({ links: [{ prediction: 'no-such-prediction', threshold: 1, likelihoodRatioUp: 2, likelihoodRatioDown: 0.5 }] });
      expect(unknownPrediction.status).toBe(404);
      expect(unknownPrediction.body.errors).toEqual([expect.objectContaining({ field: 'links[0].prediction' })]);
      expect((await t.http.get('/v1/indicators/no-such-indicator/links').set(auth(viewer))).status).toBe(404);
      expect((await t.http.put('/v1/indicators/no-such-indicator/links').set(auth(analyst)).send({ links: [] })).status).toBe(404);
    });

    it('lets only analysts change links', async () => {
      const response = await t.http.put('/v1/indicators/huawei-ascend-adoption/links').set(auth(viewer)).send({ links: [] });
      expect(response.status).toBe(403);
    });
  });

  describe('readings and threshold crossings', () => {
    // Runs after "replaces all of an indicator's links": china-ai-chip-subsidies -> china-domain-parity at 10 (LR 4 up, 1/4 down) and 100.
    it('records evidence once per crossing, up and down, with the reading as its source', async () => {
      const start = await logOdds('china-domain-parity');
      const steps: [number, number, number][] = [
        // [value, day, crossings expected]
        [5, 1, 0], // the first reading has nothing to cross from
        [8, 2, 0],
        [12, 3, 1], // up through 10
        [15, 4, 0],
        [9, 5, 1], // down
        [10, 6, 1], // up again: exactly at the threshold counts as above
        [10, 7, 0],
      ];
      for (const [value, day, expected] of steps) {
        const response = await read('china-ai-chip-subsidies', value, at(day), { note: `day ${day}`, sourceUrl: 'https://example.com/subsidies' });
        expect(response.status).toBe(201);
        expect(response.body).toMatchObject({ value, observedAt: at(day), note: `day ${day}`, duplicate: false });
        expect(response.body.crossings).toHaveLength(expected);
      }

      const evidence = await derivedEvidence('china-ai-chip-subsidies');
      expect(evidence).toHaveLength(3);
      expect(evidence.map((e) => e.impacts[0]!.likelihoodRatio)).toEqual([4, 0.25, 4]);
      expect(evidence.every((e) => e.impacts.length === 1 && e.impacts[0]!.prediction.slug === 'china-domain-parity')).toBe(true);
      expect(evidence.map((e) => e.observedAt.toISOString())).toEqual([at(3), at(5), at(6)]);
      expect(evidence[0]!.sourceUrl).toBe('https://example.com/subsidies');
      const sources = await t.prisma.indicatorReading.findMany({ where: { id: { in: evidence.map((e) => e.indicatorReadingId!) } } });
      expect(sources.map((reading) => reading.value).sort()).toEqual([10, 12, 9].sort());

      // ln 4 + ln 1/4 + ln 4 moved the prediction, through the audit trail.
      expect((await logOdds('china-domain-parity')) - start).toBeCloseTo(Math.log(4), 10);
      const verified = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
      expect(verified.body).toMatchObject({ ok: true });
    });

    it('returns the crossing with its evidence in the response', async () => {
      const response = await read('china-ai-chip-subsidies', 3, at(8));
      expect(response.body.crossings).toEqual([
        expect.objectContaining({ predictionSlug: 'china-domain-parity', threshold: 10, direction: 'down', likelihoodRatio: 0.25, evidenceId: expect.any(String) }),
      ]);
      const evidence = await t.prisma.evidence.findUniqueOrThrow({ where: { id: response.body.crossings[0].evidenceId } });
      expect(evidence.indicatorReadingId).toBe(response.body.id);
      expect(evidence.actor).toMatch(/^user:/);
    });

    it('stores an exact repeat once and derives nothing from it', async () => {
      const before = { readings: await t.prisma.indicatorReading.count(), evidence: await t.prisma.evidence.count() };
      const repeat = await read('china-ai-chip-subsidies', 3, at(8));
      expect(repeat.status).toBe(201);
      expect(repeat.body).toMatchObject({ duplicate: true, crossings: [] });
      expect({ readings: await t.prisma.indicatorReading.count(), evidence: await t.prisma.evidence.count() }).toEqual(before);
    });

    it('stores a backfilled reading in its place in time without deriving evidence from it', async () => {
      const before = await t.prisma.evidence.count();
      const backfill = await read('china-ai-chip-subsidies', 50, at(4));
      expect(backfill.status).toBe(201);
      expect(backfill.body.crossings).toEqual([]);
      expect(await t.prisma.evidence.count()).toBe(before);
    });

    it('skips a crossing on a resolved prediction but keeps the reading', async () => {
      await t.prisma.prediction.update({ where: { slug: 'china-domain-parity' }, data: { status: 'resolved_true', resolvedAt: new Date() } });
      try {
        const before = await t.prisma.evidence.count();
        const response = await read('china-ai-chip-subsidies', 11, at(9));
        expect(response.status).toBe(201);
        expect(response.body.crossings).toEqual([expect.objectContaining({ direction: 'up', evidenceId: null })]);
        expect(await t.prisma.evidence.count()).toBe(before);
      } finally {
        await t.prisma.prediction.update({ where: { slug: 'china-domain-parity' }, data: { status: 'open', resolvedAt: null } });
      }
    });

    it('pages through the series in observedAt order and filters by time', async () => {
      const all = await t.http.get('/v1/indicators/china-ai-chip-subsidies/readings?limit=200').set(auth(viewer));
      expect(all.status).toBe(200);
      const times = all.body.items.map((reading: { observedAt: string }) => reading.observedAt);
      expect(times).toEqual([...times].sort());
      expect(times).toHaveLength(10);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/v1/indicators/china-ai-chip-subsidies/readings?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await t.http.get(query).set(auth(viewer));
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.items.map((reading: { id: string }) => reading.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.body.items.map((reading: { id: string }) => reading.id));

      const window = await t.http.get(`/v1/indicators/china-ai-chip-subsidies/readings?from=${at(3)}&to=${at(5)}`).set(auth(viewer));
      expect(window.body.items.map((reading: { observedAt: string }) => reading.observedAt)).toEqual([at(3), at(4), at(4), at(5)]);
    });

    it('records concurrent readings one after another: one crossing, one evidence per link', async () => {
      // deepseek-hardware-hiring links to two predictions at threshold 20 (seeded).
      expect((await read('deepseek-hardware-hiring', 10, at(1))).status).toBe(201);
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, index) => read('deepseek-hardware-hiring', 25 + index, at(2 + (index % 4)))),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(12).fill(201));
      const crossings = responses.flatMap((response) => response.body.crossings as unknown[]);
      expect(crossings).toHaveLength(2);
      const evidence = await derivedEvidence('deepseek-hardware-hiring');
      expect(evidence.map((e) => e.impacts[0]!.prediction.slug).sort()).toEqual(['china-alt-compute-acceleration', 'deepseek-blacklisted-12m']);
      expect(await t.prisma.indicatorReading.count({ where: { indicator: { slug: 'deepseek-hardware-hiring' } } })).toBe(13);
    });

    it('records readings from a JSON or CSV source through the service, a re-fetched row only once', async () => {
      const readings = t.app.get(IndicatorReadingsService);
      const indicator = await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'huawei-ascend-adoption' } });
      const source = await t.prisma.source.create({ data: { name: 'Ascend tracker', kind: 'csv', url: 'http://127.0.0.1:1/ascend.csv', indicatorId: indicator.id } });
      const row = { value: 12, observedAt: new Date(at(1)), sourceId: source.id, sourceUrl: 'http://127.0.0.1:1/ascend.csv' };
      const first = await readings.record(indicator.id, row, 'system:fetch-source');
      expect(first).toMatchObject({ duplicate: false, reading: { sourceId: source.id, createdById: 'system:fetch-source' } });
      const refetched = await readings.record(indicator.id, row, 'system:fetch-source');
      expect(refetched).toMatchObject({ duplicate: true, reading: { id: first.reading.id } });
      // The same value at the same time typed in by an analyst is a reading of its own.
      expect((await readings.record(indicator.id, { ...row, sourceId: null }, 'apikey:x')).duplicate).toBe(false);

      const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);
      const badUrl = await refusal(readings.record(indicator.id, { ...row, value: 13, sourceUrl: 'ftp://example.com/x' }, 'system:fetch-source'));
      expect(badUrl).toBeInstanceOf(DomainError);
      expect(badUrl).toMatchObject({ kind: 'invalid', field: 'sourceUrl' });
      const notANumber = await refusal(readings.record(indicator.id, { ...row, value: Number.NaN }, 'system:fetch-source'));
      expect(notANumber).toMatchObject({ kind: 'invalid', field: 'value' });
      const unknown = await refusal(readings.record('01900000-0000-7000-8000-000000000000', row, 'system:fetch-source'));
      expect(unknown).toMatchObject({ kind: 'not_found', field: 'indicatorId' });
    });

    it.each([
      [{ value: 'high', observedAt: '2026-01-01T00:00:00Z' }, 'value'],
      [{ observedAt: '2026-01-01T00:00:00Z' }, 'value'],
      [{ value: 1 }, 'observedAt'],
      [{ value: 1, observedAt: 'yesterday' }, 'observedAt'],
      [{ value: 1, observedAt: '2099-01-01T00:00:00Z' }, 'observedAt'],
      [{ value: 1, observedAt: '2026-01-01T00:00:00Z', sourceUrl: 'not a url' }, 'sourceUrl'],
      [{ value: 1, observedAt: '2026-01-01T00:00:00Z', colour: 'red' }, 'colour'],
    ])('refuses the reading %j with 400 naming %s', async (body, field) => {
      const response = await t.http.post('/v1/indicators/huawei-ascend-adoption/readings').set(auth(analyst)).send(body);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('404s readings of an unknown indicator, refuses a viewer and a bad cursor', async () => {
      expect((await read('no-such-indicator', 1, at(1))).status).toBe(404);
      expect((await t.http.get('/v1/indicators/no-such-indicator/readings').set(auth(viewer))).status).toBe(404);
      const missingId = await read('01900000-0000-7000-8000-000000000000', 1, at(1));
      expect(missingId.status).toBe(404);
      expect((await t.http.post('/v1/indicators/huawei-ascend-adoption/readings').set(auth(viewer)).send({ value: 1, observedAt: at(1) })).status).toBe(403);
      const badCursor = await t.http.get('/v1/indicators/huawei-ascend-adoption/readings?cursor=nonsense').set(auth(viewer));
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.errors[0].field).toBe('cursor');
    });
  });

  it('shows each linked indicator\'s latest reading on the scorecards of the predictions it bears on', async () => {
    const links = await t.http.get('/v1/indicators/huawei-ascend-adoption/links').set(auth(viewer));
    const predictionSlug = links.body.items[0].predictionSlug as string;
    // Sent out of order: the latest is the one observed last, not the one sent last.
    expect((await read('huawei-ascend-adoption', 41, at(20))).status).toBe(201);
    expect((await read('huawei-ascend-adoption', 37, at(18))).status).toBe(201);
    const scorecard = await t.http.get(`/v1/predictions/${predictionSlug}/scorecard`).set(auth(viewer));
    const shown = (scorecard.body.indicators as { slug: string; latestReading: { value: number; observedAt: string } | null }[]).find((item) => item.slug === 'huawei-ascend-adoption');
    expect(shown?.latestReading).toEqual({ value: 41, observedAt: at(20) });
  });
});
