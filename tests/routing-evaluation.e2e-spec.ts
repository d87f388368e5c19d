import pg from 'pg';

import { createTestDatabase, type TestDatabase } from '#test/test-database.js';

import { evaluateRoutingParts, formatPartEvaluation, type PartEvaluation, type Query } from '../bench/routing-evaluation.js';

/**
 * The seed rules and term sets against the DEVELOPMENT part of the labelled
 * routing set, on PostgreSQL's own full-text search: the figures they were
 * tuned to stay up. The test part is never scored here (bench/routing-evaluation.ts
 * scores it once, for the record).
 */
describe('routing quality of the seed rules (development part)', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let development: PartEvaluation;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const query: Query = (text, parameters) => client.query(text, parameters) as never;
    [development] = (await evaluateRoutingParts(query, undefined, { test: false })) as [PartEvaluation];
    process.stdout.write(`${formatPartEvaluation(development, { mistakes: true })}\n`);
  }, 60_000);
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  const rules = () => development.columns[0]!.figures;

  it('has the development part only, with positives for every target, in English and in Chinese', () => {
    expect(development.part).toBe('development');
    expect(development.items.length).toBeGreaterThanOrEqual(450);
    for (const target of rules().all.routing.targets) expect(target.truePositives + target.falseNegatives).toBeGreaterThanOrEqual(30);
    expect(rules().chineseOrMixed.items).toBeGreaterThanOrEqual(60);
  });

  it('keeps overall precision and recall at 0.95 or more, and no target below 0.9', () => {
    const { micro, targets } = rules().all.routing;
    expect({ precision: micro.precision >= 0.95, recall: micro.recall >= 0.95 }).toEqual({ precision: true, recall: true });
    for (const target of targets) {
      expect({ target: target.target, precisionAtLeast09: target.precision >= 0.9, recallAtLeast09: target.recall >= 0.9 }).toEqual({
        target: target.target,
        precisionAtLeast09: true,
        recallAtLeast09: true,
      });
    }
  });

  it('routes Chinese and mixed items through the term sets as well as English ones', () => {
    const { chineseOrMixed, english } = rules();
    expect(chineseOrMixed.routing.micro.recall).toBeGreaterThanOrEqual(0.9);
    expect(chineseOrMixed.routing.micro.precision).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(chineseOrMixed.routing.micro.recall - english.routing.micro.recall)).toBeLessThanOrEqual(0.1);
  });

  it('gives routed items the direction of their label, contradicting ones included', () => {
    const { direction } = rules().all;
    expect(direction.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(direction.contradictingFound / direction.contradictingLabelled).toBeGreaterThanOrEqual(0.75);
  });
});
