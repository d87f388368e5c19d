import { startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';

import { WEBHOOK_POLICY, WebhookPoster } from './webhook-poster.js';

// Long enough for every request of a round to arrive (and be counted in flight) before the first is answered, GC pauses of a large test process included.
const HOLD_MS = 1000;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('WebhookPoster against a real local server', () => {
  let server: LocalHttpServer;
  let poster: WebhookPoster;
  let inFlight = 0;
  let mostInFlight = 0;
  const received: { id: string | undefined; timestamp: number; signature: string | undefined }[] = [];

  beforeAll(async () => {
    server = await startLocalHttpServer({
      '/hold': (request, response) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        received.push({ id: request.headers['webhook-id'] as string, timestamp: Number(request.headers['webhook-timestamp']), signature: request.headers['webhook-signature'] as string });
        request.resume();
        setTimeout(() => {
          inFlight -= 1;
          response.writeHead(204).end();
        }, HOLD_MS);
      },
    });
    poster = new WebhookPoster('127.0.0.1');
  });
  afterAll(async () => {
    poster.close();
    await server.close();
  });

  beforeEach(() => {
    received.length = 0;
    mostInFlight = 0;
  });

  it('sends at most requestsPerHost at once to a host, and times each request from when it leaves, not from its wait', async () => {
    const requests = WEBHOOK_POLICY.requestsPerHost * 2 + 8;
    const started = Math.floor(Date.now() / 1000);
    const startedMs = performance.now();
    // Spread over endpoints (URLs) enough for their own turns never to be what holds a request back.
    const endpoints = Math.ceil(requests / WEBHOOK_POLICY.requestsPerEndpoint);
    const responses = await Promise.all(
      Array.from({ length: requests }, (_, index) => poster.send({ url: `${server.origin}/hold?endpoint=${index % endpoints}`, webhookId: `msg_${index}`, body: '{}', secrets: [SECRET] })),
    );

    expect(responses.every((response) => response.succeeded && response.status === 204)).toBe(true);
    expect(mostInFlight).toBe(WEBHOOK_POLICY.requestsPerHost);
    // Three rounds of HOLD_MS went by, yet no request waited on the wire for more than about one: a latency timed
    // from the wait would reach the whole run's length. Compared with the run's own length, so a loaded machine,
    // which stretches both alike, does not decide the outcome.
    const elapsedMs = performance.now() - startedMs;
    expect(elapsedMs).toBeGreaterThanOrEqual(HOLD_MS * 3);
    expect(Math.max(...responses.map((response) => response.latencyMs))).toBeLessThan(elapsedMs * 0.67);
    expect(new Set(received.map((request) => request.id)).size).toBe(requests);
    expect(received.every((request) => request.timestamp >= started && request.signature?.startsWith('v1,'))).toBe(true);
  });

  it('sends at most requestsPerEndpoint at once to one endpoint, so an endpoint that is slow leaves its host turns for the others', async () => {
    const slow = Array.from({ length: WEBHOOK_POLICY.requestsPerHost * 2 }, (_, index) =>
      poster.send({ url: `${server.origin}/hold?endpoint=slow`, webhookId: `msg_slow_${index}`, body: '{}', secrets: [SECRET] }),
    );
    const other = await poster.send({ url: `${server.origin}/hold?endpoint=other`, webhookId: 'msg_other', body: '{}', secrets: [SECRET] });

    // The other endpoint's request went out beside the slow one's first round, not after its 64 requests.
    expect(other).toMatchObject({ succeeded: true, status: 204 });
    expect(received.findIndex((request) => request.id === 'msg_other')).toBeLessThanOrEqual(WEBHOOK_POLICY.requestsPerEndpoint);
    expect(mostInFlight).toBe(WEBHOOK_POLICY.requestsPerEndpoint + 1);
    expect((await Promise.all(slow)).every((response) => response.succeeded)).toBe(true);
    expect(mostInFlight).toBe(WEBHOOK_POLICY.requestsPerEndpoint + 1);
  });
});
