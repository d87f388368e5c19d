import { GENESIS_HASH, logit, onLogOddsGrid } from '#core';
import { SqlPool } from '#db';
import { AuditVerificationService, PredictionChainRepository, PredictionsService } from '#predictions';
import { createPredictionsContext, type ServiceContext } from '#test/service-context.js';

const DAY_MS = 86_400_000;

/** The one way into a prediction's chain, against the real database: lock order, appends, heads. */
describe('PredictionChainRepository (service tier)', () => {
  let s: ServiceContext;
  let chain: PredictionChainRepository;
  let pool: SqlPool;
  let counter = 0;

  beforeAll(async () => {
    s = await createPredictionsContext();
    chain = s.get(PredictionChainRepository);
    pool = s.get(SqlPool);
  });
  afterAll(() => s.close());

  const create = async (prior = 0.5) => {
    counter += 1;
    return s.get(PredictionsService).create(
      { slug: `chain-${counter}`, title: `Chain ${counter}`, statement: 's', resolutionCriteria: 'r', prior, deadline: new Date(Date.now() + 100 * DAY_MS) },
      'system:test',
    );
  };

  it('creates a prediction at its prior on the log-odds grid, as entry 1', async () => {
    const prediction = await create(0.35);
    expect(prediction.priorLogOdds).toBe(onLogOddsGrid(logit(0.35)));
    expect(prediction.logOdds).toBe(prediction.priorLogOdds);
    const [prior] = await s.prisma.auditEntry.findMany({ where: { predictionId: prediction.id } });
    expect(prior).toMatchObject({ sequence: 1, kind: 'prior', deltaLogOdds: 0, prevHash: GENESIS_HASH });
  });

  it('locks in ascending id order whatever order it is asked in, by id or slug, and lockEach answers in the order asked', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    await pool.transaction(async (sql) => {
      const locked = await chain.lock(sql, [c.slug, a.id, b.slug]);
      expect(locked.map((row) => row.id)).toEqual([a.id, b.id, c.id].sort());
      const each = await chain.lockEach(sql, [c.slug, a.id], (index) => `p[${index}]`);
      expect(each.map((row) => row.id)).toEqual([c.id, a.id]);
      await expect(chain.lockEach(sql, ['no-such-prediction'], () => 'p[0]')).rejects.toMatchObject({ kind: 'not_found', field: 'p[0]' });
    });
  });

  it('holds the rows: transactions that lock the same predictions in opposite orders serialise and never deadlock', async () => {
    const [a, b] = [await create(), await create()];
    const order: string[] = [];
    const run = (name: string, references: string[]) =>
      pool.transaction(async (sql) => {
        const heads = await chain.lockEach(sql, references, (index) => `p[${index}]`);
        order.push(`${name}:start`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        await chain.append(sql, heads.map((head) => ({ head, move: { kind: 'evidence' as const, deltaLogOdds: 0.25, actor: `system:${name}` } })));
        order.push(`${name}:end`);
      });
    await Promise.all(Array.from({ length: 8 }, (_, index) => run(`t${index}`, index % 2 === 0 ? [a.id, b.id] : [b.id, a.id])));
    // Each transaction ran alone between its lock and its commit.
    for (let index = 0; index < order.length; index += 2) expect(order[index]!.replace(':start', '')).toBe(order[index + 1]!.replace(':end', ''));
    for (const prediction of [a, b]) {
      const stored = await s.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } });
      expect(stored.auditSequence).toBe(9);
      expect(stored.logOdds).toBe(prediction.logOdds + 8 * 0.25);
    }
  });

  it('appends several moves to one prediction in one call: each chains onto the last, and the head moves to the last', async () => {
    const [a, b] = [await create(0.4), await create(0.6)];
    const entries = await pool.transaction(async (sql) => {
      const [headA, headB] = await chain.lockEach(sql, [a.id, b.id], (index) => `p[${index}]`);
      return chain.append(sql, [
        { head: headA!, move: { kind: 'evidence', deltaLogOdds: Math.log(2), actor: 'system:test' } },
        { head: headB!, move: { kind: 'evidence', deltaLogOdds: Math.log(0.5), actor: 'system:test' } },
        { head: headA!, move: { kind: 'retraction', deltaLogOdds: -onLogOddsGrid(Math.log(2)), actor: 'system:test', reason: 'undo' } },
        { head: headA!, move: { kind: 'override', deltaLogOdds: 0.5, actor: 'system:test', reason: 'by hand' } },
      ]);
    });
    const ofA = entries.filter((entry) => entry.predictionId === a.id);
    expect(ofA.map((entry) => entry.sequence)).toEqual([2, 3, 4]);
    expect(ofA[1]!.prevHash).toBe(ofA[0]!.hash);
    expect(ofA[2]!.prevHash).toBe(ofA[1]!.hash);
    // The retraction returned exactly to the prior: both moves are on the log-odds grid.
    expect(ofA[1]!.logOddsAfter).toBe(a.logOdds);
    const storedA = await s.prisma.prediction.findUniqueOrThrow({ where: { id: a.id } });
    expect(storedA).toMatchObject({ auditSequence: 4, auditHash: ofA[2]!.hash, logOdds: ofA[2]!.logOddsAfter, probability: ofA[2]!.probabilityAfter });
    const storedB = await s.prisma.prediction.findUniqueOrThrow({ where: { id: b.id } });
    expect(storedB).toMatchObject({ auditSequence: 2, logOdds: b.logOdds + onLogOddsGrid(Math.log(0.5)) });
    const written = await s.prisma.auditEntry.findMany({ where: { predictionId: a.id }, orderBy: { sequence: 'asc' } });
    expect(written.slice(1).map((entry) => entry.hash)).toEqual(ofA.map((entry) => entry.hash));
    for (const prediction of [a, b]) expect((await s.get(AuditVerificationService).verifyPrediction(prediction.id)).ok).toBe(true);
  });

  it('writes nothing when the transaction rolls back', async () => {
    const prediction = await create();
    await expect(
      pool.transaction(async (sql) => {
        const head = await chain.lockOne(sql, prediction.id);
        await chain.append(sql, [{ head, move: { kind: 'evidence', deltaLogOdds: 1, actor: 'system:test' } }]);
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    const stored = await s.prisma.prediction.findUniqueOrThrow({ where: { id: prediction.id } });
    expect(stored.auditSequence).toBe(1);
    expect(await s.prisma.auditEntry.count({ where: { predictionId: prediction.id } })).toBe(1);
  });
});
