import { randomUUID } from 'node:crypto';

import { auth, type TestApp } from './test-app.js';

const DAY_MS = 86_400_000;

/** A prediction as the API answers its creation, with the fields suites read. */
export interface CreatedPrediction {
  id: string;
  slug: string;
  prior: number;
  probability: number;
  createdAt: string;
}

/**
 * Creates a prediction through the API with a unique slug and plain defaults
 * (prior 0.5, deadline 100 days ahead), any of them overridden; fails the test
 * unless it is created.
 */
export async function createPrediction(t: TestApp, key: string, overrides: Record<string, unknown> = {}): Promise<CreatedPrediction> {
  const slug = `prediction-${randomUUID().slice(0, 8)}`;
  const response = await t.http
    .post('/v1/predictions')
    .set(auth(key))
    .send({
      slug,
      title: `Prediction ${slug}`,
      statement: 'Something happens.',
      resolutionCriteria: 'True if it happens.',
      prior: 0.5,
      deadline: new Date(Date.now() + 100 * DAY_MS).toISOString(),
      ...overrides,
    });
  if (response.status !== 201) throw new Error(`creating a prediction answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as CreatedPrediction;
}
