import { logit, probabilityFromLogOdds } from '#core';
import { slackText } from '#notify';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { createPrediction as newPrediction } from '#test/factories.js';

const DAY_MS = 86_400_000;

describe('prediction.forecasts_diverge: the model and the team more than N points apart, once per crossing', () => {
  let t: TestApp;
  let analyst: string;
  let secondAnalyst: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { FORECAST_DIVERGENCE_POINTS: '25', SEED: 'false' } });
    analyst = await t.keyFor('analyst');
    secondAnalyst = await t.keyFor('analyst');
  }, 60_000);
  afterAll(() => t.close());

  const createPrediction = (slug: string, prior: number) => newPrediction(t, analyst, { slug, title: slug, prior, deadline: new Date(Date.now() + 90 * DAY_MS).toISOString() });
  const forecast = async (prediction: string, probability: number, key = analyst) => {
    const response = await t.http.post(`/v1/predictions/${prediction}/forecasts`).set(auth(key)).send({ probability });
    expect(response.status).toBe(201);
  };
  const evidence = async (prediction: string, likelihoodRatio: number) => {
    const response = await t.http
      .post('/v1/evidence')
      .set(auth(analyst))
      .send({ summary: `LR ${likelihoodRatio}`, observedAt: new Date().toISOString(), reliability: 1, impacts: [{ prediction, likelihoodRatio }] });
    expect(response.status).toBe(201);
  };
  const divergences = async (predictionId: string) =>
    (await t.prisma.outboxEvent.findMany({ where: { predictionId, type: 'prediction.forecasts_diverge' }, orderBy: { createdAt: 'asc' } })).map(
      (event) => event.payload as Record<string, unknown>,
    );

  it('announces the forecast that takes the team beyond the threshold, and no further forecast while it stays there', async () => {
    const prediction = await createPrediction('diverge-by-team', 0.5);
    await forecast(prediction.id, 0.7); // 20 points: within 25
    expect(await divergences(prediction.id)).toHaveLength(0);
    await forecast(prediction.id, 0.9); // the same analyst's newer view: 40 points
    const [first, ...rest] = await divergences(prediction.id);
    expect(rest).toHaveLength(0);
    expect(first).toMatchObject({ slug: 'diverge-by-team', cause: 'team', modelProbability: 0.5, differencePoints: 40, thresholdPoints: 25, forecasters: 1 });
    expect(first!.teamProbability).toBeCloseTo(0.9, 12);
    await forecast(prediction.id, 0.95, secondAnalyst); // still beyond: nothing new
    await forecast(prediction.id, 0.85);
    expect(await divergences(prediction.id)).toHaveLength(1);
  });

  it('announces a move of the model across the line, again after the two came back together', async () => {
    const prediction = await createPrediction('diverge-by-model', 0.5);
    await forecast(prediction.id, 0.6);
    await forecast(prediction.id, 0.6, secondAnalyst);
    await evidence(prediction.id, 0.2); // model to 1/6: 43 points below the team
    const events = await divergences(prediction.id);
    expect(events).toHaveLength(1);
    const model = probabilityFromLogOdds(logit(0.5) + Math.log(0.2));
    expect(events[0]).toMatchObject({ cause: 'model', forecasters: 2, differencePoints: Math.round((0.6 - model) * 10_000) / 100 });
    expect(events[0]!.modelProbability).toBeCloseTo(model, 12);
    expect(events[0]!.teamProbability).toBeCloseTo(0.6, 12);
    await evidence(prediction.id, 0.5); // further apart: no new crossing
    expect(await divergences(prediction.id)).toHaveLength(1);
    await evidence(prediction.id, 20); // back to 0.71: 11 points, together again
    expect(await divergences(prediction.id)).toHaveLength(1);
    const override = await t.http.post(`/v1/predictions/${prediction.id}/override`).set(auth(analyst)).send({ probability: 0.1, reason: 'Desk view' });
    expect(override.status).toBe(200);
    const after = await divergences(prediction.id);
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({ cause: 'model', differencePoints: 50 });
    expect(after[1]!.modelProbability).toBeCloseTo(0.1, 12);

    const [row] = await t.prisma.outboxEvent.findMany({ where: { predictionId: prediction.id, type: 'prediction.forecasts_diverge' }, take: 1, orderBy: { createdAt: 'desc' } });
    const text = slackText({ id: row!.id, createdAt: row!.createdAt, type: 'prediction.forecasts_diverge', predictionId: prediction.id, payload: after[1] as never });
    expect(text).toBe('diverge-by-model: the model (10%) and the team (60%, 2 analysts) disagree by 50 pts, more than 25 — the team is higher');
  });

  it('says nothing while no analyst has forecast', async () => {
    const prediction = await createPrediction('diverge-no-team', 0.5);
    await evidence(prediction.id, 50);
    expect(await divergences(prediction.id)).toHaveLength(0);
  });
});
