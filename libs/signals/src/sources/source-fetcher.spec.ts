import { gzipSync } from 'node:zlib';

import { loadConfig } from '#config';
import { serve, startLocalHttpServer, type LocalHttpServer } from '#test/local-http-server.js';

import { FETCH_POLICY, parseMaxAge, parseRetryAfter, SourceFetchError, SourceFetcher } from './source-fetcher.js';

describe('SourceFetcher against a real local server', () => {
  let server: LocalHttpServer;
  let fetcher: SourceFetcher;

  beforeAll(async () => {
    server = await startLocalHttpServer({
      '/feed': serve('<rss/>', { 'content-type': 'application/rss+xml', etag: '"v1"', 'last-modified': 'Fri, 27 Nov 2026 10:00:00 GMT', 'cache-control': 'public, max-age=900' }),
      '/hop': (_request, response) => response.writeHead(302, { location: '/feed' }).end(),
      '/loop': (_request, response) => response.writeHead(301, { location: '/loop' }).end(),
      '/to-ipv6-loopback': (_request, response) => response.writeHead(307, { location: `http://[::1]:${server.port}/feed` }).end(),
      '/big': (_request, response) => response.writeHead(200).end(Buffer.alloc(2048, 'x')),
      '/bomb': serve(gzipSync(Buffer.alloc(1024 * 1024)), { 'content-encoding': 'gzip' }),
      '/gzip': serve(gzipSync('<rss>zipped</rss>'), { 'content-encoding': 'gzip' }),
      '/slow': () => undefined,
      '/busy': serve('busy', { 'retry-after': '120' }, 503),
      '/gone': serve('gone', {}, 410),
    });
    fetcher = new SourceFetcher(loadConfig({ OUTBOUND_ALLOWLIST: '127.0.0.1' }), (host) =>
      Promise.resolve(host === 'rebound.test' ? [{ address: '127.0.0.1', family: 4 as const }] : []),
    );
  });
  afterAll(async () => {
    fetcher.onModuleDestroy();
    await server.close();
  });

  it('sends a clear User-Agent and the validators, and reports 304 with caching hints', async () => {
    const first = await fetcher.fetch({ url: `${server.origin}/feed` });
    expect(first).toMatchObject({ status: 200, etag: '"v1"', lastModified: 'Fri, 27 Nov 2026 10:00:00 GMT', maxAgeSeconds: 900 });
    expect(first.body.toString()).toBe('<rss/>');
    expect(server.requests.at(-1)?.headers['user-agent']).toBe(FETCH_POLICY.userAgent);

    const second = await fetcher.fetch({ url: `${server.origin}/feed`, etag: first.etag, lastModified: first.lastModified });
    expect(second.status).toBe(304);
    expect(second.body.length).toBe(0);
    expect(server.requests.at(-1)?.headers).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': 'Fri, 27 Nov 2026 10:00:00 GMT' });
  });

  it('follows redirects by hand and reports the final URL', async () => {
    const response = await fetcher.fetch({ url: `${server.origin}/hop` });
    expect(response.finalUrl).toBe(`${server.origin}/feed`);
  });

  it('stops after the redirect limit', async () => {
    await expect(fetcher.fetch({ url: `${server.origin}/loop` })).rejects.toThrow(/Too many redirects/);
  });

  it('checks every redirect hop against the guard', async () => {
    await expect(fetcher.fetch({ url: `${server.origin}/to-ipv6-loopback` })).rejects.toThrow(/\[?::1\]?.*loopback/);
  });

  it('connects to the address the guard checked, not to a fresh DNS answer', async () => {
    // rebound.test exists only in the guard's resolver: the request can only succeed through the pinned address.
    const response = await fetcher.fetch({ url: `http://rebound.test:${server.port}/feed` });
    expect(response.status).toBe(200);
  });

  it('refuses bodies over the limit, compressed or not, and decompresses gzip', async () => {
    await expect(fetcher.fetch({ url: `${server.origin}/big` }, { maxBodyBytes: 1024 })).rejects.toThrow(/larger than the limit/);
    await expect(fetcher.fetch({ url: `${server.origin}/bomb` }, { maxBodyBytes: 64 * 1024 })).rejects.toThrow(/larger than the limit/);
    expect((await fetcher.fetch({ url: `${server.origin}/gzip` })).body.toString()).toBe('<rss>zipped</rss>');
  });

  it('times out', async () => {
    await expect(fetcher.fetch({ url: `${server.origin}/slow` }, { timeoutMs: 200 })).rejects.toThrow(/Timed out/);
  });

  it('fails on error statuses, carrying Retry-After from a 503', async () => {
    await expect(fetcher.fetch({ url: `${server.origin}/gone` })).rejects.toThrow(/HTTP 410/);
    // Last: a 503 with Retry-After leaves the whole host alone afterwards.
    const busy = await fetcher.fetch({ url: `${server.origin}/busy` }).catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(SourceFetchError);
    expect(busy).toMatchObject({ retryAfterSeconds: 120, message: expect.stringContaining('HTTP 503') });
  });

  it('refuses a loopback address that is not allowlisted, before connecting', async () => {
    const strict = new SourceFetcher(loadConfig({ OUTBOUND_ALLOWLIST: '' }));
    const before = server.requests.length;
    await expect(strict.fetch({ url: `${server.origin}/feed` })).rejects.toThrow(/loopback address.*OUTBOUND_ALLOWLIST/);
    expect(server.requests.length).toBe(before);
    strict.onModuleDestroy();
  });
});

describe('caching hints', () => {
  it('reads max-age', () => {
    expect(parseMaxAge('public, max-age=600')).toBe(600);
    expect(parseMaxAge('s-maxage=5, max-age="30"')).toBe(30);
    expect(parseMaxAge('no-cache')).toBeNull();
    expect(parseMaxAge(undefined)).toBeNull();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-11-28T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Sat, 28 Nov 2026 13:00:00 GMT', now)).toBe(3600);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
