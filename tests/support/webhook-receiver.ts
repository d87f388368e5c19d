import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered. */
  status: number;
  /** When the request had arrived whole (ms since the epoch): what latency measurements read, not when a test looked. */
  receivedAt: number;
}

/** What a path answers: a fixed status, or one per request in turn (the last repeats); `hold` answers nothing until released. */
export type Answer = number | 'hold' | (number | 'hold')[];

export interface WebhookReceiver {
  origin: string;
  port: number;
  received: ReceivedWebhook[];
  /** Set what a path answers (default 200). */
  answer(path: string, answer: Answer): void;
  /** Every delivery to a path, in order. */
  at(path: string): ReceivedWebhook[];
  /** How many requests to a path are held unanswered now. */
  holding(path: string): number;
  /** Answers every request held at a path with `status`, and answers later ones with it too. */
  release(path: string, status?: number): void;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 that records every webhook and answers as told. `port` reuses a port (a receiver coming back). */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const answers = new Map<string, Answer>();
  const counts = new Map<string, number>();
  /** Requests held unanswered, by path; each is recorded in `received` when answered. */
  const held = new Map<string, { delivery: Omit<ReceivedWebhook, 'status'>; response: http.ServerResponse }[]>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const seen = counts.get(path) ?? 0;
      counts.set(path, seen + 1);
      const answer = answers.get(path) ?? 200;
      const status = Array.isArray(answer) ? (answer[Math.min(seen, answer.length - 1)] ?? 200) : answer;
      const delivery = { path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      if (status === 'hold') {
        held.set(path, [...(held.get(path) ?? []), { delivery, response }]);
        return;
      }
      received.push({ ...delivery, status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(`answered ${status} to request ${seen + 1}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${actual}`,
    port: actual,
    received,
    answer: (path, answer) => void answers.set(path, answer),
    at: (path) => received.filter((delivery) => delivery.path === path),
    holding: (path) => held.get(path)?.length ?? 0,
    release: (path, status = 200) => {
      answers.set(path, status);
      for (const { delivery, response } of held.get(path)?.splice(0) ?? []) {
        received.push({ ...delivery, status });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(`answered ${status} after holding`);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Verifies a delivery as a receiver would, with the standardwebhooks library; throws when it does not verify. */
export function verifyWebhook(secret: string, delivery: ReceivedWebhook): unknown {
  return new Webhook(secret).verify(delivery.body, {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  });
}
