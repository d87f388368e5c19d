import { createHash, randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { PrismaService } from '#db';

import { lowerRole } from './api-key-role.js';
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
 * signing out ends them everywhere. A session stands for a person: it lasts while they are
 * enabled (and, when opened with an API key, while that key is not revoked), at most
 * WEB_SESSION_TTL_MS. It is read from the database on every request, so disabling acts at once.
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
    return this.open(principal);
  }

  /**
   * Opens a session for an enabled person who proved who they are another way (a mailed link,
   * OpenID Connect), inside the caller's transaction when given.
   */
  async open(principal: Principal, tx?: Pick<PrismaService, 'webSession'>): Promise<{ token: string; session: WebSessionView }> {
    const db = tx ?? this.prisma;
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + WEB_SESSION_TTL_MS);
    await db.webSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    await db.webSession.create({ data: { id: sessionId(token), userId: principal.userId, apiKeyId: principal.keyId, csrfToken, expiresAt } });
    return { token, session: { principal, csrfToken, expiresAt } };
  }

  /** The live session of a cookie's token: unexpired, its person enabled, and its key (if any) not revoked. */
  async find(token: string): Promise<WebSessionView | null> {
    if (token.length === 0 || token.length > 200) return null;
    const row = await this.prisma.webSession.findUnique({
      where: { id: sessionId(token) },
      include: { user: { select: { id: true, name: true, role: true, disabledAt: true } }, apiKey: { select: { id: true, role: true, revokedAt: true } } },
    });
    if (!row || row.expiresAt.getTime() <= Date.now() || row.user.disabledAt || row.apiKey?.revokedAt) return null;
    const role = row.apiKey ? lowerRole(row.apiKey.role, row.user.role) : row.user.role;
    return { principal: { userId: row.user.id, keyId: row.apiKey?.id ?? null, name: row.user.name, role }, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
  }

  async signOut(token: string): Promise<void> {
    await this.prisma.webSession.deleteMany({ where: { id: sessionId(token) } });
  }
}
