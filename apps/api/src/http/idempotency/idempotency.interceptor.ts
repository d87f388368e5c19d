import { createHash } from 'node:crypto';

import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';

import { canonicalJson, DomainError } from '#core';
import { IdempotencyKeysRepository, type IdempotencyClaim } from '#db';

import type { AuthenticatedRequest } from '../../auth/auth.decorators.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_ROUTE } from './idempotency.decorator.js';

const MAX_KEY_LENGTH = 255;

/**
 * The `Idempotency-Key` header (IETF draft "The Idempotency-Key HTTP Header
 * Field") on routes marked @Idempotent():
 * - the first request with a key claims it for its API key and runs; its
 *   transaction marks the claim applied as part of the effect (IdempotencyKeysRepository.takePart),
 *   and its 2xx response is kept for 24 hours;
 * - the same key with the same method, path and body answers that response
 *   again, with `Idempotent-Replayed: true`, and does nothing else;
 * - the same key with another request is a 422; while the first is still in
 *   flight, a 409 with Retry-After;
 * - a first request that fails without effect frees the key, so a retry runs afresh.
 * Requests without the header are untouched.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyKeysRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.reflector.get<boolean | undefined>(IDEMPOTENT_ROUTE, context.getHandler())) return next.handle();
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (header === undefined || !request.principal) return next.handle();
    return from(this.handle(request, context.switchToHttp().getResponse<Response>(), parseIdempotencyKey(header), request.principal.keyId ?? request.principal.userId, next));
  }

  private async handle(request: Request, response: Response, key: string, apiKeyId: string, next: CallHandler): Promise<unknown> {
    const outcome = await this.keys.claim({ apiKeyId, key, fingerprint: fingerprintOf(request), request: `${request.method} ${request.path}` });
    switch (outcome.kind) {
      case 'claimed':
        return this.runClaimed(outcome.claim, response, next);
      case 'replay':
        response.status(outcome.status);
        response.setHeader('Idempotent-Replayed', 'true');
        return outcome.body;
      case 'mismatch':
        throw new DomainError(
          'unprocessable',
          'idempotency-key-reused',
          `${IDEMPOTENCY_KEY_HEADER} "${key}" was used for a different request (another method, path or body); use a new key for a new request`,
          IDEMPOTENCY_KEY_HEADER,
        );
      case 'in-flight':
        response.setHeader('Retry-After', '1');
        throw new DomainError('conflict', 'idempotency-key-in-flight', `A request with ${IDEMPOTENCY_KEY_HEADER} "${key}" is still being processed; retry shortly`, IDEMPOTENCY_KEY_HEADER);
      case 'response-lost':
        throw new DomainError(
          'conflict',
          'idempotency-key-response-lost',
          `The request with ${IDEMPOTENCY_KEY_HEADER} "${key}" took effect, but the server stopped before keeping its response; do not repeat it, read the result instead`,
          IDEMPOTENCY_KEY_HEADER,
        );
    }
  }

  private async runClaimed(claim: IdempotencyClaim, response: Response, next: CallHandler): Promise<unknown> {
    let body: unknown;
    try {
      // next.handle() binds the handler to the async context it is called in: inside runAs, the claim's.
      body = await lastValueFrom(this.keys.runAs(claim, () => next.handle()), { defaultValue: undefined });
    } catch (error) {
      await this.keys.release(claim);
      throw error;
    }
    await this.keys.complete(claim, response.statusCode, body);
    return body;
  }
}

/** The header's value: a Structured Fields string (`"..."`, as the draft has it) or, leniently, the bare value. */
export function parseIdempotencyKey(header: string | string[]): string {
  const refuse = (message: string): never => {
    throw new DomainError('invalid', 'invalid-idempotency-key', message, IDEMPOTENCY_KEY_HEADER);
  };
  if (Array.isArray(header)) return refuse(`Send one ${IDEMPOTENCY_KEY_HEADER} header`);
  const raw = header.trim();
  let key = raw;
  if (raw.startsWith('"')) {
    const match = /^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\])*)"$/.exec(raw);
    if (!match) return refuse(`${IDEMPOTENCY_KEY_HEADER} must be a quoted string of printable ASCII characters, with \\" and \\\\ as the only escapes`);
    key = match[1]!.replace(/\\(["\\])/g, '$1');
  } else if (!/^[\x21-\x7E]*$/.test(raw)) {
    return refuse(`${IDEMPOTENCY_KEY_HEADER} must hold printable ASCII characters only`);
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return refuse(`${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_KEY_LENGTH} characters long`);
  return key;
}

/** What makes two requests "the same": method, path with query, and the body as canonical JSON (key order and spacing aside). */
function fingerprintOf(request: Request): string {
  const body = request.body === undefined ? null : (request.body as unknown);
  // A raw body (an OPML document) counts by its bytes.
  const content = Buffer.isBuffer(body) ? `raw:${createHash('sha256').update(body).digest('hex')}` : canonicalJson(body);
  return createHash('sha256').update(`${request.method} ${request.originalUrl}\n${content}`).digest('hex');
}
