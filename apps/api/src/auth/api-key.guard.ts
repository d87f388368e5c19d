import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { ApiKeysService, roleSatisfies } from '#auth';
import type { ApiKeyRole } from '#db';

import { PUBLIC_ROUTE, REQUIRED_ROLE, type AuthenticatedRequest } from './auth.decorators.js';

/** Every route needs `Authorization: Bearer bw_...` unless marked @Public(); @RequireRole raises the bar. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('Send an API key as "Authorization: Bearer bw_..."');
    // authenticateBeforeBody has looked the key up already for /v1 routes.
    const principal = request.principal ?? (await this.apiKeys.authenticate(match[1]!));
    if (!principal) throw new UnauthorizedException('The API key is unknown or revoked');
    const required = this.reflector.getAllAndOverride<ApiKeyRole | undefined>(REQUIRED_ROLE, targets) ?? 'viewer';
    if (!roleSatisfies(principal.role, required)) {
      throw new ForbiddenException(`This needs the ${required} role; the key has ${principal.role}`);
    }
    request.principal = principal;
    return true;
  }
}
