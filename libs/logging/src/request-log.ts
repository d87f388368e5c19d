import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Options } from 'pino-http';

/** What a request line says of the request: never its headers, so no credential or cookie can reach a log. */
interface LoggedRequest {
  id: unknown;
  method: string | undefined;
  url: string | undefined;
  remoteAddress: string | undefined;
  userAgent: string | undefined;
}

function serializeRequest(request: IncomingMessage & { id?: unknown; originalUrl?: string }): LoggedRequest {
  return {
    id: request.id,
    method: request.method,
    url: request.originalUrl ?? request.url,
    remoteAddress: request.socket?.remoteAddress,
    userAgent: request.headers['user-agent'],
  };
}

function serializeResponse(response: ServerResponse): { statusCode: number } {
  return { statusCode: response.statusCode };
}

/**
 * pino-http's options for the request lines: an id per request (the caller's
 * X-Request-Id, or a new one) echoed back, and a line with method, path,
 * status and time, at level error for a 5xx. pino serializes the request into
 * a child logger on every request, logged or not, so it is done by hand in a
 * few fields: the default serializer copies every header, which then needs
 * redaction to hide the Authorization and Cookie values.
 */
export function requestLogOptions(options: { autoLogging: boolean }): Options {
  // On a path outside the /v1 prefix (/app, /health, /metrics) Nest mounts the logging middleware twice, for the excluded
  // path and again for the controller route it covers; the request still gets one line.
  const logged = new WeakSet<IncomingMessage>();
  const loggedBefore = (request: IncomingMessage): boolean => {
    if (logged.has(request)) return true;
    logged.add(request);
    return false;
  };
  return {
    autoLogging: options.autoLogging && { ignore: loggedBefore },
    wrapSerializers: false,
    serializers: { req: serializeRequest, res: serializeResponse },
    // A 5xx is the service's failure, which an operator filtering on errors must see; anything else is the caller's business.
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (request, response, responseTime) => `${request.method} ${request.url} ${response.statusCode} ${Math.round(responseTime)} ms`,
    customErrorMessage: (request, response) => `${request.method} ${request.url} ${response.statusCode} failed`,
    genReqId: (request: IncomingMessage, response: ServerResponse) => {
      const incoming = request.headers['x-request-id'];
      const id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
      response.setHeader('X-Request-Id', id);
      return id;
    },
  };
}
