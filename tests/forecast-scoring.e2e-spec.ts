import { aggregateForecast, brierScore, logit, logScore, onLogOddsGrid, probabilityFromLogOdds } from '#core';
import { PredictionDeadlinesService } from '#predictions';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { createPrediction as newPrediction } from '#test/factories.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

describe('forecast integrity: scores at the event time, the quiet-day catch-up, timestamps, the analysts\' forecasts', () => {
  let t: TestApp;
  let analyst: string;
  let secondAnalyst: string;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp();
    analyst = await t.keyFor('analyst');
    secondAnalyst = await t.keyFor('analyst');
    viewer = await t.keyFor('viewer');
  }, 60_000);
  afterAll(() => t.close());

  const createPrediction = (overrides: Record<string, unknown> = {}) => newPrediction(t, analyst, overrides);

  const evidence = (prediction: string, likelihoodRatio: number, extra: Record<string, unknown> = {}) =>
    t.http
      .post('/v1/evidence')
      .set(auth(analyst))
      .send({ summary: `LR ${likelihoodRatio}`, observedAt: new Date().toISOString(), impacts: [{ prediction, likelihoodRatio }], ...extra });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  describe('after-the-fact evidence', () => {
    it('scores the probability held at occurredAt and marks evidence recorded later, whatever its observedAt', async () => {
      const prediction = await createPrediction({ prior: 0.5 });
      expect((await evidence(prediction.id, 1.5)).status).toBe(201);
      await pause(20);
      const occurredAt = new Date();
      await pause(20);
      // Posted after the event, backdated to before it: kept, but not scored.
      const late = await evidence(prediction.id, 0.01, { observedAt: new Date(occurredAt.getTime() - HOUR_MS).toISOString() });
      expect(late.status).toBe(201);
      const resolved = await t.http
        .post(`/v1/predictions/${prediction.slug}/resolve`)
        .set(auth(analyst))
        .send({ outcome: 'false', note: 'It did not happen', occurredAt: occurredAt.toISOString() });
      expect(resolved.status).toBe(200);

      // Every log-odds sits on the 2^-49 grid (docs/confidence.md): the prior and each move are rounded onto it.
      const heldAtEvent = probabilityFromLogOdds(onLogOddsGrid(logit(0.5)) + onLogOddsGrid(Math.log(1.5)));
      expect(resolved.body.prediction.probability).toBeCloseTo(probabilityFromLogOdds(logit(0.5) + Math.log(1.5) + Math.log(0.01)), 14);
      const scorecard = await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer));
      expect(scorecard.body.scores).toMatchObject({ occurredAt: occurredAt.toISOString(), afterTheFact: 1, rule: expect.stringMatching(/after/) });
      expect(scorecard.body.scores.probability).toBe(heldAtEvent);
      expect(scorecard.body.scores.brier).toBe(brierScore(heldAtEvent, 0));
      expect(scorecard.body.scores.logScore).toBe(logScore(heldAtEvent, 0));
      expect(scorecard.body.scores.timeAveragedBrier).toBe(brierScore(heldAtEvent, 0));
      const flagged = scorecard.body.topEvidence.find((item: { evidenceId: string }) => item.evidenceId === late.body.id);
      expect(flagged.afterTheFact).toBe(true);
      expect(scorecard.body.topEvidence.filter((item: { afterTheFact: boolean }) => !item.afterTheFact)).toHaveLength(1);

      const explained = await t.http.get(`/v1/predictions/${prediction.slug}/explain`).set(auth(viewer));
      expect(explained.body.occurredAt).toBe(occurredAt.toISOString());
      expect(explained.body.scoring).toMatch(/after/);
      expect(explained.body.moves.map((move: { kind: string; afterTheFact: boolean }) => [move.kind, move.afterTheFact])).toEqual([
        ['prior', false],
        ['evidence', false],
        ['evidence', true],
        ['resolution', false],
      ]);
      const history = await t.http.get(`/v1/predictions/${prediction.slug}/history`).set(auth(viewer));
      expect(history.body.items.map((item: { afterTheFact: boolean }) => item.afterTheFact)).toEqual([false, false, true, false]);

      const table = await t.http.get('/v1/scorecards').set(auth(viewer));
      const row = table.body.predictions.find((item: { id: string }) => item.id === prediction.id);
      expect(row).toMatchObject({ scoredProbability: heldAtEvent, brier: brierScore(heldAtEvent, 0) });
      expect(table.body.scoring).toMatch(/after/);
    });

    it('refuses occurredAt before the prediction existed, and after now', async () => {
      const prediction = await createPrediction();
      const before = await t.http
        .post(`/v1/predictions/${prediction.slug}/resolve`)
        .set(auth(analyst))
        .send({ outcome: 'true', note: 'x', occurredAt: new Date(Date.parse(prediction.createdAt) - 1000).toISOString() });
      expect(before.status).toBe(400);
      expect(before.body.errors).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
      const future = await t.http
        .post(`/v1/predictions/${prediction.slug}/resolve`)
        .set(auth(analyst))
        .send({ outcome: 'true', note: 'x', occurredAt: new Date(Date.now() + DAY_MS).toISOString() });
      expect(future.status).toBe(400);
      expect(future.body.errors).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
    });

    it('answers the prior, never null, from the very instant the prediction was created', async () => {
      const prediction = await createPrediction({ prior: 0.3 });
      const explained = await t.http.get(`/v1/predictions/${prediction.slug}/explain`).query({ at: prediction.createdAt }).set(auth(viewer));
      expect(explained.status).toBe(200);
      // The prior's log-odds on the 2^-49 grid: 0.3 to within 1e-15.
      expect(explained.body.probability).toBeCloseTo(0.3, 14);
      const audit = await t.http.get(`/v1/predictions/${prediction.slug}/audit`).set(auth(viewer));
      expect(audit.body.items[0]).toMatchObject({ kind: 'prior', createdAt: prediction.createdAt });
      const before = await t.http
        .get(`/v1/predictions/${prediction.slug}/explain`)
        .query({ at: new Date(Date.parse(prediction.createdAt) - 1).toISOString() })
        .set(auth(viewer));
      expect(before.body.probability).toBeNull();
    });
  });

  describe('the quiet-day catch-up across a stopped worker (simulated clock)', () => {
    /** Prior 0.4; deadline at 01:00 UTC four days after the day of creation, so the last quiet day is the day before. */
    async function quietPrediction() {
      const today = Math.floor(Date.now() / DAY_MS);
      const deadline = new Date((today + 4) * DAY_MS + HOUR_MS);
      const prediction = await createPrediction({ prior: 0.4, eventByDeadline: true, deadline: deadline.toISOString() });
      return { prediction, deadline, today };
    }
    // Days today+1, +2, +3 have 4, 3, 2 days left (the deadline's day is the last possible one): LR 3/4, 2/3, 1/2.
    const expectedOdds = (0.4 / 0.6) * (3 / 4) * (2 / 3) * (1 / 2);
    const expected = expectedOdds / (1 + expectedOdds);

    it.each([
      ['the deadline job first', ['markDue', 'recordQuietDays'] as const],
      ['the quiet-day job first', ['recordQuietDays', 'markDue'] as const],
    ])('records every missed quiet day up to the deadline with %s', async (_label, order) => {
      const { prediction, deadline, today } = await quietPrediction();
      const deadlines = t.app.get(PredictionDeadlinesService);
      // The worker stopped right after creation and comes back two days after the deadline.
      const now = new Date(deadline.getTime() + 2 * DAY_MS);
      for (const job of order) await deadlines[job](now);
      await deadlines.recordQuietDays(now);

      const stored = await t.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } });
      expect(stored.status).toBe('due');
      const quiet = await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id, kind: 'quiet_day' }, orderBy: { sequence: 'asc' } });
      expect(quiet.map((entry) => (entry.detail as { day: string }).day)).toEqual(
        [1, 2, 3].map((offset) => new Date((today + offset) * DAY_MS).toISOString().slice(0, 10)),
      );
      expect(quiet.map((entry) => (entry.detail as { daysRemaining: number }).daysRemaining)).toEqual([4, 3, 2]);
      expect(stored.probability).toBeCloseTo(expected, 14);
      expect(await t.prisma.outboxEvent.count({ where: { predictionId: prediction.id, type: 'prediction.due' } })).toBe(1);
    });

    it('catches up the quiet days before the event when a prediction is resolved while the worker is down, and scores them', async () => {
      const prediction = await createPrediction({ prior: 0.4, eventByDeadline: true, deadline: new Date(Date.now() + 3 * DAY_MS).toISOString() });
      // Created four whole days ago (the column is not part of the audit chain); no quiet day was recorded since.
      const createdDay = Math.floor(Date.now() / DAY_MS) - 4;
      await t.prisma.prediction.update({ where: { id: prediction.id }, data: { createdAt: new Date(createdDay * DAY_MS + 12 * HOUR_MS) } });
      const resolved = await t.http.post(`/v1/predictions/${prediction.slug}/resolve`).set(auth(analyst)).send({ outcome: 'false', note: 'Nothing happened' });
      expect(resolved.status).toBe(200);
      const quiet = await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id, kind: 'quiet_day' }, orderBy: { sequence: 'asc' } });
      expect(quiet).toHaveLength(3);
      const scorecard = await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer));
      expect(scorecard.body.scores.afterTheFact).toBe(0);
      expect(scorecard.body.scores.probability).toBe(quiet.at(-1)!.probabilityAfter);
    });
  });

  describe('timestamps', () => {
    it.each([
      ['POST /v1/evidence', () => evidence('forecast-test-1', 2, { observedAt: '2026-11-20T09:30:00' }), 'observedAt'],
      ['GET /v1/evidence', () => t.http.get('/v1/evidence').query({ from: '2026-11-20T00:00:00' }).set(auth(viewer)), 'from'],
      ['GET explain', () => t.http.get('/v1/predictions/forecast-test-1/explain').query({ at: '2026-11-20 10:00' }).set(auth(viewer)), 'at'],
      [
        'POST /v1/predictions',
        () =>
          t.http
            .post('/v1/predictions')
            .set(auth(analyst))
            .send({ slug: 'no-offset', title: 't', statement: 's', resolutionCriteria: 'r', prior: 0.5, deadline: '2027-06-01T00:00:00' }),
        'deadline',
      ],
      [
        'POST resolve',
        () => t.http.post('/v1/predictions/forecast-test-1/resolve').set(auth(analyst)).send({ outcome: 'true', note: 'x', occurredAt: '2026-11-29' }),
        'occurredAt',
      ],
    ])('%s refuses a timestamp without a UTC offset, naming the field', async (_label, send, field) => {
      const response = await send();
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field, message: expect.stringMatching(/UTC offset/) })]);
    });

    it('takes an explicit offset, and refuses a reported observedAt more than five minutes ahead', async () => {
      const prediction = await createPrediction();
      const local = new Date(Date.now() - HOUR_MS);
      const withOffset = `${new Date(local.getTime() + 2 * HOUR_MS).toISOString().slice(0, 19)}+02:00`;
      const accepted = await evidence(prediction.id, 2, { observedAt: withOffset });
      expect(accepted.status).toBe(201);
      const stored = await t.http.get(`/v1/evidence/${accepted.body.id}`).set(auth(viewer));
      expect(Date.parse(stored.body.observedAt)).toBe(Math.floor(local.getTime() / 1000) * 1000);

      expect((await evidence(prediction.id, 2, { observedAt: new Date(Date.now() + 4 * 60_000).toISOString() })).status).toBe(201);
      const ahead = await evidence(prediction.id, 2, { observedAt: new Date(Date.now() + 10 * 60_000).toISOString() });
      expect(ahead.status).toBe(400);
      expect(ahead.body).toMatchObject({ type: expect.stringContaining('observed-in-future'), errors: [{ field: 'observedAt' }] });
    });
  });

  describe("the analysts' own forecasts", () => {
    it('documents the forecast endpoints', async () => {
      const openapi = await t.http.get('/openapi.json');
      expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/predictions/{idOrSlug}/forecasts']));
      expect(Object.keys(openapi.body.paths['/v1/predictions/{idOrSlug}/forecasts']).sort()).toEqual(['get', 'post']);
    });

    it('keeps each analyst\'s forecasts, shows the team aggregate beside the model, and scores every track on resolution', async () => {
      const prediction = await createPrediction({ prior: 0.5 });
      const forecast = (key: string, body: Record<string, unknown>) => t.http.post(`/v1/predictions/${prediction.slug}/forecasts`).set(auth(key)).send(body);
      expect((await forecast(viewer, { probability: 0.5 })).status).toBe(403);
      const outOfRange = await forecast(analyst, { probability: 1 });
      expect(outOfRange.status).toBe(400);
      expect(outOfRange.body.errors[0].field).toBe('probability');
      const percentage = await forecast(analyst, { probability: 60 });
      expect(percentage.status).toBe(400);
      expect(percentage.body.errors).toEqual([{ field: 'probability', message: expect.stringContaining('looks like a percentage: send 0.6') }]);

      const first = await forecast(analyst, { probability: 0.2, note: 'Too early to tell' });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ probability: 0.2, note: 'Too early to tell', forecasterName: 'test analyst', forecaster: expect.stringMatching(/^user:/) });
      await pause(5);
      expect((await forecast(secondAnalyst, { probability: 0.8 })).status).toBe(201);
      await pause(5);
      expect((await forecast(analyst, { probability: 0.3 })).status).toBe(201);
      await evidence(prediction.id, 3);

      const team = aggregateForecast([0.3, 0.8])!;
      // Geometric mean of odds: sqrt(3/7 * 4) = odds of the team.
      expect(team).toBeCloseTo(Math.sqrt((0.3 / 0.7) * 4) / (1 + Math.sqrt((0.3 / 0.7) * 4)), 14);
      const history = await t.http.get(`/v1/predictions/${prediction.slug}/forecasts`).set(auth(viewer));
      expect(history.status).toBe(200);
      expect(history.body.team).toMatchObject({ forecasters: 2, aggregate: expect.stringMatching(/geometric mean of the odds/) });
      expect(history.body.team.probability).toBeCloseTo(team, 14);
      expect(history.body.analysts).toHaveLength(2);
      const mine = history.body.analysts.find((item: { latest: { probability: number } }) => item.latest.probability === 0.3);
      expect(mine.forecasts.map((item: { probability: number }) => item.probability)).toEqual([0.2, 0.3]);

      const shown = await t.http.get(`/v1/predictions/${prediction.slug}`).set(auth(viewer));
      expect(shown.body).toMatchObject({ teamForecasters: 2 });
      expect(shown.body.teamProbability).toBeCloseTo(team, 14);
      expect(shown.body.probability).toBeCloseTo(0.75, 14);
      // The list reads a page's team forecasts in the same statement as the page: the same numbers as the prediction alone.
      const unforecast = await createPrediction();
      const listed = await t.http.get('/v1/predictions?limit=100').set(auth(viewer));
      expect(listed.status).toBe(200);
      const listedItem = (id: string) => (listed.body.items as { id: string }[]).find((item) => item.id === id);
      expect(listedItem(prediction.id)).toMatchObject({ teamForecasters: 2, teamProbability: shown.body.teamProbability, probability: shown.body.probability });
      expect(listedItem(unforecast.id)).toMatchObject({ teamForecasters: 0, teamProbability: null });
      const series = await t.http.get(`/v1/predictions/${prediction.slug}/history`).set(auth(viewer));
      expect(series.body.items[0].teamProbability).toBeNull();
      expect(series.body.items.at(-1).teamProbability).toBeCloseTo(team, 14);

      const resolved = await t.http.post(`/v1/predictions/${prediction.slug}/resolve`).set(auth(analyst)).send({ outcome: 'true', note: 'It happened' });
      expect(resolved.status).toBe(200);
      expect((await forecast(analyst, { probability: 0.9 })).status).toBe(409);

      const scorecard = await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer));
      const tracks = scorecard.body.tracks as { track: string; probability: number; brier: number; logScore: number; timeAveragedBrier: number }[];
      expect(tracks.map((track) => track.track).sort()).toEqual(['analyst', 'analyst', 'model', 'team']);
      for (const track of tracks) {
        expect(track.brier).toBe(brierScore(track.probability, 1));
        expect(track.logScore).toBe(logScore(track.probability, 1));
        // Created, forecast and resolved on one UTC day: one day, the final probability.
        expect(track.timeAveragedBrier).toBe(brierScore(track.probability, 1));
      }
      expect(tracks.find((track) => track.track === 'model')!.probability).toBeCloseTo(0.75, 14);
      expect(tracks.find((track) => track.track === 'team')!.probability).toBeCloseTo(team, 14);
      expect(tracks.filter((track) => track.track === 'analyst').map((track) => track.probability).sort()).toEqual([0.3, 0.8]);
      expect(scorecard.body.team.probability).toBeCloseTo(team, 14);

      const table = await t.http.get('/v1/scorecards').set(auth(viewer));
      expect(table.body.teamAggregate).toMatch(/geometric mean/);
      const standings = table.body.leaderboard as { forecaster: string; resolvedCount: number; meanBrier: number; calibration: unknown[] }[];
      expect(standings).toHaveLength(2);
      expect(standings.map((standing) => standing.meanBrier)).toEqual([brierScore(0.8, 1), brierScore(0.3, 1)]);
      expect(standings.every((standing) => standing.resolvedCount === 1 && standing.calibration.length === 10)).toBe(true);
      expect(table.body.modelVersusTeam).toMatchObject({ predictions: 1, modelBetter: 1, teamBetter: 0, ties: 0, modelBeatTeamRate: 1 });
      expect(table.body.modelVersusTeam.teamMeanBrier).toBeCloseTo(brierScore(team, 1), 14);

      // Undoing the resolution forgets the scores; forecasts are taken again.
      await t.http.post(`/v1/predictions/${prediction.slug}/undo-resolution`).set(auth(t.adminKey)).send({ reason: 'Wrong notice' });
      expect((await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer))).body.tracks).toEqual([]);
      expect((await forecast(analyst, { probability: 0.9 })).status).toBe(201);
    }, 30_000);
  });
});
