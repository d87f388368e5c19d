import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

import { pinoHttp } from 'pino-http';

import { requestLogOptions } from './request-log.js';

interface RequestLine {
  level: number;
  msg: string;
  req: Record<string, unknown>;
  res: Record<string, unknown>;
}

/** A real server on 127.0.0.1 logging through the request-log options into memory. */
async function loggingServer(): Promise<{ origin: string; lines: RequestLine[]; close: () => Promise<void> }> {
  const lines: RequestLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as RequestLine);
      done();
    },
  });
  const log = pinoHttp({ level: 'info', ...requestLogOptions({ autoLogging: true }) }, sink);
  const server = http.createServer((request, response) => {
    log(request, response);
    // As Nest does on paths outside the global prefix: the same middleware mounted twice.
    if (request.url?.startsWith('/twice')) log(request, response);
    response.writeHead(request.url?.startsWith('/broken') ? 500 : 204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lines,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('request log lines', () => {
  let server: Awaited<ReturnType<typeof loggingServer>>;
  beforeAll(async () => (server = await loggingServer()));
  afterAll(() => server.close());
  beforeEach(() => server.lines.splice(0));

  it('say method, path, status and time, with the request id echoed, and never a credential or cookie', async () => {
    const response = await fetch(`${server.origin}/v1/predictions?limit=5`, {
      headers: { authorization: 'Bearer bw_abcd1234_topsecret', cookie: 'bw_session=cookie-secret', 'x-request-id': 'abc-123', 'user-agent': 'analyst-script/1.0' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('x-request-id')).toBe('abc-123');
    await until(() => server.lines.length === 1);
    const [line] = server.lines;
    expect(line!.msg).toMatch(/^GET \/v1\/predictions\?limit=5 204 \d+ ms$/);
    expect(line!.req).toEqual({ id: 'abc-123', method: 'GET', url: '/v1/predictions?limit=5', remoteAddress: '127.0.0.1', userAgent: 'analyst-script/1.0' });
    expect(line!.res).toEqual({ statusCode: 204 });
    const raw = JSON.stringify(line);
    expect(raw).not.toContain('topsecret');
    expect(raw).not.toContain('cookie-secret');
  });

  it('is one line per request, even where the middleware runs twice', async () => {
    await fetch(`${server.origin}/twice`);
    await fetch(`${server.origin}/v1/once`);
    await until(() => server.lines.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.lines.map((line) => line.req.url)).toEqual(['/twice', '/v1/once']);
  });

  it('makes an id when the caller sends none or an unusable one, and logs a 5xx as an error', async () => {
    const response = await fetch(`${server.origin}/broken`, { headers: { 'x-request-id': 'not an id; <script>' } });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => server.lines.length === 1);
    expect(server.lines[0]).toMatchObject({ level: 50, msg: 'GET /broken 500 failed', req: { id, method: 'GET', url: '/broken' }, res: { statusCode: 500 } });
  });
});
