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
 * refuse unknown ones in the ValidationPipe), and a route that takes no body
 * refuses fields in one (an action is not taken with input it ignores);
 * prototype keys are refused rather than silently dropped. Every refusal
 * names the field.
 */
@Injectable()
export class RequestShapeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.path.startsWith('/v1/')) return true;
    this.checkContentType(request, context);
    this.checkQuery(request, context);
    this.checkBody(request, context);
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
    if (!takes(context, RouteParamtypes.QUERY)) throw new DomainError('invalid', 'unknown-query-parameter', `${names[0]} is not a parameter of this endpoint`, names[0]);
  }

  /** A JSON body with something in it, sent to a route that reads none (neither a body DTO nor the raw request). */
  private checkBody(request: Request, context: ExecutionContext): void {
    const body = request.body as unknown;
    // Only JSON: a route that takes another type (the one-click unsubscribe form) reads what it takes its own way.
    if (body === undefined || body === null || Buffer.isBuffer(body) || !request.is('application/json')) return;
    // `{}` is what many clients send for "no body"; anything else is input the route would ignore.
    const empty = typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
    if (empty || takes(context, RouteParamtypes.BODY) || takes(context, RouteParamtypes.REQUEST)) return;
    const field = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0]! : 'body';
    throw new DomainError('invalid', 'unknown-body', `This endpoint takes no body${field === 'body' ? '' : `: ${field} is not a field of it`}`, field);
  }
}

/** Whether the route's handler has a parameter of this kind (@Query, @Body, @Req). */
function takes(context: ExecutionContext, kind: RouteParamtypes): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(kind));
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
