import { createHash, randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { PrismaService } from '#db';

import { ApiKeysService, type Principal } from './api-keys.service.js';

/** A signed-in browser: who it acts as and the token its forms must carry. */
export interface WebSessionView {
  principal: Principal;
  csrfToken: string;
  expiresAt: Date;
}

export const WEB_SESSION_TTL_MS = 12 * 3600_000;

function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Sessions of the web app, kept in the database so every API replica knows them and
 * signing out ends them everywhere. A session stands for an API key: it lasts as long
 * as the key is not revoked, and at most WEB_SESSION_TTL_MS.
 */
@Injectable()
export class WebSessionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /** Proves the key and opens a session for it; null if the key is unknown or revoked. */
  async signIn(apiKeyToken: string): Promise<{ token: string; session: WebSessionView } | null> {
    const principal = await this.apiKeys.authenticate(apiKeyToken);
    if (!principal) return null;
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + WEB_SESSION_TTL_MS);
    await this.prisma.$transaction([
      this.prisma.webSession.deleteMany({ where: { expiresAt: { lt: new Date() } } }),
      this.prisma.webSession.create({ data: { id: sessionId(token), apiKeyId: principal.keyId, csrfToken, expiresAt } }),
    ]);
    return { token, session: { principal, csrfToken, expiresAt } };
  }

  /** The live session of a cookie's token: unexpired and its key not revoked. */
  async find(token: string): Promise<WebSessionView | null> {
    if (token.length === 0 || token.length > 200) return null;
    const row = await this.prisma.webSession.findUnique({
      where: { id: sessionId(token) },
      include: { apiKey: { select: { id: true, name: true, role: true, revokedAt: true } } },
    });
    if (!row || row.expiresAt.getTime() <= Date.now() || row.apiKey.revokedAt) return null;
    return { principal: { keyId: row.apiKey.id, name: row.apiKey.name, role: row.apiKey.role }, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
  }

  async signOut(token: string): Promise<void> {
    await this.prisma.webSession.deleteMany({ where: { id: sessionId(token) } });
  }
}
