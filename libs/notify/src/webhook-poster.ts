import http from 'node:http';
import https from 'node:https';

import pLimit, { type LimitFunction } from 'p-limit';

import { OutboundGuard, OutboundRequestRefusedError, pinnedLookup, type ResolvedAddress } from '#core';

import { signWebhook } from './webhook-signature.js';

export const WEBHOOK_POLICY = {
  timeoutMs: 15_000,
  /** How much of a response the delivery log keeps. */
  responseExcerptBytes: 1024,
  userAgent: 'Bellwether-Webhooks/0.1 (+https://bellwether.dev/webhooks)',
  /**
   * Requests at once to one host (its endpoints together) from this process,
   * and so the most connections kept open to it; the rest wait their turn, in
   * order, before their request is built and signed.
   */
  requestsPerHost: 32,
  /**
   * Requests at once to one endpoint URL, a quarter of its host's: an endpoint
   * that hangs (each request held until the timeout) fills no more than that of
   * its host's turns, and the other endpoints there (a shared host such as
   * hooks.slack.com) keep theirs.
   */
  requestsPerEndpoint: 8,
  /** How long an idle kept connection stays open. */
  idleSocketMs: 30_000,
  /** Hosts with a pool of their own; the least recently used pool beyond this is let go. */
  pooledHosts: 256,
} as const;

/** One Standard Webhooks delivery, signed with a fresh timestamp when its turn comes. */
export interface WebhookRequest {
  url: string;
  /** The `webhook-id`: the event's id, the same on every attempt. */
  webhookId: string;
  body: string;
  /** Every secret that signs it (the current one, and the previous one during a rotation). */
  secrets: readonly string[];
}

/** What one attempt got: a status (any, redirects included) or an error before one. */
export interface WebhookResponse {
  succeeded: boolean;
  status: number | null;
  latencyMs: number;
  bodyExcerpt: string | null;
  error: string | null;
}

/** A failed attempt with no answer from the receiver: refused before, or cut short without a status. */
export function unanswered(error: string, latencyMs = 0): WebhookResponse {
  return { succeeded: false, status: null, latencyMs, bodyExcerpt: null, error };
}

/**
 * POSTs webhook deliveries behind the same outbound guard as feed fetching
 * (every resolved address checked, the connection pinned to the checked one).
 * Only a 2xx succeeds: a redirect is not followed and counts as a failure.
 *
 * Connections are kept alive in one pool per endpoint origin and checked
 * address, so a kept socket only ever carries requests to the address it was
 * checked and opened for: when the host's name later resolves elsewhere, the
 * new address is checked and gets a pool of its own.
 *
 * A fan-out asks for many deliveries at once (every endpoint of dozens of
 * events). At most `requestsPerHost` go to one host at a time, and at most
 * `requestsPerEndpoint` to one endpoint URL; the others wait their turn here
 * rather than on the connection pool, so a request's timeout and latency count
 * only its own time on the wire, never the queue in front of it, a slow host
 * holds back only its own deliveries, and a slow endpoint only part of its
 * host's.
 */
export class WebhookPoster {
  private readonly guard: OutboundGuard;
  /** Keep-alive pools by origin and address, least recently used first. */
  private readonly agents = new Map<string, http.Agent>();
  /** Per-host and per-endpoint turns; idle ones are let go once `pooledHosts` hosts (or endpoints) have had some. */
  private readonly hostTurns = new Map<string, LimitFunction>();
  private readonly endpointTurns = new Map<string, LimitFunction>();

  /** `allowlist` is OUTBOUND_ALLOWLIST: hosts or CIDRs that may be reached although private or loopback. */
  constructor(allowlist: string) {
    this.guard = new OutboundGuard(allowlist);
  }

  /** Closes every kept connection; requests still on the wire fail. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private agentFor(url: URL, target: ResolvedAddress): http.Agent {
    const key = `${url.protocol}//${url.host} ${target.address}`;
    const kept = this.agents.get(key);
    if (kept) {
      this.agents.delete(key);
      this.agents.set(key, kept);
      return kept;
    }
    const options = { keepAlive: true, maxSockets: WEBHOOK_POLICY.requestsPerHost, timeout: WEBHOOK_POLICY.idleSocketMs, lookup: pinnedLookup(target) };
    const agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    this.agents.set(key, agent);
    if (this.agents.size > WEBHOOK_POLICY.pooledHosts) {
      const [oldestKey, oldest] = this.agents.entries().next().value as [string, http.Agent];
      this.agents.delete(oldestKey);
      // Requests still in flight finish on their sockets; idle ones close now, the rest after idleSocketMs.
      for (const sockets of Object.values(oldest.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    }
    return agent;
  }

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const url = new URL(request.url);
    // The endpoint's turn first: requests waiting for it hold none of their host's turns.
    return turnsOf(this.endpointTurns, url.href, WEBHOOK_POLICY.requestsPerEndpoint)(() => turnsOf(this.hostTurns, url.host, WEBHOOK_POLICY.requestsPerHost)(() => this.post(url, request)));
  }

  private async post(url: URL, request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let target: ResolvedAddress;
    try {
      target = await this.guard.resolve(url);
    } catch (error) {
      if (!(error instanceof OutboundRequestRefusedError)) throw error;
      return unanswered(error.message, elapsed());
    }
    const transport = url.protocol === 'https:' ? https : http;
    const timestamp = Math.floor(Date.now() / 1000);
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      const finish = (response: Omit<WebhookResponse, 'latencyMs'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...response, latencyMs: elapsed() });
      };
      const outgoing = transport.request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': WEBHOOK_POLICY.userAgent,
          'content-length': String(Buffer.byteLength(request.body)),
          'webhook-id': request.webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(request.webhookId, timestamp, request.body, request.secrets),
        },
        agent: this.agentFor(url, target),
        lookup: pinnedLookup(target),
      });
      const timer = setTimeout(() => {
        finish({ succeeded: false, status: null, bodyExcerpt: null, error: `Timed out after ${WEBHOOK_POLICY.timeoutMs / 1000} s` });
        outgoing.destroy();
      }, WEBHOOK_POLICY.timeoutMs);
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        finish({ succeeded: false, status: null, bodyExcerpt: null, error: `Request failed: ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' ').trim() });
      });
      outgoing.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept >= WEBHOOK_POLICY.responseExcerptBytes) return;
          chunks.push(chunk);
          kept += chunk.length;
        });
        const done = (): void => {
          const excerpt = Buffer.concat(chunks).subarray(0, WEBHOOK_POLICY.responseExcerptBytes).toString('utf8');
          const succeeded = status >= 200 && status <= 299;
          const redirect = status >= 300 && status <= 399 ? ` (redirects are not followed${response.headers.location ? `: ${response.headers.location}` : ''})` : '';
          finish({ succeeded, status, bodyExcerpt: excerpt, error: succeeded ? null : `HTTP ${status}${redirect}` });
        };
        response.on('end', done);
        response.on('error', done);
      });
      outgoing.end(request.body);
    });
  }
}

/** The limiter of `key` in `turns`, made on first use; idle ones are let go once `pooledHosts` keys have one. */
function turnsOf(turns: Map<string, LimitFunction>, key: string, concurrency: number): LimitFunction {
  const kept = turns.get(key);
  if (kept) return kept;
  if (turns.size >= WEBHOOK_POLICY.pooledHosts) {
    for (const [idleKey, turn] of turns) if (turn.activeCount === 0 && turn.pendingCount === 0) turns.delete(idleKey);
  }
  const turn = pLimit(concurrency);
  turns.set(key, turn);
  return turn;
}
