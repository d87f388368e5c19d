import { isIP } from 'node:net';

import { HttpException, HttpStatus, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';

import { AppConfig } from '#config';
import { embeddedIpv4 } from '#core';

import type { AuthenticatedRequest } from '../../auth/auth.decorators.js';
import { RateLimitStorage } from './rate-limit-storage.js';

export const NO_RATE_LIMIT = 'bellwether:no-rate-limit';

/** Not rate-limited: health checks and metrics, which monitors poll. */
export const NoRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(NO_RATE_LIMIT, true);

/**
 * Two limits per RATE_LIMIT_WINDOW_SECONDS: RATE_LIMIT_PER_ADDRESS requests
 * from one client address (with a key or without: this guard runs before
 * ApiKeyGuard, so refused keys count too) and RATE_LIMIT_PER_KEY requests with
 * one API key, over all routes. Past either, a 429 problem+json saying which,
 * with `Retry-After` in seconds until the window ends. A limit of 0 is off.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly storage: RateLimitStorage,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || this.reflector.getAllAndOverride<boolean>(NO_RATE_LIMIT, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const windowMs = this.config.RATE_LIMIT_WINDOW_SECONDS * 1000;
    const limits: { key: string; limit: number; whose: string }[] = [];
    if (this.config.RATE_LIMIT_PER_ADDRESS > 0) {
      limits.push({ key: `address:${clientAddress(request.ip)}`, limit: this.config.RATE_LIMIT_PER_ADDRESS, whose: 'this client address' });
    }
    // authenticateBeforeBody has found the key (for /v1) before any guard runs.
    if (this.config.RATE_LIMIT_PER_KEY > 0 && request.principal) {
      limits.push({ key: request.principal.keyId ? `key:${request.principal.keyId}` : `user:${request.principal.userId}`, limit: this.config.RATE_LIMIT_PER_KEY, whose: 'this API key' });
    }
    // Both limits count every request, in one round trip to Redis.
    const counted = await this.storage.hit(
      limits.map((limit) => limit.key),
      windowMs,
    );
    for (const [index, { limit, whose }] of limits.entries()) {
      const { hits, resetInMs } = counted[index]!;
      if (hits <= limit) continue;
      const retryAfter = Math.max(1, Math.ceil(resetInMs / 1000));
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
      throw new HttpException(
        `Too many requests from ${whose}: at most ${limit} per ${this.config.RATE_LIMIT_WINDOW_SECONDS} s; retry after ${retryAfter} s`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    return true;
  }
}

/** Whom the per-address limit counts: an IPv4 address, or an IPv6 address's /64 (one subscriber's network). */
export function clientAddress(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const address = ip.replace(/%.*$/, '');
  if (isIP(address) !== 6) return address;
  const ipv4 = embeddedIpv4(address);
  if (ipv4) return ipv4;
  const [head = '', tail] = address.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...new Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}
