import { EXACT_LOG_ODDS_LIMIT, GENESIS_HASH, logit, onLogOddsGrid, probabilityFromLogOdds, replayLogOdds, timeAveragedBrier } from '#core';
import { EvidenceService, PredictionDeadlinesService, ScorecardService } from '#predictions';
import { adminQuery } from '#test/test-database.js';
import { auth, createTestAppWithKeys, type TestApp } from '#test/test-app.js';
import { createPrediction as newPrediction } from '#test/factories.js';

const DAY_MS = 86_400_000;

describe('confidence engine: evidence, audit trail, resolution and scorecards', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => ({ t, analyst, viewer } = await createTestAppWithKeys()));
  afterAll(() => t.close());


  const createPrediction = (overrides: Record<string, unknown> = {}) =>
    newPrediction(t, analyst, { prior: 0.6, deadline: new Date(Date.now() + 200 * DAY_MS).toISOString(), ...overrides });

  const record = (body: Record<string, unknown>, key = analyst) => t.http.post('/v1/evidence').set(auth(key)).send(body);
  let reportCounter = 0;
  // Each a report of its own (its own link and words): one story's repeats count once (tests/evidence-stories.e2e-spec.ts).
  const evidenceFor = (prediction: string, impact: Record<string, unknown> = { likelihoodRatio: 2 }, extra: Record<string, unknown> = {}) => ({
    summary: `A report, number ${(reportCounter += 1)}`,
    sourceUrl: `https://example.com/report/${reportCounter}`,
    observedAt: new Date().toISOString(),
    impacts: [{ prediction, ...impact }],
    ...extra,
  });

  it('documents the new endpoints in the OpenAPI document', async () => {
    const openapi = await t.http.get('/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/evidence',
        '/v1/evidence/{id}/retract',
        '/v1/predictions/{idOrSlug}/override',
        '/v1/predictions/{idOrSlug}/resolve',
        '/v1/predictions/{idOrSlug}/undo-resolution',
        '/v1/predictions/{idOrSlug}/history',
        '/v1/predictions/{idOrSlug}/audit',
        '/v1/predictions/{idOrSlug}/what-if',
        '/v1/predictions/{idOrSlug}/explain',
        '/v1/predictions/{idOrSlug}/scorecard',
        '/v1/scorecards',
      ]),
    );
  });

  describe('POST /v1/evidence', () => {
    it('moves each prediction by r * ln(LR) and reports the probability before and after', async () => {
      const first = await createPrediction({ prior: 0.6 });
      const second = await createPrediction({ prior: 0.5 });
      const response = await record({
        summary: 'Two labs named in a notice',
        sourceUrl: 'https://example.com/notice',
        observedAt: '2026-11-01T12:00:00Z',
        reliability: 1,
        impacts: [
          { prediction: first.id, likelihoodRatio: 2.0 },
          { prediction: second.slug, direction: 'supports', strength: 'weak' },
        ],
      });
      expect(response.status).toBe(201);
      expect(Object.keys(response.body).sort()).toEqual(['id', 'impacts', 'independent', 'sameStory', 'storyId']);
      expect(response.body).toMatchObject({ independent: false, sameStory: [] });
      expect(response.body.impacts).toHaveLength(2);
      const [a, b] = response.body.impacts;
      expect(Object.keys(a).sort()).toEqual(['deltaLogOdds', 'likelihoodRatio', 'predictionId', 'probabilityAfter', 'probabilityBefore', 'slug', 'story']);
      expect(a).toMatchObject({ predictionId: first.id, slug: first.slug, likelihoodRatio: 2 });
      expect(a.story).toEqual({
        id: response.body.storyId,
        counted: response.body.id,
        countedOnceWith: null,
        itemDeltaLogOdds: Math.log(2),
        deltaLogOddsBefore: 0,
        deltaLogOddsAfter: onLogOddsGrid(Math.log(2)),
      });
      // The move is dL = r * ln(LR) on the log-odds grid (2^-49), so that moves undo each other exactly.
      expect(a.deltaLogOdds).toBe(onLogOddsGrid(Math.log(2)));
      expect(a.deltaLogOdds).toBeCloseTo(Math.log(2), 13);
      expect(a.probabilityBefore).toBeCloseTo(0.6, 14);
      expect(a.probabilityAfter).toBeCloseTo(0.75, 14);
      expect(b).toMatchObject({ predictionId: second.id, slug: second.slug, likelihoodRatio: 1.5 });
      expect(b.deltaLogOdds).toBeCloseTo(Math.log(1.5), 13);
      expect(b.probabilityAfter).toBeCloseTo(0.6, 14);

      const stored = await t.http.get(`/v1/predictions/${first.slug}`).set(auth(viewer));
      expect(stored.body.probability).toBeCloseTo(0.75, 14);
    });

    it('scales the move by reliability, which defaults to 1', async () => {
      const prediction = await createPrediction({ prior: 0.5 });
      const half = await record(evidenceFor(prediction.id, { likelihoodRatio: 4 }, { reliability: 0.5 }));
      expect(half.body.impacts[0].deltaLogOdds).toBeCloseTo(0.5 * Math.log(4), 13);
      const contradicts = await record(evidenceFor(prediction.id, { direction: 'contradicts', strength: 'strong' }));
      expect(contradicts.body.impacts[0].likelihoodRatio).toBeCloseTo(0.1, 15);
      expect(contradicts.body.impacts[0].deltaLogOdds).toBeCloseTo(Math.log(0.1), 13);
    });

    it.each([
      [{ likelihoodRatio: 1000 }, {}, 400, 'impacts[0].likelihoodRatio'],
      [{ likelihoodRatio: 0.001 }, {}, 400, 'impacts[0].likelihoodRatio'],
      [{ likelihoodRatio: 0 }, {}, 400, 'impacts[0].likelihoodRatio'],
      [{ likelihoodRatio: 2 }, { reliability: 1.5 }, 400, 'reliability'],
      [{ likelihoodRatio: 2 }, { reliability: -0.1 }, 400, 'reliability'],
      [{ direction: 'supports' }, {}, 400, 'impacts[0].strength'],
      [{ direction: 'sideways', strength: 'weak' }, {}, 400, 'impacts[0].direction'],
      [{ likelihoodRatio: 2, direction: 'supports', strength: 'weak' }, {}, 400, 'impacts[0].likelihoodRatio'],
      [{ likelihoodRatio: '2' }, {}, 400, 'impacts[0].likelihoodRatio'],
      [{ likelihoodRatio: 2 }, { observedAt: 'yesterday' }, 400, 'observedAt'],
      [{ likelihoodRatio: 2 }, { sourceUrl: 'not a url' }, 400, 'sourceUrl'],
    ])('refuses impact %j with %j as %i naming %s', async (impact, extra, status, field) => {
      const prediction = await createPrediction();
      const response = await record(evidenceFor(prediction.id, impact, extra));
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      const unchanged = await t.http.get(`/v1/predictions/${prediction.id}`).set(auth(viewer));
      expect(unchanged.body.probability).toBeCloseTo(0.6, 14);
    });

    it('names every bad field of one request at once', async () => {
      const prediction = await createPrediction();
      const response = await record(evidenceFor(prediction.id, { likelihoodRatio: 1000 }, { reliability: 3, observedAt: 'nope' }));
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(
        ['impacts[0].likelihoodRatio', 'observedAt', 'reliability'],
      );
    });

    it('404s an unknown prediction naming the impact, and records nothing of the request', async () => {
      const prediction = await createPrediction();
      const evidenceBefore = await t.prisma.evidence.count();
      const outboxBefore = await t.prisma.outboxEvent.count();
      const response = await record({
        ...evidenceFor(prediction.id),
        impacts: [{ prediction: prediction.id, likelihoodRatio: 2 }, { prediction: 'no-such-prediction', likelihoodRatio: 2 }],
      });
      expect(response.status).toBe(404);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'impacts[1].prediction' })]);
      const byId = await record(evidenceFor('00000000-0000-7000-8000-000000000000'));
      expect(byId.status).toBe(404);
      expect(byId.body.errors[0].field).toBe('impacts[0].prediction');
      expect(await t.prisma.evidence.count()).toBe(evidenceBefore);
      expect(await t.prisma.outboxEvent.count()).toBe(outboxBefore);
    });

    it('refuses the same prediction twice, an empty impact list, and a viewer', async () => {
      const prediction = await createPrediction();
      const twice = await record({ ...evidenceFor(prediction.id), impacts: [{ prediction: prediction.id, likelihoodRatio: 2 }, { prediction: prediction.slug, likelihoodRatio: 3 }] });
      expect(twice.status).toBe(400);
      expect(twice.body.errors[0].field).toBe('impacts[1].prediction');
      const empty = await record({ ...evidenceFor(prediction.id), impacts: [] });
      expect(empty.status).toBe(400);
      expect(empty.body.errors.map((error: { field: string }) => error.field)).toContain('impacts');
      expect((await record(evidenceFor(prediction.id), viewer)).status).toBe(403);
    });

    it('writes evidence.recorded and prediction.confidence_changed outbox events with the change', async () => {
      const prediction = await createPrediction();
      const response = await record(evidenceFor(prediction.id, { likelihoodRatio: 3 }));
      const events = await t.prisma.outboxEvent.findMany({ where: { OR: [{ predictionId: prediction.id }, { payload: { path: ['evidenceId'], equals: response.body.id } }] } });
      const recorded = events.find((event) => event.type === 'evidence.recorded');
      expect(recorded?.payload).toMatchObject({ evidenceId: response.body.id, impacts: [{ predictionId: prediction.id }] });
      const changed = events.filter((event) => event.type === 'prediction.confidence_changed');
      expect(changed).toHaveLength(1);
      expect(changed[0]!.payload).toMatchObject({ predictionId: prediction.id, evidenceId: response.body.id, kind: 'evidence', sequence: 2 });
    });

    it('keeps 50 concurrent requests on one prediction consistent: one gap-free trail whose replay is the stored log-odds', async () => {
      const prediction = await createPrediction({ prior: 0.3 });
      const requests = Array.from({ length: 50 }, (_, index) => {
        const likelihoodRatio = [0.2, 0.5, 1.5, 3, 7][index % 5]!;
        const reliability = [1, 0.9, 0.5, 0.75][index % 4]!;
        return record(evidenceFor(prediction.id, { likelihoodRatio }, { reliability, summary: `burst ${index}` }));
      });
      const responses = await Promise.all(requests);
      expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));

      const entries = await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id }, orderBy: { sequence: 'asc' } });
      expect(entries.map((entry) => entry.sequence)).toEqual(Array.from({ length: 51 }, (_, index) => index + 1));
      expect(entries.slice(1).every((entry) => entry.kind === 'evidence')).toBe(true);
      expect(new Set(entries.slice(1).map((entry) => entry.evidenceId)).size).toBe(50);
      // Each entry starts where the previous ended: no request saw a stale head.
      for (let index = 1; index < entries.length; index++) {
        expect(entries[index]!.logOddsBefore).toBe(entries[index - 1]!.logOddsAfter);
        expect(entries[index]!.prevHash).toBe(entries[index - 1]!.hash);
      }
      const impacts = await t.prisma.evidenceImpact.findMany({ where: { predictionId: prediction.id } });
      const deltaByEvidence = new Map(impacts.map((impact) => [impact.evidenceId, impact.deltaLogOdds]));
      for (const impact of impacts) expect(impact.deltaLogOdds).toBe(impact.reliability * Math.log(impact.likelihoodRatio));
      // Fifty stories of one item each: every entry moved its item's dL on the grid, whichever order they came in.
      for (const entry of entries.slice(1)) expect(entry.deltaLogOdds).toBe(onLogOddsGrid(deltaByEvidence.get(entry.evidenceId!)!));
      const stored = await t.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } });
      expect(stored.priorLogOdds).toBe(onLogOddsGrid(logit(0.3)));
      expect(stored.logOdds).toBe(replayLogOdds(stored.priorLogOdds, entries.slice(1).map((entry) => entry.deltaLogOdds)));
      // The order of arrival does not change where it ends: another order of the same moves gives the same log-odds, bit for
      // bit, while the log-odds stay where grid additions are exact (|L| < 16). Here: always the move that brings L back towards 0.
      const remaining = impacts.map((impact) => onLogOddsGrid(impact.deltaLogOdds)).sort((x, y) => x - y);
      const reordered: number[] = [];
      let running = stored.priorLogOdds;
      while (remaining.length > 0) {
        const next = running > 0 ? remaining.shift()! : remaining.pop()!;
        running += next;
        expect(Math.abs(running)).toBeLessThan(EXACT_LOG_ODDS_LIMIT);
        reordered.push(next);
      }
      expect(reordered).not.toEqual(entries.slice(1).map((entry) => entry.deltaLogOdds));
      expect(stored.logOdds).toBe(replayLogOdds(stored.priorLogOdds, reordered));
      expect(stored.probability).toBe(probabilityFromLogOdds(stored.logOdds));
      expect(stored.auditSequence).toBe(51);

      const verify = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
      expect(verify.body).toMatchObject({ ok: true, firstBroken: null });
    });
  });

  describe('GET /v1/evidence and retraction', () => {
    it('lists evidence by prediction and by time, paginated', async () => {
      const prediction = await createPrediction();
      for (const day of ['2026-01-01', '2026-02-01', '2026-03-01']) {
        expect((await record(evidenceFor(prediction.id, { likelihoodRatio: 2 }, { observedAt: `${day}T00:00:00Z` }))).status).toBe(201);
      }
      const all = await t.http.get(`/v1/evidence?prediction=${prediction.slug}&limit=2`).set(auth(viewer));
      expect(all.status).toBe(200);
      expect(all.body.items).toHaveLength(2);
      expect(all.body.items[0].impacts[0]).toMatchObject({ predictionId: prediction.id, slug: prediction.slug, likelihoodRatio: 2 });
      const rest = await t.http.get(`/v1/evidence?prediction=${prediction.slug}&limit=2&cursor=${all.body.nextCursor}`).set(auth(viewer));
      expect(rest.body.items).toHaveLength(1);
      expect(rest.body.nextCursor).toBeNull();
      const february = await t.http.get(`/v1/evidence?prediction=${prediction.id}&from=2026-01-15T00:00:00Z&to=2026-02-15T00:00:00Z`).set(auth(viewer));
      expect(february.body.items.map((item: { observedAt: string }) => item.observedAt)).toEqual(['2026-02-01T00:00:00.000Z']);
      const unknown = await t.http.get('/v1/evidence?prediction=nope').set(auth(viewer));
      expect(unknown.status).toBe(404);
      expect(unknown.body.errors[0].field).toBe('prediction');
      const badTime = await t.http.get('/v1/evidence?from=soon').set(auth(viewer));
      expect(badTime.status).toBe(400);
      expect(badTime.body.errors[0].field).toBe('from');
    });

    it('retracts with a compensating move that restores the earlier log-odds exactly, once', async () => {
      const prediction = await createPrediction({ prior: 0.4 });
      const before = (await t.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } })).logOdds;
      const recorded = await record(evidenceFor(prediction.id, { likelihoodRatio: 5 }, { reliability: 0.8 }));
      const retracted = await t.http.post(`/v1/evidence/${recorded.body.id}/retract`).set(auth(analyst)).send({ reason: 'The source withdrew it' });
      expect(retracted.status).toBe(200);
      expect(retracted.body.impacts[0].deltaLogOdds).toBe(-recorded.body.impacts[0].deltaLogOdds);
      const after = await t.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } });
      expect(after.logOdds).toBe(before);
      const entries = await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id }, orderBy: { sequence: 'asc' } });
      expect(entries.map((entry) => entry.kind)).toEqual(['prior', 'evidence', 'retraction']);
      expect(entries[2]).toMatchObject({ evidenceId: recorded.body.id, reason: 'The source withdrew it' });
      // Nothing is deleted: the evidence is still listed, marked retracted.
      const listed = await t.http.get(`/v1/evidence/${recorded.body.id}`).set(auth(viewer));
      expect(listed.body.retractedAt).not.toBeNull();
      expect(listed.body.retractionReason).toBe('The source withdrew it');

      const again = await t.http.post(`/v1/evidence/${recorded.body.id}/retract`).set(auth(analyst)).send({ reason: 'again' });
      expect(again.status).toBe(409);
      const missingReason = await t.http.post(`/v1/evidence/${recorded.body.id}/retract`).set(auth(analyst)).send({});
      expect(missingReason.status).toBe(400);
      expect(missingReason.body.errors[0].field).toBe('reason');
      const unknown = await t.http.post('/v1/evidence/00000000-0000-7000-8000-000000000000/retract').set(auth(analyst)).send({ reason: 'x' });
      expect(unknown.status).toBe(404);
    });
  });

  describe('predictions', () => {
    it('creates a prediction with its prior as audit entry 1, refusing bad priors and deadlines by field', async () => {
      const created = await createPrediction({ prior: 0.25 });
      expect(created).toMatchObject({ prior: 0.25, status: 'open' });
      expect(created).toEqual(expect.objectContaining({ id: expect.any(String), slug: expect.any(String), title: expect.any(String), statement: expect.any(String), resolutionCriteria: expect.any(String), probability: expect.any(Number), deadline: expect.any(String), createdAt: expect.any(String), updatedAt: expect.any(String) }));
      const audit = await t.http.get(`/v1/predictions/${created.slug}/audit`).set(auth(viewer));
      expect(audit.body.items).toEqual([expect.objectContaining({ sequence: 1, kind: 'prior', prevHash: GENESIS_HASH, hash: expect.stringMatching(/^[0-9a-f]{64}$/) })]);

      const base = { slug: 'bad-one', title: 't', statement: 's', resolutionCriteria: 'r', deadline: new Date(Date.now() + DAY_MS).toISOString() };
      for (const [body, field] of [
        [{ ...base, prior: 1 }, 'prior'],
        [{ ...base, prior: 0 }, 'prior'],
        [{ ...base, prior: 0.5, deadline: '2020-01-01T00:00:00Z' }, 'deadline'],
        [{ ...base, prior: 0.5, slug: 'Not A Slug' }, 'slug'],
        [{ ...base, prior: 0.5, probability: 0.9 }, 'probability'],
      ] as const) {
        const response = await t.http.post('/v1/predictions').set(auth(analyst)).send(body);
        expect(response.status).toBe(400);
        expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      const taken = await t.http.post('/v1/predictions').set(auth(analyst)).send({ ...base, prior: 0.5, slug: created.slug });
      expect(taken.status).toBe(409);
    });

    it('edits text only, keeping every earlier version', async () => {
      const prediction = await createPrediction();
      const edited = await t.http.patch(`/v1/predictions/${prediction.slug}`).set(auth(analyst)).send({ resolutionCriteria: 'True if it happens twice.' });
      expect(edited.status).toBe(200);
      expect(edited.body.resolutionCriteria).toBe('True if it happens twice.');
      expect(edited.body.probability).toBeCloseTo(0.6, 14);
      const revisions = await t.http.get(`/v1/predictions/${prediction.slug}/revisions`).set(auth(viewer));
      expect(revisions.body.items.map((revision: { revision: number; resolutionCriteria: string }) => [revision.revision, revision.resolutionCriteria])).toEqual([
        [1, 'True if it happens.'],
        [2, 'True if it happens twice.'],
      ]);
      const probability = await t.http.patch(`/v1/predictions/${prediction.slug}`).set(auth(analyst)).send({ probability: 0.9 });
      expect(probability.status).toBe(400);
      expect(probability.body.errors[0].field).toBe('probability');
    });

    it('overrides the probability with a reason, as an audit entry', async () => {
      const prediction = await createPrediction();
      const response = await t.http.post(`/v1/predictions/${prediction.id}/override`).set(auth(analyst)).send({ probability: 0.2, reason: 'Desk consensus' });
      expect(response.status).toBe(200);
      expect(response.body.prediction.probability).toBeCloseTo(0.2, 12);
      expect(response.body.entry).toMatchObject({ kind: 'override', reason: 'Desk consensus', sequence: 2 });
      expect(response.body.entry.deltaLogOdds).toBeCloseTo(logit(0.2) - logit(0.6), 13);
      const bad = await t.http.post(`/v1/predictions/${prediction.id}/override`).set(auth(analyst)).send({ probability: 1, reason: 'sure' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('probability');
    });

    it('serves the probability history, what-if without chosen evidence, and explain at a past time', async () => {
      const prediction = await createPrediction({ prior: 0.5 });
      const first = await record(evidenceFor(prediction.id, { likelihoodRatio: 4 }, { summary: 'first report' }));
      const middle = new Date();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = await record(evidenceFor(prediction.id, { likelihoodRatio: 0.5 }, { summary: 'second report' }));

      const history = await t.http.get(`/v1/predictions/${prediction.slug}/history`).set(auth(viewer));
      expect(history.body.items.map((point: { kind: string }) => point.kind)).toEqual(['prior', 'evidence', 'evidence']);
      expect(history.body.items[2].probability).toBeCloseTo(probabilityFromLogOdds(Math.log(4) + Math.log(0.5)), 14);

      const whatIf = await t.http.get(`/v1/predictions/${prediction.slug}/what-if?exclude=${first.body.id}`).set(auth(viewer));
      expect(whatIf.status).toBe(200);
      expect(whatIf.body.whatIfProbability).toBeCloseTo(probabilityFromLogOdds(Math.log(0.5)), 14);
      expect(whatIf.body.probability).toBeCloseTo(probabilityFromLogOdds(Math.log(2)), 14);
      const both = await t.http.get(`/v1/predictions/${prediction.slug}/what-if?exclude=${first.body.id},${second.body.id}`).set(auth(viewer));
      expect(both.body.whatIfProbability).toBeCloseTo(0.5, 14);
      const unrelated = await t.http.get(`/v1/predictions/${prediction.slug}/what-if?exclude=00000000-0000-7000-8000-000000000000`).set(auth(viewer));
      expect(unrelated.status).toBe(404);
      expect(unrelated.body.errors[0].field).toBe('exclude[0]');
      const malformed = await t.http.get(`/v1/predictions/${prediction.slug}/what-if?exclude=abc`).set(auth(viewer));
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0].field).toBe('exclude');

      const explained = await t.http.get(`/v1/predictions/${prediction.slug}/explain?at=${middle.toISOString()}`).set(auth(viewer));
      expect(explained.status).toBe(200);
      expect(explained.body.prior).toBe(0.5);
      expect(explained.body.probability).toBeCloseTo(0.8, 14);
      expect(explained.body.moves.map((move: { kind: string }) => move.kind)).toEqual(['prior', 'evidence']);
      expect(explained.body.moves[1]).toMatchObject({ actor: expect.stringMatching(/^user:/), evidence: { id: first.body.id, summary: 'first report' } });
      expect(explained.body.moves[1].cause).toContain('first report');
      expect(explained.body.moves[1].deltaLogOdds).toBeCloseTo(Math.log(4), 13);
      const badAt = await t.http.get(`/v1/predictions/${prediction.slug}/explain?at=whenever`).set(auth(viewer));
      expect(badAt.status).toBe(400);
      expect(badAt.body.errors[0].field).toBe('at');
    });
  });

  describe('resolution', () => {
    it('refuses evidence and overrides on a resolved prediction with 409, and an admin can undo it', async () => {
      const prediction = await createPrediction();
      const early = await t.http.post(`/v1/predictions/${prediction.slug}/resolve`).set(auth(analyst)).send({ outcome: 'false', note: 'x', occurredAt: '2026-11-20T00:00:00Z' });
      expect(early.status).toBe(400);
      expect(early.body).toMatchObject({ type: expect.stringContaining('occurred-before-creation'), errors: [{ field: 'occurredAt' }] });
      // The prediction existed before the event (the column is not part of the audit chain).
      await t.prisma.prediction.update({ where: { id: prediction.id }, data: { createdAt: new Date('2026-11-10T00:00:00Z') } });
      const resolved = await t.http
        .post(`/v1/predictions/${prediction.slug}/resolve`)
        .set(auth(analyst))
        .send({ outcome: 'false', note: 'Deadline passed quietly', sourceUrl: 'https://example.com/final', occurredAt: '2026-11-20T00:00:00Z' });
      expect(resolved.status).toBe(200);
      expect(resolved.body.prediction).toMatchObject({
        status: 'resolved_false',
        outcomeOccurredAt: '2026-11-20T00:00:00.000Z',
        resolutionNote: 'Deadline passed quietly',
        resolutionSourceUrl: 'https://example.com/final',
      });
      // Recorded now, apart from when the event happened.
      expect(Date.parse(resolved.body.prediction.resolvedAt)).toBeGreaterThan(Date.parse('2026-11-27T00:00:00Z'));
      expect(resolved.body.entry).toMatchObject({ kind: 'resolution', deltaLogOdds: 0, detail: { outcome: 'false', occurredAt: '2026-11-20T00:00:00.000Z' } });
      const outboxResolved = await t.prisma.outboxEvent.findFirst({ where: { predictionId: prediction.id, type: 'prediction.resolved' } });
      expect(outboxResolved?.payload).toMatchObject({ outcome: 'false', slug: prediction.slug });

      const refused = await record(evidenceFor(prediction.slug));
      expect(refused.status).toBe(409);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 409, type: expect.stringContaining('prediction-resolved'), errors: [{ field: 'impacts[0].prediction' }] });
      expect((await t.http.post(`/v1/predictions/${prediction.slug}/override`).set(auth(analyst)).send({ probability: 0.5, reason: 'x' })).status).toBe(409);
      expect((await t.http.post(`/v1/predictions/${prediction.slug}/resolve`).set(auth(analyst)).send({ outcome: 'true', note: 'x' })).status).toBe(409);
      const badOutcome = await t.http.post(`/v1/predictions/${prediction.slug}/resolve`).set(auth(analyst)).send({ outcome: 'maybe', note: 'x' });
      expect(badOutcome.status).toBe(400);
      expect(badOutcome.body.errors[0].field).toBe('outcome');

      expect((await t.http.post(`/v1/predictions/${prediction.slug}/undo-resolution`).set(auth(analyst)).send({ reason: 'wrong' })).status).toBe(403);
      const undone = await t.http.post(`/v1/predictions/${prediction.slug}/undo-resolution`).set(auth(t.adminKey)).send({ reason: 'Resolved against the wrong notice' });
      expect(undone.status).toBe(200);
      expect(undone.body.prediction).toMatchObject({ status: 'open', resolvedAt: null });
      expect(undone.body.entry).toMatchObject({ kind: 'resolution_undone', reason: 'Resolved against the wrong notice' });
      expect((await record(evidenceFor(prediction.slug))).status).toBe(201);
      const kinds = (await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id }, orderBy: { sequence: 'asc' } })).map((entry) => entry.kind);
      expect(kinds).toEqual(['prior', 'resolution', 'resolution_undone', 'evidence']);
    });

    it('accepts annulled, which is never scored', async () => {
      const prediction = await createPrediction();
      const annulled = await t.http.post(`/v1/predictions/${prediction.slug}/resolve`).set(auth(analyst)).send({ outcome: 'annulled', note: 'The question became moot' });
      expect(annulled.body.prediction.status).toBe('annulled');
      const scorecard = await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer));
      expect(scorecard.body.scores).toBeNull();
    });
  });

  describe('scorecards', () => {
    it('measures the change against the probability in force 7, 30 and 90 days before, the prior before the first move', async () => {
      const prediction = await createPrediction({ prior: 0.5 });
      await record(evidenceFor(prediction.id, { likelihoodRatio: 4 }, { summary: 'moved it' }));
      const moved = probabilityFromLogOdds(Math.log(4));
      // Ten days on, the move is older than 7 days and younger than 30.
      const later = await t.app.get(ScorecardService).scorecard(prediction.slug, new Date(Date.now() + 10 * 86_400_000));
      expect(later.change.d7).toBe(0);
      expect(later.change.d30).toBeCloseTo(moved - 0.5, 12);
      expect(later.change.d90).toBeCloseTo(moved - 0.5, 12);
    });

    it('finds the largest standing evidence even when the largest moves of all were retracted', async () => {
      const prediction = await createPrediction({ prior: 0.5 });
      // Seven strong supports, all retracted, then weaker ones: the top five by |dL| must come from beyond the retracted ones.
      for (let index = 0; index < 7; index++) {
        const strong = await record(evidenceFor(prediction.id, { likelihoodRatio: 50 + index }, { summary: `withdrawn ${index}` }));
        await t.http.post(`/v1/evidence/${strong.body.id}/retract`).set(auth(analyst)).send({ reason: 'withdrawn' });
      }
      const standing = [];
      for (const likelihoodRatio of [9, 8, 7, 6, 5, 4, 1.1]) standing.push(await record(evidenceFor(prediction.id, { likelihoodRatio }, { summary: `LR ${likelihoodRatio}` })));
      const scorecard = await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer));
      expect(scorecard.body.topEvidence.map((item: { summary: string }) => item.summary)).toEqual(['LR 9', 'LR 8', 'LR 7', 'LR 6', 'LR 5']);
    });

    it('shows where a prediction stands: changes, top evidence by |dL|, linked indicators, time left; scores after resolution', async () => {
      const prediction = await createPrediction({ prior: 0.5 });
      const small = await record(evidenceFor(prediction.id, { likelihoodRatio: 1.2 }, { summary: 'small' }));
      const big = await record(evidenceFor(prediction.id, { likelihoodRatio: 0.05 }, { summary: 'big contra' }));
      const retracted = await record(evidenceFor(prediction.id, { likelihoodRatio: 90 }, { summary: 'withdrawn' }));
      await t.http.post(`/v1/evidence/${retracted.body.id}/retract`).set(auth(analyst)).send({ reason: 'withdrawn' });

      const open = await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer));
      expect(open.status).toBe(200);
      const p = probabilityFromLogOdds(Math.log(1.2) + Math.log(0.05));
      expect(open.body.probability).toBeCloseTo(p, 12);
      expect(open.body.prior).toBe(0.5);
      expect(open.body.change.d7).toBeCloseTo(p - 0.5, 12);
      expect(open.body.change.d30).toBeCloseTo(p - 0.5, 12);
      expect(open.body.change.d90).toBeCloseTo(p - 0.5, 12);
      expect(open.body.topEvidence.map((item: { evidenceId: string }) => item.evidenceId)).toEqual([big.body.id, small.body.id]);
      expect(open.body.scores).toBeNull();
      expect(open.body.status).toBe('open');
      expect(open.body.timeLeftDays).toBeGreaterThanOrEqual(199);

      const seeded = await t.http.get('/v1/predictions/deepseek-blacklisted-12m/scorecard').set(auth(viewer));
      expect(seeded.body.indicators.length).toBeGreaterThanOrEqual(1);
      expect(seeded.body.indicators[0]).toEqual(expect.objectContaining({ slug: expect.any(String), threshold: expect.any(Number), latestReading: null }));

      await t.http.post(`/v1/predictions/${prediction.slug}/resolve`).set(auth(analyst)).send({ outcome: 'true', note: 'It happened' });
      const resolved = await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer));
      // Created and resolved on the same UTC day, so the time-averaged Brier has one day, the final probability.
      expect(resolved.body.scores.brier).toBeCloseTo((1 - p) ** 2, 14);
      expect(resolved.body.scores.logScore).toBeCloseTo(Math.log(p), 12);
      expect(resolved.body.scores.timeAveragedBrier).toBeCloseTo((1 - p) ** 2, 14);
    });

    it('lists every prediction with the calibration table over resolved ones and the mean one-term Brier', async () => {
      const response = await t.http.get('/v1/scorecards').set(auth(viewer));
      expect(response.status).toBe(200);
      const predictions = await t.prisma.prediction.findMany();
      expect(response.body.predictions).toHaveLength(predictions.length);
      const scored = predictions.filter((prediction) => prediction.status === 'resolved_true' || prediction.status === 'resolved_false');
      expect(response.body.resolvedCount).toBe(scored.length);
      expect(response.body.calibration).toHaveLength(10);
      expect(response.body.calibration.reduce((sum: number, bin: { count: number }) => sum + bin.count, 0)).toBe(scored.length);
      const expectedMean = scored.reduce((sum, prediction) => sum + (prediction.probability - (prediction.status === 'resolved_true' ? 1 : 0)) ** 2, 0) / scored.length;
      expect(response.body.meanBrier).toBeCloseTo(expectedMean, 14);
      expect(response.body.brierForm).toMatch(/one-term/);
      const filled = response.body.calibration.find((bin: { count: number }) => bin.count > 0);
      expect(filled).toEqual(expect.objectContaining({ meanForecast: expect.any(Number), observedFrequency: expect.any(Number), wilsonLower: expect.any(Number), wilsonUpper: expect.any(Number) }));
    });
  });

  describe('time-driven moves', () => {
    it('marks a prediction past its deadline as due, once, with a prediction.due event', async () => {
      const prediction = await createPrediction({ deadline: new Date(Date.now() + 2 * DAY_MS).toISOString() });
      const deadlines = t.app.get(PredictionDeadlinesService);
      const later = new Date(Date.now() + 3 * DAY_MS);
      const [first, second] = await Promise.all([deadlines.markDue(later), deadlines.markDue(later)]);
      expect([...first, ...second].filter((id) => id === prediction.id)).toHaveLength(1);
      const stored = await t.http.get(`/v1/predictions/${prediction.id}`).set(auth(viewer));
      expect(stored.body.status).toBe('due');
      expect(await t.prisma.outboxEvent.count({ where: { predictionId: prediction.id, type: 'prediction.due' } })).toBe(1);
      // Due predictions still take evidence until someone resolves them.
      expect((await record(evidenceFor(prediction.id))).status).toBe(201);
    });

    it('lowers "X by the deadline" odds once per quiet day, in proportion to the time left, even with concurrent workers', async () => {
      const prediction = await createPrediction({ prior: 0.4, eventByDeadline: true, deadline: new Date(Date.now() + 30 * DAY_MS).toISOString() });
      const row = await t.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } });
      const deadlines = t.app.get(PredictionDeadlinesService);
      // Three whole days after creation have ended.
      const now = new Date((Math.floor(row.createdAt.getTime() / DAY_MS) + 4) * DAY_MS + 3_600_000);
      await Promise.all([deadlines.recordQuietDays(now), deadlines.recordQuietDays(now), deadlines.recordQuietDays(now)]);
      await deadlines.recordQuietDays(now);

      const quiet = await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id, kind: 'quiet_day' }, orderBy: { sequence: 'asc' } });
      expect(quiet).toHaveLength(3);
      expect(new Set(quiet.map((entry) => (entry.detail as { day: string }).day)).size).toBe(3);
      const n = (quiet[0]!.detail as { daysRemaining: number }).daysRemaining;
      expect(quiet.map((entry) => (entry.detail as { daysRemaining: number }).daysRemaining)).toEqual([n, n - 1, n - 2]);
      const stored = await t.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } });
      // The ratios telescope: odds after k quiet days are the prior odds times (n - k) / n.
      expect(Math.exp(stored.logOdds)).toBeCloseTo((0.4 / 0.6) * ((n - 3) / n), 12);
      expect(quiet.every((entry) => entry.actor === 'system:quiet-days')).toBe(true);

      // The database itself refuses a second entry for the same day.
      const last = quiet[2]!;
      await expect(
        t.prisma.$executeRaw`INSERT INTO "AuditEntry" ("id", "predictionId", "sequence", "kind", "logOddsBefore", "deltaLogOdds", "logOddsAfter", "probabilityBefore", "probabilityAfter", "actor", "detail", "prevHash", "hash")
          VALUES (gen_random_uuid(), ${prediction.id}::uuid, 999, 'quiet_day', 0, 0, 0, 0.5, 0.5, 'test', ${JSON.stringify(last.detail)}::jsonb, 'x', 'y')`,
      ).rejects.toThrow(/AuditEntry_quiet_day_once_per_day|unique/i);
    });
  });

  describe('EvidenceService.record for other libraries', () => {
    it('joins the caller\'s transaction: the caller\'s rollback leaves nothing, its commit keeps everything', async () => {
      const prediction = await createPrediction({ prior: 0.5 });
      const indicator = await t.prisma.indicator.findUniqueOrThrow({ where: { slug: 'huawei-ascend-adoption' } });
      const reading = await t.prisma.indicatorReading.create({ data: { indicatorId: indicator.id, value: 42, observedAt: new Date() } });
      const evidence = t.app.get(EvidenceService);
      const input = {
        summary: 'Ascend share crossed the threshold',
        observedAt: new Date(),
        impacts: [{ prediction: prediction.slug, likelihoodRatio: 3 }],
        indicatorReadingId: reading.id,
      };
      await expect(
        t.prisma.$transaction(async (tx) => {
          await evidence.recordWithin(tx, input, 'system:test');
          throw new Error('the caller changes its mind');
        }),
      ).rejects.toThrow('the caller changes its mind');
      expect((await t.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } })).auditSequence).toBe(1);
      expect(await t.prisma.evidence.count({ where: { indicatorReadingId: reading.id } })).toBe(0);

      const recorded = await t.prisma.$transaction((tx) => evidence.recordWithin(tx, input, 'system:test'));
      expect(recorded.impacts[0]).toMatchObject({ predictionId: prediction.id, slug: prediction.slug, likelihoodRatio: 3 });
      const byIndicator = await t.http.get(`/v1/evidence?indicator=${indicator.slug}`).set(auth(viewer));
      expect(byIndicator.body.items.map((item: { id: string }) => item.id)).toEqual([recorded.id]);
      await expect(evidence.record({ ...input, reliability: 2 }, 'system:test')).rejects.toMatchObject({ kind: 'invalid', field: 'reliability' });
    });
  });

  describe('GET /v1/audit/verify', () => {
    it('names the first broken entry when a superuser edits a row with the trigger disabled', async () => {
      const healthy = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
      expect(healthy.body).toMatchObject({ ok: true, firstBroken: null });
      expect(healthy.body.entries).toBe(await t.prisma.auditEntry.count());

      const prediction = await createPrediction({ prior: 0.5 });
      for (let index = 0; index < 4; index++) await record(evidenceFor(prediction.id, { likelihoodRatio: 2 + index }));
      const target = await t.prisma.auditEntry.findUniqueOrThrow({ where: { predictionId_sequence: { predictionId: prediction.id, sequence: 3 } } });
      await adminQuery(
        `ALTER TABLE "AuditEntry" DISABLE TRIGGER USER;
         UPDATE "AuditEntry" SET "actor" = 'apikey:someone-else' WHERE "id" = '${target.id}';
         ALTER TABLE "AuditEntry" ENABLE TRIGGER USER;`,
        t.database.url,
      );
      const broken = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
      expect(broken.status).toBe(200);
      expect(broken.body.ok).toBe(false);
      expect(broken.body.firstBroken).toMatchObject({ predictionId: prediction.id, sequence: 3 });
      // The trigger is back on.
      await expect(t.prisma.$executeRaw`DELETE FROM "AuditEntry" WHERE "id" = ${target.id}::uuid`).rejects.toThrow(/append-only/);
    });
  });

  // Rewrites history timestamps as a superuser, so it runs after the audit check above.
  describe('time-averaged Brier across several days', () => {
    it('scores the probability in force at the end of each UTC day from creation to resolution', async () => {
      const prediction = await createPrediction({ prior: 0.3 });
      for (const likelihoodRatio of [3, 0.5, 4, 2]) await record(evidenceFor(prediction.id, { likelihoodRatio }));
      // Spread the life over four UTC days: created day 0 at 10:00, moves on days 0, 1, 1, 3, the event on day 3.
      const dayZero = Math.floor(Date.now() / DAY_MS) * DAY_MS - 10 * DAY_MS;
      const times = [10, 20, 24 + 5, 24 + 23, 72 + 1, 72 + 2].map((hours) => new Date(dayZero + hours * 3_600_000));
      await adminQuery(
        `ALTER TABLE "AuditEntry" DISABLE TRIGGER USER;
         ${times.slice(0, 5).map((time, index) => `UPDATE "AuditEntry" SET "createdAt" = '${time.toISOString()}' WHERE "predictionId" = '${prediction.id}' AND "sequence" = ${index + 1};`).join('\n')}
         ALTER TABLE "AuditEntry" ENABLE TRIGGER USER;
         UPDATE "Prediction" SET "createdAt" = '${times[0]!.toISOString()}' WHERE "id" = '${prediction.id}';`,
        t.database.url,
      );
      const resolved = await t.http.post(`/v1/predictions/${prediction.id}/resolve`).set(auth(analyst)).send({ outcome: 'true', note: 'done', occurredAt: times[5]!.toISOString() });
      expect(resolved.status).toBe(200);
      const entries = await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id }, orderBy: { sequence: 'asc' } });
      const expected = timeAveragedBrier(
        entries.slice(0, 5).map((entry) => ({ at: entry.createdAt, probability: entry.probabilityAfter })),
        times[0]!,
        times[5]!,
        1,
      );
      // Day 2 has no move, so it is scored with day 1's closing probability; day 3 ends at the event.
      const closing = [entries[1]!, entries[3]!, entries[3]!, entries[4]!].map((entry) => (1 - entry.probabilityAfter) ** 2);
      expect(expected).toBeCloseTo(closing.reduce((sum, value) => sum + value, 0) / 4, 14);
      const scorecard = await t.http.get(`/v1/predictions/${prediction.id}/scorecard`).set(auth(viewer));
      expect(scorecard.body.scores.timeAveragedBrier).toBeCloseTo(expected, 14);
      expect(scorecard.body.scores.brier).toBeCloseTo((1 - entries[4]!.probabilityAfter) ** 2, 14);
      expect(scorecard.body.scores).toMatchObject({ occurredAt: times[5]!.toISOString(), afterTheFact: 0, probability: entries[4]!.probabilityAfter });
    });
  });
});
