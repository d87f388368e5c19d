import { timingSafeEqual } from 'node:crypto';

import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { roleSatisfies, WebSessionsService, type WebSessionView } from '#auth';
import type { ApiKeyRole } from '#db';

import { REQUIRED_ROLE, type AuthenticatedRequest } from '../auth/auth.decorators.js';

export const SESSION_COOKIE = 'bw_session';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface WebRequest extends Request, AuthenticatedRequest {
  webSession?: WebSessionView;
}

/** Thrown when a page needs a signed-in browser; the web error filter sends it to the sign-in page. */
export class SignInRequiredError extends Error {
  constructor() {
    super('Sign in to continue');
  }
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Every web page needs a live session (its key not revoked); @RequireRole raises the bar as in
 * the API; every request that changes something carries the session's form token.
 */
@Injectable()
export class WebSessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: WebSessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebRequest>();
    const token = (request.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    const session = typeof token === 'string' ? await this.sessions.find(token) : null;
    if (!session) throw new SignInRequiredError();
    request.webSession = session;
    request.principal = session.principal;
    if (!['GET', 'HEAD'].includes(request.method)) {
      const body = request.body as Record<string, unknown> | undefined;
      const sent = body?.[CSRF_FIELD] ?? request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
        throw new ForbiddenException('The form token is missing or out of date: reload the page and try again.');
      }
    }
    const required = this.reflector.getAllAndOverride<ApiKeyRole | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]) ?? 'viewer';
    if (!roleSatisfies(session.principal.role, required)) {
      throw new ForbiddenException(`This needs the ${required} role; you are signed in as ${session.principal.role}.`);
    }
    return true;
  }
}
