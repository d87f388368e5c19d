import pg from 'pg';

import { createTestDatabase, type TestDatabase } from '#test/test-database.js';

import { evaluateRouting, formatEvaluation, type RoutingEvaluation } from '../bench/routing-evaluation.js';
import { ROUTING_EVALUATION_SET } from './fixtures/routing-evaluation.js';

/** The seed rules against the labelled evaluation set: precision and recall stay at the aim. */
describe('routing quality', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let evaluation: RoutingEvaluation;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    evaluation = await evaluateRouting((text, parameters) => client.query(text, parameters) as never);
    process.stdout.write(`${formatEvaluation(evaluation, ROUTING_EVALUATION_SET.length)}\n`);
  }, 60_000);
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('has at least 200 labelled items, with positives and near misses for every target', () => {
    expect(ROUTING_EVALUATION_SET.length).toBeGreaterThanOrEqual(200);
    for (const target of evaluation.targets) expect(target.truePositives + target.falseNegatives).toBeGreaterThanOrEqual(12);
  });

  it('keeps overall precision and recall at 0.9 or more, and no target below 0.8', () => {
    expect(evaluation.overall.precision).toBeGreaterThanOrEqual(0.9);
    expect(evaluation.overall.recall).toBeGreaterThanOrEqual(0.9);
    for (const target of evaluation.targets) {
      expect({ target: target.target, precisionAtLeast08: target.precision >= 0.8, recallAtLeast08: target.recall >= 0.8 }).toEqual({
        target: target.target,
        precisionAtLeast08: true,
        recallAtLeast08: true,
      });
    }
  });
});
