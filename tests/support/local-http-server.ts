import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (request: IncomingMessage, response: ServerResponse) => void;

export interface LocalHttpServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** Replace or add what a path serves; takes effect for the next request. */
  routes: Map<string, Route>;
  /** Every request received, in order. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 with routes a test can change between requests. Unknown paths get a 404. */
export async function startLocalHttpServer(routes: Record<string, Route> = {}, host = '127.0.0.1'): Promise<LocalHttpServer> {
  const table = new Map(Object.entries(routes));
  const requests: LocalHttpServer['requests'] = [];
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push({ path, headers: request.headers });
    const route = table.get(path);
    if (route) route(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    routes: table,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A route answering with a fixed body and headers, and 304 when the client's If-None-Match matches the ETag. */
export function serve(body: string | Buffer, headers: Record<string, string> = {}, status = 200): Route {
  return (request, response) => {
    const etag = headers.etag ?? headers.ETag;
    if (etag && request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag }).end();
      return;
    }
    response.writeHead(status, headers).end(body);
  };
}
