import { loadConfig } from '#config';
import { startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';

import { WEBHOOK_POLICY, WebhookSender } from './webhook-sender.js';

const HOLD_MS = 150;

describe('WebhookSender against a real local server', () => {
  let server: LocalHttpServer;
  let sender: WebhookSender;
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
    sender = new WebhookSender(loadConfig({ OUTBOUND_ALLOWLIST: '127.0.0.1' }));
  });
  afterAll(async () => {
    sender.onModuleDestroy();
    await server.close();
  });

  it('sends at most requestsPerHost at once to a host, and times each request from when it leaves, not from its wait', async () => {
    const requests = WEBHOOK_POLICY.requestsPerHost * 2 + 8;
    const started = Math.floor(Date.now() / 1000);
    const responses = await Promise.all(
      Array.from({ length: requests }, (_, index) => sender.send({ url: `${server.origin}/hold`, webhookId: `msg_${index}`, body: '{}', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] })),
    );

    expect(responses.every((response) => response.succeeded && response.status === 204)).toBe(true);
    expect(mostInFlight).toBe(WEBHOOK_POLICY.requestsPerHost);
    // Three rounds of HOLD_MS went by, yet no request waited on the wire for more than about one.
    expect(Math.max(...responses.map((response) => response.latencyMs))).toBeLessThan(HOLD_MS * 2);
    expect(new Set(received.map((request) => request.id)).size).toBe(requests);
    expect(received.every((request) => request.timestamp >= started && request.signature?.startsWith('v1,'))).toBe(true);
  });
});
