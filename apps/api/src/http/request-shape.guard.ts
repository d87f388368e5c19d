import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { DomainError } from '#core';

const ACCEPTED_CONTENT_TYPES = 'bellwether:accepted-content-types';

/** A route that takes bodies other than JSON (e.g. a one-click unsubscribe form, raw OPML). JSON stays accepted. */
export const AcceptsContentTypes = (...types: string[]): MethodDecorator => SetMetadata(ACCEPTED_CONTENT_TYPES, types);

/** Keys that mean something to JavaScript objects; a client has no business sending them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The request's shape, for `/v1`, before validation: a body is JSON unless
 * the route says otherwise (415 — a form post must not act like JSON); a
 * route that takes no query parameters refuses any (routes with a query DTO
 * refuse unknown ones in the ValidationPipe); prototype keys are refused
 * rather than silently dropped. Every refusal names the field.
 */
@Injectable()
export class RequestShapeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.path.startsWith('/v1/')) return true;
    this.checkContentType(request, context);
    this.checkQuery(request, context);
    const key = findPrototypeKey(request.query) ?? (Buffer.isBuffer(request.body) ? null : findPrototypeKey(request.body as unknown));
    if (key) throw new DomainError('invalid', 'forbidden-key', `${key} is not an acceptable field name`, key);
    return true;
  }

  private checkContentType(request: Request, context: ExecutionContext): void {
    if (!hasBody(request)) return;
    const accepted = ['application/json', ...(this.reflector.get<string[] | undefined>(ACCEPTED_CONTENT_TYPES, context.getHandler()) ?? [])];
    if (request.is(accepted)) return;
    const sent = request.headers['content-type'] ?? 'none';
    throw new DomainError('unsupported_media_type', 'unsupported-media-type', `This endpoint takes ${accepted.join(' or ')}, not ${sent}`, 'Content-Type');
  }

  private checkQuery(request: Request, context: ExecutionContext): void {
    const names = Object.keys(request.query);
    if (names.length === 0) return;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
    const takesQuery = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
    if (!takesQuery) throw new DomainError('invalid', 'unknown-query-parameter', `${names[0]} is not a parameter of this endpoint`, names[0]);
  }
}

function hasBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

function findPrototypeKey(value: unknown, path = ''): string | null {
  const stack: { value: unknown; path: string }[] = [{ value, path }];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (typeof current.value !== 'object' || current.value === null) continue;
    for (const [key, child] of Object.entries(current.value as Record<string, unknown>)) {
      const childPath = Array.isArray(current.value) ? `${current.path}[${key}]` : current.path ? `${current.path}.${key}` : key;
      if (!Array.isArray(current.value) && PROTOTYPE_KEYS.has(key)) return childPath;
      stack.push({ value: child, path: childPath });
    }
  }
  return null;
}
