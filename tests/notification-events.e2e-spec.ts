import { isEventType, type EventPayloads } from '#events';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';

/**
 * Every change announces itself through the typed event catalogue, in the same
 * transaction: evidence, confidence moves and threshold crossings.
 */
describe('the event catalogue in the outbox', () => {
  let t: TestApp;
  let analyst: string;

  beforeAll(async () => {
    t = await createTestApp({ queue: 'postgres' });
    analyst = await t.keyFor('analyst');
  });
  afterAll(() => t.close());

  it('writes evidence.recorded and one prediction.confidence_changed per moved prediction, all of catalogued types', async () => {
    const response = await t.http
      .post('/v1/evidence')
      .set(auth(analyst))
      .send({ summary: 'Commerce adds DeepSeek to the Entity List', observedAt: '2026-11-20T00:00:00Z', impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 3 }] });
    expect(response.status).toBe(201);
    const events = await t.prisma.outboxEvent.findMany({ orderBy: { id: 'asc' } });
    expect(events.every((event) => isEventType(event.type))).toBe(true);
    const recorded = events.find((event) => event.type === 'evidence.recorded');
    expect((recorded?.payload as unknown as EventPayloads['evidence.recorded']).evidenceId).toBe(response.body.id);
    const moved = events.filter((event) => event.type === 'prediction.confidence_changed');
    expect(moved).toHaveLength(1);
    expect((moved[0]!.payload as unknown as EventPayloads['prediction.confidence_changed']).probabilityAfter).toBeCloseTo(response.body.impacts[0].probabilityAfter, 12);
  });

  it('writes indicator.threshold_crossed with the reading, the link and the derived evidence', async () => {
    const put = await t.http
      .put('/v1/indicators/china-ai-chip-subsidies/links')
      .set(auth(analyst))
      .send({ links: [{ prediction: 'china-domain-parity', threshold: 10, likelihoodRatioUp: 4, likelihoodRatioDown: 0.25 }] });
    expect(put.status).toBe(200);
    const read = (value: number, day: number) =>
      t.http.post('/v1/indicators/china-ai-chip-subsidies/readings').set(auth(analyst)).send({ value, observedAt: new Date(Date.UTC(2026, 0, day)).toISOString() });
    expect((await read(5, 1)).status).toBe(201);
    const crossing = await read(12, 2);
    expect(crossing.status).toBe(201);

    const events = await t.prisma.outboxEvent.findMany({ where: { type: 'indicator.threshold_crossed' } });
    expect(events).toHaveLength(1);
    const payload = events[0]!.payload as unknown as EventPayloads['indicator.threshold_crossed'];
    expect(payload).toMatchObject({ indicatorSlug: 'china-ai-chip-subsidies', predictionSlug: 'china-domain-parity', previousValue: 5, value: 12, threshold: 10, direction: 'up', likelihoodRatio: 4 });
    expect(payload.evidenceId).toEqual(expect.any(String));
    expect(events[0]!.predictionId).toBe(payload.predictionId);
  });
});
