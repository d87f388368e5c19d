import { isUtf8 } from 'node:buffer';

import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

import { DomainError, findUnstorableText, jsonNestingExceeds, unstorableTextReason } from '#core';

/** Deeper JSON than any request of ours needs; refused before it is parsed. */
export const MAX_JSON_DEPTH = 32;

/**
 * body-parser's `verify` hook: runs on the raw bytes before JSON.parse, so a hostile body costs one linear scan.
 * JSON is UTF-8 (RFC 8259): bytes that are not are refused, rather than decoded into U+FFFD and stored as text
 * no one sent.
 */
export function refuseDeepJson(_request: unknown, _response: unknown, body: Buffer): void {
  if (!isUtf8(body)) {
    throw Object.assign(new Error('The body is not valid UTF-8, which JSON must be'), { status: 400, type: 'entity.parse.failed' });
  }
  if (jsonNestingExceeds(body.toString('utf8'), MAX_JSON_DEPTH)) {
    throw Object.assign(new Error(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep' });
  }
}

/**
 * Refuses text PostgreSQL cannot keep as it was sent (NUL characters, lone
 * UTF-16 surrogates) in the path, the query and the body, with a 400 naming
 * the field, before validation and any handler see it: stored text is then
 * exactly the text that was validated and hashed. A guard rather than a
 * middleware so it runs after routing, for every route, behind ApiKeyGuard.
 */
@Injectable()
export class RequestTextGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    let path: string;
    try {
      path = decodeURIComponent(request.path);
    } catch {
      throw new DomainError('invalid', 'malformed-path', 'The path holds a malformed percent-encoding', 'path');
    }
    const pathReason = unstorableTextReason(path);
    if (pathReason) throw new DomainError('invalid', 'unstorable-text', `The path ${pathReason}`, 'path');
    // A raw body (an OPML document) is bytes, checked where it is decoded.
    const body = Buffer.isBuffer(request.body) ? undefined : (request.body as unknown);
    const problem = findUnstorableText(request.query) ?? findUnstorableText(body);
    if (problem) throw new DomainError('invalid', 'unstorable-text', problem.message, problem.field);
    return true;
  }
}
