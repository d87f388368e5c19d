import { deltaLogOdds, isNearSameSummary, onLogOddsGrid, probabilityFromLogOdds, replayLogOdds } from '#core';
import { auth, createTestAppWithKeys, type TestApp } from '#test/test-app.js';
import { createPrediction as newPrediction } from '#test/factories.js';

const DAY_MS = 86_400_000;

/**
 * Evidence that knows its story: evidence of one story (named by the caller,
 * the same canonical link, or a near-same summary) counts once per prediction,
 * as its strongest live item; the analyst may mark evidence independent.
 */
describe('evidence stories: one story counts once', () => {
  let t: TestApp;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => ({ t, analyst, viewer } = await createTestAppWithKeys()));
  afterAll(() => t.close());

  const createPrediction = (prior: number) => newPrediction(t, analyst, { prior, deadline: new Date(Date.now() + 200 * DAY_MS).toISOString() });

  const record = (body: Record<string, unknown>) => t.http.post('/v1/evidence').set(auth(analyst)).send(body);
  const retract = (id: string, reason = 'withdrawn') => t.http.post(`/v1/evidence/${id}/retract`).set(auth(analyst)).send({ reason });
  const stored = (id: string) => t.prisma.prediction.findUniqueOrThrow({ where: { id } });
  const evidence = (prediction: string, summary: string, impact: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    summary,
    observedAt: new Date().toISOString(),
    impacts: [{ prediction, ...impact }],
    ...extra,
  });
  const confidenceEvents = (predictionId: string) =>
    t.prisma.outboxEvent.findMany({ where: { type: 'prediction.confidence_changed', predictionId }, orderBy: { createdAt: 'asc' } });

  describe('the two examples of the issue end at the probability of their strongest item alone', () => {
    it('DeepSeek: a strong briefing then a moderate "US weighs" report of one story, 35% -> 84.3% and no further', async () => {
      const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'deepseek-blacklisted-12m' } });
      expect(prediction.prior).toBe(0.35);
      const briefing = await record(
        evidence(prediction.id, 'Commerce officials briefed Congress on an Entity List review of DeepSeek', { direction: 'supports', strength: 'strong' }, {
          sourceUrl: 'https://www.reuters.com/technology/us-weighs-adding-deepseek-entity-list-2026-12-01/?utm_source=newsletter',
        }),
      );
      expect(briefing.status).toBe(201);
      expect(briefing.body.impacts[0].probabilityAfter).toBeCloseTo(0.8434, 4);

      // The second outlet's item, accepted from the inbox, links the same article (its AMP edition).
      const submitted = await t.http
        .post('/v1/signals')
        .set(auth(analyst))
        .send({ items: [{ title: 'US weighs adding DeepSeek to the Entity List', url: 'https://www.reuters.com/amp/technology/us-weighs-adding-deepseek-entity-list-2026-12-01/' }] });
      const itemId = submitted.body.createdIds[0] as string;
      const accepted = await t.http
        .post(`/v1/signals/${itemId}/accept`)
        .set(auth(analyst))
        .send({ impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'moderate' }] });
      expect(accepted.status).toBe(201);
      expect(accepted.body.impacts[0]).toMatchObject({
        deltaLogOdds: 0,
        story: { id: briefing.body.storyId, counted: briefing.body.id, countedOnceWith: briefing.body.id },
      });
      const after = await stored(prediction.id);
      expect(after.probability).toBeCloseTo(0.8434, 4);
      expect(after.logOdds).toBe(prediction.logOdds + onLogOddsGrid(Math.log(10)));

      // Explain says so; one confidence change for the two, and the second's evidence.recorded names the first.
      const explained = await t.http.get(`/v1/predictions/${prediction.slug}/explain`).set(auth(viewer));
      const repeat = explained.body.moves.find((move: { evidence: { id: string } | null }) => move.evidence?.id === accepted.body.evidenceId);
      expect(repeat).toMatchObject({ deltaLogOdds: 0, story: { countedOnceWith: { id: briefing.body.id } } });
      expect(repeat.cause).toContain('counted once with "Commerce officials briefed Congress');
      expect(await confidenceEvents(prediction.id)).toHaveLength(1);
      const recorded = await t.prisma.outboxEvent.findFirstOrThrow({ where: { type: 'evidence.recorded', payload: { path: ['evidenceId'], equals: accepted.body.evidenceId } } });
      expect(recorded.payload).toMatchObject({ impacts: [{ deltaLogOdds: 0, story: { countedOnceWith: briefing.body.id } }] });
    });

    it('Ascend: three adoption items reporting one deployment take us-china-ai-bifurcation only as far as the strongest', async () => {
      const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: 'us-china-ai-bifurcation' } });
      expect(prediction.prior).toBe(0.55);
      const titles = [
        ['Huawei Ascend 910C clusters deployed at China Mobile Hohhot data centre', 'https://www.scmp.com/tech/ascend-china-mobile-hohhot', 'moderate'],
        ['Huawei Ascend 910C clusters deployed at China Mobile Hohhot data center', 'https://technode.com/2026/12/02/ascend-hohhot/', 'strong'],
        ['Huawei Ascend 910C clusters deployed at China Mobile Hohhot data centre, sources say', 'https://www.digitimes.com/news/ascend-hohhot', 'weak'],
      ] as const;
      for (const [a, b] of [[titles[0][0], titles[1][0]], [titles[0][0], titles[2][0]]]) expect(isNearSameSummary(a, b)).toBe(true);
      // The three reports are one story in the inbox: accepting the first (moderate) accepts all three, once.
      const submitted = await t.http.post('/v1/signals').set(auth(analyst)).send({ items: titles.map(([title, url]) => ({ title, url })) });
      const ids = submitted.body.createdIds as string[];
      const items = await t.prisma.signalItem.findMany({ where: { id: { in: ids } } });
      expect(new Set(items.map((item) => item.storyId)).size).toBe(1);
      const storyId = items[0]!.storyId!;
      const first = await t.http.post(`/v1/signals/${ids[0]}/accept`).set(auth(analyst)).send({ impacts: [{ prediction: prediction.slug, direction: 'supports', strength: titles[0][2] }] });
      expect(first.status).toBe(201);
      expect(first.body.storyId).toBe(storyId);
      expect((await t.prisma.signalItem.findMany({ where: { id: { in: ids } } })).map((item) => item.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect((await t.http.post(`/v1/signals/${ids[1]}/accept`).set(auth(analyst)).send({})).status).toBe(409);
      // An analyst who reads the later reports as stronger or weaker evidence records them in the story.
      const accepted: { evidenceId: string; impacts: { deltaLogOdds: number }[] }[] = [{ evidenceId: first.body.evidenceId, impacts: first.body.impacts }];
      for (const [title, url, strength] of titles.slice(1)) {
        const response = await record(evidence(prediction.id, title, { direction: 'supports', strength }, { sourceUrl: url, storyId }));
        expect(response.body.storyId).toBe(storyId);
        accepted.push({ evidenceId: response.body.id, impacts: response.body.impacts });
      }
      // Moderate moves fully, strong by the difference, weak not at all.
      expect(accepted.map((response) => response.impacts[0]!.deltaLogOdds)).toEqual([
        onLogOddsGrid(Math.log(3)),
        onLogOddsGrid(Math.log(10)) - onLogOddsGrid(Math.log(3)),
        0,
      ]);
      const after = await stored(prediction.id);
      expect(after.logOdds).toBe(prediction.logOdds + onLogOddsGrid(Math.log(10)));
      expect(after.probability).toBeCloseTo(probabilityFromLogOdds(prediction.logOdds + Math.log(10)), 12);

      // A different deployment in the same words is its own story: it moves.
      const other = await record(evidence(prediction.id, 'Huawei Ascend 910C clusters deployed at China Telecom Guizhou data centre', { direction: 'supports', strength: 'weak' }));
      expect(other.body.sameStory).toEqual([]);
      expect(other.body.impacts[0].deltaLogOdds).toBe(onLogOddsGrid(Math.log(1.5)));
    });
  });

  describe('matching', () => {
    it('warns, naming the earlier evidence, and groups by story id, canonical link and near-same summary', async () => {
      const prediction = await createPrediction(0.4);
      const first = await record(
        evidence(prediction.id, 'Ministry announces national compute vouchers worth 10 billion yuan', { likelihoodRatio: 4 }, { sourceUrl: 'https://example.org/vouchers' }),
      );
      expect(first.body.sameStory).toEqual([]);

      const byLink = await record(evidence(prediction.id, 'A different headline of the same article', { likelihoodRatio: 2 }, { sourceUrl: 'http://m.example.org/vouchers?fbclid=1#top' }));
      expect(byLink.body).toMatchObject({
        storyId: first.body.storyId,
        independent: false,
        sameStory: [{ evidenceId: first.body.id, storyId: first.body.storyId, matchedBy: 'url', summary: 'Ministry announces national compute vouchers worth 10 billion yuan' }],
      });
      expect(Date.parse(byLink.body.sameStory[0].recordedAt)).not.toBeNaN();

      const bySummary = await record(evidence(prediction.id, 'Ministry announces national compute vouchers worth 10 billion yuan.', { likelihoodRatio: 3 }));
      expect(bySummary.body.storyId).toBe(first.body.storyId);
      expect(bySummary.body.sameStory.map((match: { evidenceId: string; matchedBy: string }) => [match.evidenceId, match.matchedBy])).toEqual([[first.body.id, 'summary']]);

      const byStory = await record(evidence(prediction.id, 'Local governments detail the voucher rules', { likelihoodRatio: 1.5 }, { storyId: first.body.storyId }));
      expect(byStory.body.storyId).toBe(first.body.storyId);
      expect(byStory.body.sameStory.every((match: { matchedBy: string }) => match.matchedBy === 'story')).toBe(true);

      // Four items, one story: the strongest (LR 4) alone.
      expect((await stored(prediction.id)).logOdds).toBe((await stored(prediction.id)).priorLogOdds + onLogOddsGrid(Math.log(4)));
      const listed = await t.http.get(`/v1/evidence?story=${first.body.storyId}`).set(auth(viewer));
      expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([first.body.id, byLink.body.id, bySummary.body.id, byStory.body.id]);
      expect(listed.body.items[0].storyId).toBe(first.body.storyId);

      // The trail keeps what was matched (hashed with the entry).
      const entry = await t.prisma.auditEntry.findFirstOrThrow({ where: { evidenceId: bySummary.body.id } });
      expect(entry.detail).toMatchObject({ story: { id: first.body.storyId, countedOnceWith: first.body.id }, sameStory: [{ evidenceId: first.body.id, matchedBy: 'summary' }] });
    });

    it('does not group a summary a week apart, evidence of other predictions, or retracted evidence', async () => {
      const prediction = await createPrediction(0.5);
      const elsewhere = await createPrediction(0.5);
      const summary = 'Regulator opens a review of cloud GPU rentals';
      const old = await record(evidence(prediction.id, summary, { likelihoodRatio: 2 }, { observedAt: new Date(Date.now() - 9 * DAY_MS).toISOString() }));
      const onOther = await record(evidence(elsewhere.id, summary, { likelihoodRatio: 2 }));
      const withdrawn = await record(evidence(prediction.id, summary, { likelihoodRatio: 2 }, { observedAt: new Date(Date.now() - DAY_MS).toISOString() }));
      expect(withdrawn.body.sameStory).toEqual([]);
      await retract(withdrawn.body.id);
      const fresh = await record(evidence(prediction.id, summary, { likelihoodRatio: 2 }));
      expect(fresh.body.sameStory).toEqual([]);
      expect(new Set([old.body.storyId, onOther.body.storyId, withdrawn.body.storyId, fresh.body.storyId]).size).toBe(4);
    });
  });

  describe('the independence override', () => {
    it('records it as a story of its own, with who and why in the trail', async () => {
      const prediction = await createPrediction(0.35);
      const first = await record(evidence(prediction.id, 'BIS notice names DeepSeek', { likelihoodRatio: 10 }, { sourceUrl: 'https://example.org/bis-notice' }));
      const second = await record(
        evidence(prediction.id, 'BIS notice names DeepSeek, second listing', { likelihoodRatio: 3 }, {
          sourceUrl: 'https://example.org/bis-notice',
          independent: { reason: 'A second listing, a month after the first, on the same page' },
        }),
      );
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({ independent: true, sameStory: [{ evidenceId: first.body.id, matchedBy: 'url' }] });
      expect(second.body.storyId).not.toBe(first.body.storyId);
      expect(second.body.impacts[0].deltaLogOdds).toBe(onLogOddsGrid(Math.log(3)));
      const after = await stored(prediction.id);
      expect(after.logOdds).toBe(after.priorLogOdds + onLogOddsGrid(Math.log(10)) + onLogOddsGrid(Math.log(3)));

      const entry = await t.prisma.auditEntry.findFirstOrThrow({ where: { evidenceId: second.body.id } });
      expect(entry.actor).toMatch(/^user:/);
      expect(entry.detail).toMatchObject({ independent: { reason: 'A second listing, a month after the first, on the same page' }, sameStory: [{ evidenceId: first.body.id }] });
      const shown = await t.http.get(`/v1/evidence/${second.body.id}`).set(auth(viewer));
      expect(shown.body).toMatchObject({ storyId: second.body.storyId, independenceReason: 'A second listing, a month after the first, on the same page' });

      const blank = await record(evidence(prediction.id, 'x', { likelihoodRatio: 2 }, { independent: { reason: '  ' } }));
      expect(blank.status).toBe(400);
      expect(blank.body.errors[0].field).toBe('independent.reason');
      const badStory = await record(evidence(prediction.id, 'x', { likelihoodRatio: 2 }, { storyId: 'not-a-uuid' }));
      expect(badStory.status).toBe(400);
      expect(badStory.body.errors[0].field).toBe('storyId');
    });
  });

  describe('retraction', () => {
    it('retracting a repeat moves nothing; the strongest falls back to the next; all of them return exactly to the prior', async () => {
      const prediction = await createPrediction(0.35);
      const start = await stored(prediction.id);
      const strong = await record(evidence(prediction.id, 'Strong report', { likelihoodRatio: 10 }));
      const story = { storyId: strong.body.storyId };
      const moderate = await record(evidence(prediction.id, 'Moderate report', { likelihoodRatio: 3 }, story));
      const weak = await record(evidence(prediction.id, 'Weak report', { likelihoodRatio: 1.5 }, story));
      expect([moderate, weak].map((response) => response.body.impacts[0].deltaLogOdds as number)).toEqual([0, 0]);
      const eventsBefore = (await confidenceEvents(prediction.id)).length;

      const repeat = await retract(moderate.body.id);
      expect(repeat.body.impacts[0]).toMatchObject({ deltaLogOdds: 0, story: { counted: strong.body.id } });
      expect((await confidenceEvents(prediction.id)).length).toBe(eventsBefore);

      const strongest = await retract(strong.body.id);
      expect(strongest.body.impacts[0]).toMatchObject({ story: { counted: weak.body.id, deltaLogOddsAfter: onLogOddsGrid(Math.log(1.5)) } });
      expect((await stored(prediction.id)).logOdds).toBe(start.logOdds + onLogOddsGrid(Math.log(1.5)));
      const explained = await t.http.get(`/v1/predictions/${prediction.slug}/explain`).set(auth(viewer));
      expect(explained.body.moves.at(-1).cause).toContain('its story counts "Weak report"');

      await retract(weak.body.id);
      const end = await stored(prediction.id);
      expect(end.logOdds).toBe(start.logOdds);
      expect(end.probability).toBe(start.probability);
      expect((await confidenceEvents(prediction.id)).length).toBe(eventsBefore + 2);

      const verify = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
      expect(verify.body).toMatchObject({ ok: true });
      const entries = await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id }, orderBy: { sequence: 'asc' } });
      expect(replayLogOdds(start.priorLogOdds, entries.map((entry) => entry.deltaLogOdds))).toBe(end.logOdds);
    });

    it('the order a story arrives in does not change where it ends, bit for bit', async () => {
      const ratios = [3, 10, 0.5, 1.5, 7];
      const ends: number[] = [];
      for (const order of [ratios, [...ratios].reverse(), [1.5, 0.5, 10, 7, 3]]) {
        const prediction = await createPrediction(0.35);
        let storyId: string | undefined;
        for (const likelihoodRatio of order) {
          const response = await record(evidence(prediction.id, `Item at LR ${likelihoodRatio}`, { likelihoodRatio }, storyId ? { storyId } : {}));
          storyId = response.body.storyId;
        }
        ends.push((await stored(prediction.id)).logOdds);
      }
      expect(new Set(ends).size).toBe(1);
      expect(probabilityFromLogOdds(ends[0]!)).toBeCloseTo(probabilityFromLogOdds(Math.log(0.35 / 0.65) + deltaLogOdds(10, 1)), 12);
    });
  });

  describe('what-if, history and the scorecard', () => {
    it('recomputes stories: excluding the counted item falls back to the next strongest, a repeat changes nothing', async () => {
      const prediction = await createPrediction(0.5);
      const strong = await record(evidence(prediction.id, 'Strong', { likelihoodRatio: 8 }));
      const moderate = await record(evidence(prediction.id, 'Moderate', { likelihoodRatio: 3 }, { storyId: strong.body.storyId }));
      const own = await record(evidence(prediction.id, 'Separate story', { likelihoodRatio: 0.5 }));
      const L0 = (await stored(prediction.id)).priorLogOdds;

      const withoutStrong = await t.http.get(`/v1/predictions/${prediction.slug}/what-if?exclude=${strong.body.id}`).set(auth(viewer));
      expect(withoutStrong.body.whatIfLogOdds).toBe(L0 + onLogOddsGrid(Math.log(3)) + onLogOddsGrid(Math.log(0.5)));
      expect(withoutStrong.body.excluded).toEqual([{ evidenceId: strong.body.id, storyId: strong.body.storyId, deltaLogOdds: onLogOddsGrid(Math.log(8)) - onLogOddsGrid(Math.log(3)) }]);
      const withoutRepeat = await t.http.get(`/v1/predictions/${prediction.slug}/what-if?exclude=${moderate.body.id}`).set(auth(viewer));
      expect(withoutRepeat.body.whatIfLogOdds).toBe(withoutRepeat.body.logOdds);
      const withoutAll = await t.http.get(`/v1/predictions/${prediction.slug}/what-if?exclude=${strong.body.id},${moderate.body.id},${own.body.id}`).set(auth(viewer));
      expect(withoutAll.body.whatIfLogOdds).toBe(L0);

      const history = await t.http.get(`/v1/predictions/${prediction.slug}/history`).set(auth(viewer));
      expect(history.body.items.map((point: { evidenceId: string | null; countedOnceWith: string | null }) => point.countedOnceWith)).toEqual([null, null, strong.body.id, null]);

      // The story is one mover on the scorecard, by the item it counts.
      const scorecard = await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer));
      expect(scorecard.body.topEvidence.map((item: { evidenceId: string }) => item.evidenceId).sort()).toEqual([strong.body.id, own.body.id].sort());
    });

    it('scores follow the trail: a resolved prediction is scored at the strongest item of its story', async () => {
      const prediction = await createPrediction(0.35);
      const strong = await record(evidence(prediction.id, 'Strong for scoring', { likelihoodRatio: 10 }));
      await record(evidence(prediction.id, 'Repeat for scoring', { likelihoodRatio: 3 }, { storyId: strong.body.storyId }));
      const resolved = await t.http.post(`/v1/predictions/${prediction.slug}/resolve`).set(auth(analyst)).send({ outcome: 'true', note: 'It happened' });
      expect(resolved.status).toBe(200);
      const p = (await stored(prediction.id)).probability;
      expect(p).toBeCloseTo(0.8434, 4);
      expect(resolved.body.scores?.brier ?? (await t.http.get(`/v1/predictions/${prediction.slug}/scorecard`).set(auth(viewer))).body.scores.brier).toBeCloseTo((1 - p) ** 2, 12);
    });
  });

  describe('concurrency', () => {
    it('serialises concurrent items of one story under the prediction lock: the story counts its strongest once', async () => {
      const prediction = await createPrediction(0.3);
      const seed = await record(evidence(prediction.id, 'The first of a story', { likelihoodRatio: 1.2 }));
      const ratios = [2, 9, 0.2, 4, 1.5, 7, 3, 0.4, 6, 5];
      const responses = await Promise.all(
        ratios.map((likelihoodRatio, index) => record(evidence(prediction.id, `Outlet ${index} on it`, { likelihoodRatio }, { storyId: seed.body.storyId }))),
      );
      expect(responses.map((response) => response.status)).toEqual(ratios.map(() => 201));
      const end = await stored(prediction.id);
      // 0.2 is as strong as 5 (|ln 0.2| = ln 5) and against the prediction, but 9 is stronger than both.
      expect(end.logOdds).toBe(end.priorLogOdds + onLogOddsGrid(Math.log(9)));
      const moved = responses.reduce((sum, response) => sum + (response.body.impacts[0].deltaLogOdds as number), seed.body.impacts[0].deltaLogOdds as number);
      expect(moved).toBeCloseTo(onLogOddsGrid(Math.log(9)), 14);
      const standing = await t.prisma.evidenceStoryImpact.findUniqueOrThrow({ where: { storyId_predictionId: { storyId: seed.body.storyId, predictionId: prediction.id } } });
      expect(standing).toMatchObject({ liveItems: 11, strongestEvidenceId: responses[1]!.body.id, appliedDeltaLogOdds: onLogOddsGrid(Math.log(9)) });
      const verify = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
      expect(verify.body.ok).toBe(true);
    });

    it('retracts every item of a story at once without deadlock, back exactly to the prior', async () => {
      const prediction = await createPrediction(0.62);
      const first = await record(evidence(prediction.id, 'Story to withdraw', { likelihoodRatio: 4 }));
      const rest = [];
      for (const likelihoodRatio of [6, 0.3, 2, 5]) rest.push(await record(evidence(prediction.id, `Withdrawn too, LR ${likelihoodRatio}`, { likelihoodRatio }, { storyId: first.body.storyId })));
      const retractions = await Promise.all([first, ...rest].map((response) => retract(response.body.id as string)));
      expect(retractions.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      const end = await stored(prediction.id);
      expect(end.logOdds).toBe(end.priorLogOdds);
      const standing = await t.prisma.evidenceStoryImpact.findUniqueOrThrow({ where: { storyId_predictionId: { storyId: first.body.storyId, predictionId: prediction.id } } });
      expect(standing).toMatchObject({ liveItems: 0, strongestEvidenceId: null, appliedDeltaLogOdds: 0 });
    });
  });
});
