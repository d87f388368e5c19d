import { onLogOddsGrid } from '#core';
import { SqlPool } from '#db';
import { EvidenceService, EvidenceStoriesRepository, PredictionsService, type RecordEvidenceInput } from '#predictions';
import { createPredictionsContext, type ServiceContext } from '#test/service-context.js';

const DAY_MS = 86_400_000;

/** The story ledger (EvidenceStoryImpact) as EvidenceService keeps it, against the real database. */
describe('evidence stories (service tier)', () => {
  let s: ServiceContext;
  let evidence: EvidenceService;
  let stories: EvidenceStoriesRepository;
  let counter = 0;

  beforeAll(async () => {
    s = await createPredictionsContext();
    evidence = s.get(EvidenceService);
    stories = s.get(EvidenceStoriesRepository);
  });
  afterAll(() => s.close());

  const create = async (prior = 0.5) => {
    counter += 1;
    return s.get(PredictionsService).create(
      { slug: `stories-${counter}`, title: `Stories ${counter}`, statement: 's', resolutionCriteria: 'r', prior, deadline: new Date(Date.now() + 100 * DAY_MS) },
      'system:test',
    );
  };
  const input = (prediction: string, summary: string, likelihoodRatio: number, extra: Partial<RecordEvidenceInput> = {}): RecordEvidenceInput => ({
    summary,
    observedAt: new Date(),
    impacts: [{ prediction, likelihoodRatio }],
    ...extra,
  });
  const standing = (storyId: string, predictionId: string) => s.prisma.evidenceStoryImpact.findUniqueOrThrow({ where: { storyId_predictionId: { storyId, predictionId } } });

  it('keeps one row per story and prediction: the item counted, what it adds, how many items are live', async () => {
    const [a, b] = [await create(0.3), await create(0.7)];
    const first = await evidence.record(input(a.id, 'Story one, first', 2), 'system:test');
    expect(await standing(first.storyId, a.id)).toMatchObject({ strongestEvidenceId: first.id, strongestDeltaLogOdds: Math.log(2), appliedDeltaLogOdds: onLogOddsGrid(Math.log(2)), liveItems: 1 });

    // The second item bears on both predictions: on a it is a stronger repeat, on b it starts the story's standing there.
    const second = await evidence.record({ ...input(a.id, 'Story one, second', 5, { storyId: first.storyId }), impacts: [{ prediction: a.id, likelihoodRatio: 5 }, { prediction: b.id, likelihoodRatio: 0.5 }] }, 'system:test');
    expect(second.storyId).toBe(first.storyId);
    expect(second.impacts.map((move) => move.deltaLogOdds)).toEqual([onLogOddsGrid(Math.log(5)) - onLogOddsGrid(Math.log(2)), onLogOddsGrid(Math.log(0.5))]);
    expect(await standing(first.storyId, a.id)).toMatchObject({ strongestEvidenceId: second.id, appliedDeltaLogOdds: onLogOddsGrid(Math.log(5)), liveItems: 2 });
    expect(await standing(first.storyId, b.id)).toMatchObject({ strongestEvidenceId: second.id, appliedDeltaLogOdds: onLogOddsGrid(Math.log(0.5)), liveItems: 1 });

    const retracted = await evidence.retract(second.id, 'withdrawn', 'system:test');
    expect(retracted.impacts.map((move) => move.story.counted)).toEqual([first.id, null]);
    expect(await standing(first.storyId, a.id)).toMatchObject({ strongestEvidenceId: first.id, appliedDeltaLogOdds: onLogOddsGrid(Math.log(2)), liveItems: 1 });
    expect(await standing(first.storyId, b.id)).toMatchObject({ strongestEvidenceId: null, strongestDeltaLogOdds: 0, appliedDeltaLogOdds: 0, liveItems: 0 });
    expect((await s.prisma.prediction.findUniqueOrThrow({ where: { id: b.id } })).logOdds).toBe(b.logOdds);
  });

  it('finds the same story by name (any prediction), by link and by summary (same predictions), best match first', async () => {
    const [a, b] = [await create(), await create()];
    const named = await evidence.record(input(b.id, 'Elsewhere but named', 2), 'system:test');
    const linked = await evidence.record(input(a.id, 'Linked page', 2, { sourceUrl: 'https://example.net/page?utm_medium=x' }), 'system:test');
    const worded = await evidence.record(input(a.id, 'Cambricon completes DeepSeek V4 adaptation', 2), 'system:test');
    const matches = await s.get(SqlPool).transaction((sql) =>
      stories.sameStory(sql, {
        predictionIds: [a.id],
        storyId: named.storyId,
        canonicalUrl: 'https://example.net/page',
        summary: 'Cambricon completes DeepSeek V4 adaptation!',
        observedAt: new Date(),
      }),
    );
    expect(matches.map((match) => [match.evidenceId, match.matchedBy, match.sharesPrediction])).toEqual([
      [named.id, 'story', false],
      [linked.id, 'url', true],
      [worded.id, 'summary', true],
    ]);
  });

  it('writes nothing of a story when the caller rolls back', async () => {
    const prediction = await create();
    const storyId = '0193a000-0000-7000-8000-000000000001';
    await expect(
      s.get(SqlPool).transaction(async (sql) => {
        await evidence.recordWithin(sql, input(prediction.id, 'Rolled back', 3, { storyId }), 'system:test');
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await s.prisma.evidenceStoryImpact.count({ where: { storyId } })).toBe(0);
  });
});
