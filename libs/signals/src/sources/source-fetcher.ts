import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';

import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';

import { AppConfig } from '#config';
import { OutboundGuard, OutboundRequestRefusedError, pinnedLookup, type HostResolver, type ResolvedAddress } from '#core';

import { HostConcurrencyLimiter } from './host-concurrency-limiter.js';
import { HOST_LIMITS, HostFetchSlots } from './host-fetch-slots.service.js';
import { hostBackoffSeconds } from './source-schedule.js';

/** Injection token for a HostResolver to use instead of the system's DNS (tests prove the connection uses the checked address). */
export const HOST_RESOLVER = Symbol('HOST_RESOLVER');

export interface FetchLimits {
  timeoutMs: number;
  maxBodyBytes: number;
  maxRedirects: number;
}

export const FETCH_POLICY = {
  timeoutMs: 15_000,
  maxBodyBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  /** Across the cluster (HostFetchSlots), not per process. */
  requestsPerHost: HOST_LIMITS.perHost,
  userAgent: 'Bellwether/0.1 (feed fetcher; +https://bellwether.dev/bot)',
} as const;

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, application/json, text/csv, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

export interface ConditionalGet {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
}

/** A 200 with its body, or a 304 (empty body), with what the server said about caching. */
export interface FetchedResponse {
  status: 200 | 304;
  /** Where the body came from after redirects: relative links in it resolve against this. */
  finalUrl: string;
  body: Buffer;
  contentType: string | null;
  /** The Content-Location header: the body's own address, which its relative links resolve against. */
  contentLocation?: string | null;
  etag: string | null;
  lastModified: string | null;
  maxAgeSeconds: number | null;
}

/** A fetch that produced no usable answer; `retryAfterSeconds` when the server asked us to wait (429, 503). */
export class SourceFetchError extends Error {
  override name = 'SourceFetchError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** `Cache-Control: max-age=N` in seconds, or null. */
export function parseMaxAge(cacheControl: string | undefined): number | null {
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl ?? '');
  return match?.[1] ? Number(match[1]) : null;
}

/** `Retry-After` as seconds from now: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Conditional GETs for sources, with the fetch policy: SSRF guard on every hop
 * (redirects followed by hand), a timeout over the whole exchange, a body size
 * limit after decompression, and a few requests at a time per host.
 */
@Injectable()
export class SourceFetcher implements OnModuleDestroy {
  private readonly guard: OutboundGuard;
  private readonly limiter: HostConcurrencyLimiter;
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: FETCH_POLICY.requestsPerHost }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: FETCH_POLICY.requestsPerHost }),
  };

  constructor(config: AppConfig, @Optional() @Inject(HOST_RESOLVER) resolveHost?: HostResolver, @Optional() slots?: HostFetchSlots) {
    this.guard = new OutboundGuard(config.OUTBOUND_ALLOWLIST, resolveHost);
    // Without the shared slots (a fetcher built by hand), this process counts alone.
    this.limiter = slots?.limiter ?? new HostConcurrencyLimiter(HOST_LIMITS);
  }

  onModuleDestroy(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  /** Checks a URL a user is saving: shape, and a literal IP address must be allowed. */
  checkUrl(url: string, field = 'url'): void {
    this.guard.checkSavedUrl(url, field);
  }

  /** `limits` tighten the policy for one call (tests); the defaults are FETCH_POLICY. */
  async fetch(request: ConditionalGet, limits: Partial<FetchLimits> = {}): Promise<FetchedResponse> {
    const policy: FetchLimits = { ...FETCH_POLICY, ...limits };
    // The timeout runs from the first request, not while waiting for the host's slot.
    let deadline: number | null = null;
    let url = new URL(request.url);
    for (let hop = 0; hop <= policy.maxRedirects; hop += 1) {
      const target = await this.resolve(url);
      const headers: Record<string, string> = {
        'user-agent': FETCH_POLICY.userAgent,
        accept: ACCEPT,
        'accept-encoding': 'gzip, deflate, br',
      };
      if (request.etag) headers['if-none-match'] = request.etag;
      if (request.lastModified) headers['if-modified-since'] = request.lastModified;
      const current = url;
      const answer = await this.limiter.run(current.host, () => this.exchange(current, target, headers, (deadline ??= Date.now() + policy.timeoutMs), policy));
      if (answer.kind === 'redirect') {
        url = answer.location;
        continue;
      }
      return answer.response;
    }
    throw new SourceFetchError(`Too many redirects (more than ${policy.maxRedirects})`);
  }

  /**
   * A form POST (a WebSub subscription request to a hub) through the same guard: every resolved
   * address checked and pinned, no redirects followed, the timeout, and at most 64 KB of answer read.
   */
  async postForm(target: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
    const url = new URL(target);
    const address = await this.resolve(url);
    const body = new URLSearchParams(fields).toString();
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        method: 'POST',
        headers: { 'user-agent': FETCH_POLICY.userAgent, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
        agent: this.agents[url.protocol as 'http:' | 'https:'],
        lookup: pinnedLookup(address),
      });
      const timer = setTimeout(() => request.destroy(new SourceFetchError(`Timed out after ${FETCH_POLICY.timeoutMs / 1000} s`)), FETCH_POLICY.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error instanceof SourceFetchError ? error : new SourceFetchError(`Request failed: ${describeNetworkError(error)}`));
      });
      request.on('response', (response) => {
        readBody(response, 64 * 1024)
          .then((answer) => {
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, body: answer.toString('utf8') });
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            request.destroy();
            reject(error instanceof SourceFetchError ? error : new SourceFetchError(`Request failed: ${describeNetworkError(error)}`));
          });
      });
      request.end(body);
    });
  }

  private async resolve(url: URL): Promise<ResolvedAddress> {
    try {
      return await this.guard.resolve(url);
    } catch (error) {
      // Refusals become fetch failures: the source records them like any other error.
      if (error instanceof OutboundRequestRefusedError) throw new SourceFetchError(error.message);
      throw error;
    }
  }

  private exchange(
    url: URL,
    target: ResolvedAddress,
    headers: Record<string, string>,
    deadline: number,
    policy: FetchLimits,
  ): Promise<{ kind: 'redirect'; location: URL } | { kind: 'response'; response: FetchedResponse }> {
    const remaining = deadline - Date.now();
    const timedOut = (): SourceFetchError => new SourceFetchError(`Timed out after ${policy.timeoutMs / 1000} s`);
    if (remaining <= 0) return Promise.reject(timedOut());
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        method: 'GET',
        headers,
        agent: this.agents[url.protocol as 'http:' | 'https:'],
        lookup: pinnedLookup(target),
      });
      const timer = setTimeout(() => request.destroy(timedOut()), remaining);
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        reject(error instanceof SourceFetchError ? error : new SourceFetchError(`Request failed: ${describeNetworkError(error)}`));
      };
      request.on('error', fail);
      request.on('response', (response) => {
        this.handleResponse(url, response, policy.maxBodyBytes)
          .then((answer) => {
            clearTimeout(timer);
            resolve(answer);
          })
          .catch((error: unknown) => {
            request.destroy();
            fail(error);
          });
      });
      request.end();
    });
  }

  private async handleResponse(
    url: URL,
    response: IncomingMessage,
    maxBodyBytes: number,
  ): Promise<{ kind: 'redirect'; location: URL } | { kind: 'response'; response: FetchedResponse }> {
    const status = response.statusCode ?? 0;
    const validators = {
      etag: header(response.headers, 'etag') ?? null,
      lastModified: header(response.headers, 'last-modified') ?? null,
      maxAgeSeconds: parseMaxAge(header(response.headers, 'cache-control')),
    };
    if ([301, 302, 303, 307, 308].includes(status)) {
      response.resume();
      const location = header(response.headers, 'location');
      if (!location) throw new SourceFetchError(`HTTP ${status} without a Location header`);
      try {
        return { kind: 'redirect', location: new URL(location, url) };
      } catch {
        throw new SourceFetchError(`HTTP ${status} to an invalid Location: ${location.slice(0, 200)}`);
      }
    }
    if (status === 304) {
      response.resume();
      return { kind: 'response', response: { status: 304, finalUrl: url.toString(), body: Buffer.alloc(0), contentType: null, ...validators } };
    }
    if (status < 200 || status > 299) {
      response.resume();
      const retryAfter = status === 429 || status === 503 ? parseRetryAfter(header(response.headers, 'retry-after'), new Date()) : null;
      // The whole host is left alone, not only this source: the limiter defers its other sources too.
      if (status === 429 || status === 503) await this.limiter.backOff(url.host, hostBackoffSeconds(retryAfter) * 1000);
      throw new SourceFetchError(`HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''} from ${url.toString()}`, retryAfter);
    }
    const body = await readBody(response, maxBodyBytes);
    return {
      kind: 'response',
      response: {
        status: 200,
        finalUrl: url.toString(),
        body,
        contentType: header(response.headers, 'content-type') ?? null,
        contentLocation: header(response.headers, 'content-location') ?? null,
        ...validators,
      },
    };
  }
}

function decoderFor(encoding: string | undefined): Transform | null {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    case 'identity':
    case '':
      return null;
    default:
      throw new SourceFetchError(`Unsupported Content-Encoding ${encoding}`);
  }
}

/** The decompressed body, refused as soon as it passes the size limit (a small gzip can inflate enormously). */
async function readBody(response: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(header(response.headers, 'content-length') ?? NaN);
  const tooLarge = (): SourceFetchError => new SourceFetchError(`The response is larger than the limit of ${limit} bytes`);
  const encoding = header(response.headers, 'content-encoding');
  if (!encoding && declared > limit) throw tooLarge();
  const decoder = decoderFor(encoding);
  const stream = decoder ? response.pipe(decoder) : response;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    decoder?.destroy();
    if (error instanceof SourceFetchError) throw error;
    throw new SourceFetchError(`Reading the response failed: ${describeNetworkError(error)}`);
  }
  return Buffer.concat(chunks, size);
}

function describeNetworkError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
