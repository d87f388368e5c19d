import type { Worker } from 'node:worker_threads';

import { loadConfig } from '#config';
import { WebhookSender } from '#notify';
import { startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The sender's thread, for the one test that ends it the way a crash would. */
const threadOf = (sender: WebhookSender): Worker | null => (sender as unknown as { thread: Worker | null }).thread;

describe('WebhookSender: requests made on a thread of its own (the built one)', () => {
  let server: LocalHttpServer;
  const held: (() => void)[] = [];

  beforeAll(async () => {
    server = await startLocalHttpServer({
      // Answers each request with its own webhook-id, so every answer can be matched to its request.
      '/echo': (request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${String(request.headers['webhook-id'])}`));
      },
      '/hold': (request, response) => {
        request.resume();
        held.push(() => response.writeHead(204).end());
      },
    });
  });
  afterAll(async () => {
    for (const release of held) release();
    await server.close();
  });

  it('answers every request with its own response, also hundreds at once', async () => {
    const sender = new WebhookSender(loadConfig({ OUTBOUND_ALLOWLIST: '127.0.0.1' }));
    try {
      const ids = Array.from({ length: 300 }, (_, index) => `msg_${index}`);
      const responses = await Promise.all(ids.map((webhookId) => sender.send({ url: `${server.origin}/echo`, webhookId, body: '{"n":1}', secrets: [SECRET] })));

      expect(responses.map((response) => response.bodyExcerpt)).toEqual(ids.map((id) => `got ${id}`));
      expect(responses.every((response) => response.succeeded && response.status === 200 && response.error === null)).toBe(true);
      const signatures = server.requests.filter((request) => request.path === '/echo').map((request) => request.headers['webhook-signature']);
      expect(signatures).toHaveLength(ids.length);
      expect(signatures.every((signature) => typeof signature === 'string' && signature.startsWith('v1,'))).toBe(true);
    } finally {
      await sender.onModuleDestroy();
    }
  });

  it('answers a refused address as a failed attempt, checked on the thread as on saving', async () => {
    const sender = new WebhookSender(loadConfig({ OUTBOUND_ALLOWLIST: '' }));
    try {
      const response = await sender.send({ url: `${server.origin}/echo`, webhookId: 'msg_refused', body: '{}', secrets: [SECRET] });

      expect(response).toMatchObject({ succeeded: false, status: null });
      expect(response.error).toMatch(/Refused to connect to 127\.0\.0\.1: it is a loopback address/);
    } finally {
      await sender.onModuleDestroy();
    }
  });

  it('fails the requests a thread held when it ends, and sends the next ones on a new thread', async () => {
    const sender = new WebhookSender(loadConfig({ OUTBOUND_ALLOWLIST: '127.0.0.1' }));
    try {
      const before = held.length;
      const cutShort = sender.send({ url: `${server.origin}/hold`, webhookId: 'msg_cut', body: '{}', secrets: [SECRET] });
      while (held.length === before) await new Promise((resolve) => setTimeout(resolve, 10));
      const first = threadOf(sender);
      await first?.terminate();

      expect(await cutShort).toMatchObject({ succeeded: false, status: null, error: 'Not answered: the webhook sending thread ended (exit code 1)' });
      const next = await sender.send({ url: `${server.origin}/echo`, webhookId: 'msg_next', body: '{}', secrets: [SECRET] });
      expect(next).toMatchObject({ succeeded: true, status: 200, bodyExcerpt: 'got msg_next' });
      expect(threadOf(sender)).not.toBe(first);
    } finally {
      await sender.onModuleDestroy();
    }
  });

  it('on shutdown answers what is still in flight as not answered, and sends nothing after', async () => {
    const sender = new WebhookSender(loadConfig({ OUTBOUND_ALLOWLIST: '127.0.0.1' }));
    const before = held.length;
    const inFlight = sender.send({ url: `${server.origin}/hold`, webhookId: 'msg_in_flight', body: '{}', secrets: [SECRET] });
    while (held.length === before) await new Promise((resolve) => setTimeout(resolve, 10));
    await sender.onModuleDestroy();

    expect(await inFlight).toMatchObject({ succeeded: false, error: 'Not sent or not answered: the process is shutting down' });
    const requestsBefore = server.requests.length;
    expect(await sender.send({ url: `${server.origin}/echo`, webhookId: 'msg_late', body: '{}', secrets: [SECRET] })).toMatchObject({
      succeeded: false,
      error: 'Not sent: the process is shutting down',
    });
    expect(server.requests.length).toBe(requestsBefore);
  });
});
