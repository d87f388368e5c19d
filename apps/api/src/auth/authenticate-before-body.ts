import type { IncomingMessage } from 'node:http';

import type { NextFunction, Request, Response } from 'express';

import type { ApiKeysService } from '#auth';

import type { AuthenticatedRequest } from './auth.decorators.js';

/** Public API routes that take a body from people without a key (RFC 8058 one-click unsubscribe). */
const PUBLIC_BODY_ROUTES = /^\/v1\/unsubscribe\//;

/** Routes that read their own body: an export document for `/v1/import` (larger than the parser's limit), a hub's signed push (raw). */
const OWN_BODY_ROUTES = /^\/v1\/import\/?$|^\/websub\//;

/**
 * Runs before the body parsers: a `/v1` request is authenticated from its
 * header first, and without a valid key its body is never read (the guard
 * then answers 401), so only key holders can make the server parse JSON. The
 * principal is kept on the request for ApiKeyGuard, which still decides
 * roles, so a key is looked up once per request.
 */
export function authenticateBeforeBody(apiKeys: ApiKeysService) {
  return async (request: Request & AuthenticatedRequest, _response: Response, next: NextFunction): Promise<void> => {
    if (!request.path.startsWith('/v1/') || PUBLIC_BODY_ROUTES.test(request.path)) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    try {
      const principal = match ? await apiKeys.authenticate(match[1]!) : null;
      if (principal) request.principal = principal;
    } catch {
      // The database is unreachable, so the key is neither known nor refused: read the body as usual and let
      // the guard ask again. Dropping it here would turn a retry that meets the database back into a 400.
      return next();
    }
    if (!request.principal) (request as Request & KeylessRequest).keyless = true;
    next();
  };
}

interface KeylessRequest {
  /** A /v1 request without a valid key: its body is left unread. */
  keyless?: boolean;
}

/** body-parser's `type` test for the JSON parser: JSON bodies, except those of keyless /v1 requests. */
export function shouldParseJson(incoming: IncomingMessage): boolean {
  const request = incoming as Request & KeylessRequest;
  return !request.keyless && !OWN_BODY_ROUTES.test(request.path) && Boolean(request.is('application/json'));
}
