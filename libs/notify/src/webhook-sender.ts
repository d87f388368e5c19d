import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

import { Injectable, type OnModuleDestroy } from '@nestjs/common';

import { AppConfig } from '#config';
import { OutboundGuard, OutboundRequestRefusedError, type ResolvedAddress } from '#signals';

export const WEBHOOK_POLICY = {
  timeoutMs: 15_000,
  /** How much of a response the delivery log keeps. */
  responseExcerptBytes: 1024,
  userAgent: 'Bellwether-Webhooks/0.1 (+https://bellwether.dev/webhooks)',
  /** Connections kept open per endpoint host and address, and how long an idle one is kept. */
  socketsPerHost: 64,
  idleSocketMs: 30_000,
  /** Hosts with a pool of their own; the least recently used pool beyond this is let go. */
  pooledHosts: 256,
} as const;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one attempt got: a status (any, redirects included) or an error before one. */
export interface WebhookResponse {
  succeeded: boolean;
  status: number | null;
  latencyMs: number;
  bodyExcerpt: string | null;
  error: string | null;
}

function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
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
 */
@Injectable()
export class WebhookSender implements OnModuleDestroy {
  private readonly guard: OutboundGuard;
  /** Keep-alive pools by origin and address, least recently used first. */
  private readonly agents = new Map<string, http.Agent>();

  constructor(config: AppConfig) {
    this.guard = new OutboundGuard(config.OUTBOUND_ALLOWLIST);
  }

  onModuleDestroy(): void {
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
    const options = { keepAlive: true, maxSockets: WEBHOOK_POLICY.socketsPerHost, timeout: WEBHOOK_POLICY.idleSocketMs, lookup: pinnedLookup(target) };
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

  /** Checks an endpoint URL being saved: http(s), no credentials, and a literal IP must be allowed. */
  checkUrl(url: string, field = 'url'): void {
    this.guard.checkSavedUrl(url, field);
  }

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const url = new URL(request.url);
    let target: ResolvedAddress;
    try {
      target = await this.guard.resolve(url);
    } catch (error) {
      if (!(error instanceof OutboundRequestRefusedError)) throw error;
      return { succeeded: false, status: null, latencyMs: elapsed(), bodyExcerpt: null, error: error.message };
    }
    const transport = url.protocol === 'https:' ? https : http;
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
          ...request.headers,
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
