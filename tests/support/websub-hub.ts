import { createHmac, randomBytes } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One item of the hub's feed. */
export interface HubFeedItem {
  guid: string;
  title: string;
  link: string;
}

export interface HubSubscription {
  callback: string;
  topic: string;
  secret: string;
  leaseSeconds: number;
  verified: boolean;
}

export interface WebSubHub {
  origin: string;
  /** The feed this publisher serves, naming the hub and itself (`<atom:link rel="hub">`, `rel="self"`). */
  feedUrl: string;
  hubUrl: string;
  /** Every subscription request, in order: mode, fields, and what the subscriber answered to the verification. */
  requests: { mode: string; fields: Record<string, string>; verification: { status: number; echoed: boolean } | null }[];
  subscriptions: Map<string, HubSubscription>;
  /** Adds an item to the feed and pushes the feed to every verified subscriber, signed (X-Hub-Signature: sha256=...). Resolves with the callbacks' statuses. */
  publish(item: HubFeedItem): Promise<number[]>;
  /** Posts a body to a callback as the hub would, with the signature given (a forgery, in tests). */
  push(callback: string, body: string, signature: string): Promise<number>;
  feed(): string;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/**
 * A publisher and its WebSub hub on 127.0.0.1, as the W3C recommendation describes them: the feed
 * names the hub; a subscription request (form POST) is answered 202, then its intent is verified with
 * a GET to the callback carrying a random challenge, which the subscriber must echo; a publish pushes
 * the feed to every verified callback, signed with the subscriber's secret.
 */
export async function startWebSubHub(options: { leaseSeconds?: number } = {}): Promise<WebSubHub> {
  const items: HubFeedItem[] = [];
  const requests: WebSubHub['requests'] = [];
  const subscriptions = new Map<string, HubSubscription>();
  let origin = '';
  const feed = (): string =>
    `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Hub test feed</title><link>${origin}/</link>` +
    `<atom:link rel="hub" href="${origin}/hub"/><atom:link rel="self" type="application/rss+xml" href="${origin}/feed.xml"/>` +
    items.map((item) => `<item><guid>${escapeXml(item.guid)}</guid><title>${escapeXml(item.title)}</title><link>${escapeXml(item.link)}</link><pubDate>${new Date().toUTCString()}</pubDate></item>`).join('') +
    '</channel></rss>';

  const verify = async (entry: WebSubHub['requests'][number], mode: string, callback: string, topic: string, leaseSeconds: number): Promise<boolean> => {
    const challenge = randomBytes(12).toString('hex');
    const url = new URL(callback);
    url.searchParams.set('hub.mode', mode);
    url.searchParams.set('hub.topic', topic);
    url.searchParams.set('hub.challenge', challenge);
    if (mode === 'subscribe') url.searchParams.set('hub.lease_seconds', String(leaseSeconds));
    try {
      const response = await fetch(url);
      const echoed = response.status >= 200 && response.status < 300 && (await response.text()) === challenge;
      entry.verification = { status: response.status, echoed };
      return echoed;
    } catch {
      entry.verification = { status: 0, echoed: false };
      return false;
    }
  };

  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/feed.xml') {
      response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(feed());
      return;
    }
    if (path === '/hub' && request.method === 'POST') {
      void readBody(request).then((text) => {
        const fields = Object.fromEntries(new URLSearchParams(text));
        const mode = fields['hub.mode'] ?? '';
        const callback = fields['hub.callback'] ?? '';
        const topic = fields['hub.topic'] ?? '';
        if (!['subscribe', 'unsubscribe'].includes(mode) || !callback || !topic) {
          response.writeHead(400).end('hub.mode, hub.callback and hub.topic are required');
          return;
        }
        const entry = { mode, fields, verification: null as { status: number; echoed: boolean } | null };
        requests.push(entry);
        response.writeHead(202).end();
        const leaseSeconds = Math.min(Number(fields['hub.lease_seconds'] ?? 86_400) || 86_400, options.leaseSeconds ?? Number.MAX_SAFE_INTEGER);
        // Verified after the answer, as a hub does it (asynchronously).
        setTimeout(() => {
          void verify(entry, mode, callback, topic, leaseSeconds).then((confirmed) => {
            if (!confirmed) return;
            if (mode === 'subscribe') subscriptions.set(callback, { callback, topic, secret: fields['hub.secret'] ?? '', leaseSeconds, verified: true });
            else subscriptions.delete(callback);
          });
        }, 20);
      });
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const push = async (callback: string, body: string, signature: string): Promise<number> => {
    const response = await fetch(callback, { method: 'POST', headers: { 'content-type': 'application/rss+xml', 'x-hub-signature': signature }, body });
    await response.arrayBuffer();
    return response.status;
  };

  return {
    origin,
    feedUrl: `${origin}/feed.xml`,
    hubUrl: `${origin}/hub`,
    requests,
    subscriptions,
    feed,
    push,
    async publish(item) {
      items.unshift(item);
      const body = feed();
      return Promise.all(
        [...subscriptions.values()]
          .filter((subscription) => subscription.verified && subscription.topic === `${origin}/feed.xml`)
          .map((subscription) => push(subscription.callback, body, `sha256=${createHmac('sha256', subscription.secret).update(body).digest('hex')}`)),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
