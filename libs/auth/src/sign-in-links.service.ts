import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { AppConfig } from '#config';
import { PrismaService, type User } from '#db';

import { UsersService } from './users.service.js';
import { WebSessionsService, type WebSessionView } from './web-sessions.service.js';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Why a link did not sign anyone in; each gets its own page, and none writes anything. */
export type SignInLinkRefusal = 'unknown' | 'used' | 'expired' | 'other-browser' | 'disabled';

export type SignInLinkOutcome = { ok: true; token: string; session: WebSessionView } | { ok: false; reason: SignInLinkRefusal };

/**
 * One-time sign-in links sent by mail. A link's token is 256 random bits; only its sha256 is kept,
 * with the sha256 of a nonce the asking browser holds in a cookie: the link signs in that browser
 * only, once, within SIGN_IN_LINK_MINUTES. Asking for a link for an address nobody here has
 * writes nothing and sends nothing, and the caller says the same either way.
 */
@Injectable()
export class SignInLinksService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: WebSessionsService,
  ) {}

  /** A fresh nonce for the asking browser's cookie. */
  newNonce(): string {
    return randomBytes(24).toString('base64url');
  }

  /** A link for an enabled person with this address, bound to `nonce`; null (and nothing written) otherwise. */
  async issue(email: string, nonce: string): Promise<{ user: User; token: string; expiresAt: Date } | null> {
    const user = await this.users.findActiveByEmail(email);
    if (!user) return null;
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.SIGN_IN_LINK_MINUTES * 60_000);
    await this.prisma.$transaction([
      this.prisma.signInLink.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - 24 * 3600_000) } } }),
      this.prisma.signInLink.create({ data: { id: sha256(token), userId: user.id, nonceHash: sha256(nonce), expiresAt } }),
    ]);
    return { user, token, expiresAt };
  }

  /**
   * Signs the browser holding `nonce` in with the link's `token`: marks the link used and opens a
   * session in one transaction (the row lock makes a second, concurrent use fail as `used`).
   */
  async redeem(token: string, nonce: string | undefined): Promise<SignInLinkOutcome> {
    if (token.length === 0 || token.length > 200) return { ok: false, reason: 'unknown' };
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "SignInLink" WHERE "id" = ${sha256(token)} FOR UPDATE`;
      if (rows.length === 0) return { ok: false, reason: 'unknown' } as const;
      const link = await tx.signInLink.findUniqueOrThrow({ where: { id: rows[0]!.id }, include: { user: true } });
      if (link.usedAt) return { ok: false, reason: 'used' } as const;
      if (link.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' } as const;
      if (!nonce || !sameHash(sha256(nonce), link.nonceHash)) return { ok: false, reason: 'other-browser' } as const;
      if (link.user.disabledAt) return { ok: false, reason: 'disabled' } as const;
      await tx.signInLink.update({ where: { id: link.id }, data: { usedAt: new Date() } });
      const opened = await this.sessions.open({ userId: link.user.id, keyId: null, name: link.user.name, role: link.user.role }, tx);
      return { ok: true, ...opened } as const;
    });
  }
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
