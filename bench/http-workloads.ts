import type autocannon from 'autocannon';

/** JSON calls to one server, failing loudly on anything but success. */
export const caller =
  (origin: string) =>
  async (method: string, path: string, key: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };

/** What the HTTP workloads need on one Bellwether: an analyst's and a viewer's key, and `spread` predictions. */
export interface Fixture {
  analyst: string;
  viewer: string;
  predictions: string[];
}

export async function prepare(origin: string, adminKey: string, spread: number): Promise<Fixture> {
  const call = caller(origin);
  const analyst = (await call('POST', '/v1/api-keys', adminKey, { name: 'bench analyst', role: 'analyst' })).key as string;
  const viewer = (await call('POST', '/v1/api-keys', adminKey, { name: 'bench viewer', role: 'viewer' })).key as string;
  const predictions: string[] = [];
  for (let index = 0; index < spread; index++) {
    const created = await call('POST', '/v1/predictions', adminKey, {
      slug: `bench-http-${index}`,
      title: `Bench ${index}`,
      statement: 'Benchmark prediction.',
      resolutionCriteria: 'None; a benchmark.',
      prior: 0.5,
      deadline: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    });
    predictions.push(created.id as string);
  }
  return { analyst, viewer, predictions };
}

let sent = 0;

/**
 * POST /v1/evidence by the fixture's analyst, round-robin over `targets`, each a
 * report of its own (its own link and numbered summary: one link for all would
 * make them one story), moving up and down in turn.
 */
export function evidenceRequest(analyst: string, targets: readonly string[]): autocannon.Request {
  return {
    method: 'POST',
    path: '/v1/evidence',
    headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
    setupRequest: (request) => {
      const index = sent++;
      return {
        ...request,
        body: JSON.stringify({
          summary: `bench ${index}`,
          sourceUrl: `https://example.com/bench/${index}`,
          observedAt: new Date().toISOString(),
          reliability: 0.9,
          impacts: [{ prediction: targets[index % targets.length]!, likelihoodRatio: index % 2 === 0 ? 1.1 : 1 / 1.1 }],
        }),
      };
    },
  };
}

/** A GET by the fixture's viewer. */
export function readRequest(viewer: string, path: string): autocannon.Request {
  return { method: 'GET', path, headers: { authorization: `Bearer ${viewer}` } };
}
