import { Injectable } from '@nestjs/common';

import { AppConfig } from '#config';
import { DomainError, NotFoundError } from '#core';
import { PrismaService, type ApiKeyRole, type User } from '#db';

import { API_KEY_REVOKED_CHANNEL, ApiKeyCache } from './api-key-cache.js';
import type { ApiKeySummary } from './api-keys.service.js';

export interface UserChange {
  name?: string;
  email?: string | null;
  role?: ApiKeyRole;
  disabled?: boolean;
}

export interface UserWithKeys {
  user: User;
  keys: ApiKeySummary[];
  /** The latest use of any of their keys. */
  lastUsedAt: Date | null;
}

/** Emails are compared and kept lower-cased and trimmed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * People: each owns API keys and web sessions and acts as `user:<id>`. Disabling a person stops
 * every key and session of theirs at once: sessions are checked in the database on every request,
 * and their keys are dropped from every process's key cache on commit (the revocation channel).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    private readonly cache: ApiKeyCache,
  ) {}

  async create(input: { name: string; email: string; role: ApiKeyRole }): Promise<User> {
    const email = normaliseEmail(input.email);
    if (await this.prisma.user.findUnique({ where: { email } })) {
      throw new DomainError('conflict', 'email-taken', `Someone here already has the address ${email}`, 'email');
    }
    return this.prisma.user.create({ data: { name: input.name.trim(), email, role: input.role } }).catch(async (error: unknown) => {
      if (await this.prisma.user.findUnique({ where: { email } })) throw new DomainError('conflict', 'email-taken', `Someone here already has the address ${email}`, 'email');
      throw error;
    });
  }

  async list(): Promise<User[]> {
    return this.prisma.user.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  }

  async get(id: string): Promise<User> {
    const user = await this.prisma.user.findUnique({ where: { id } });
    if (!user) throw new NotFoundError('User', id, 'id');
    return user;
  }

  /** A person with their keys (newest first) and when any of them was last used. */
  async getWithKeys(id: string): Promise<UserWithKeys> {
    const user = await this.get(id);
    const keys = await this.prisma.apiKey.findMany({ where: { userId: id }, orderBy: { id: 'desc' }, omit: { hash: true } });
    const used = keys.map((key) => key.lastUsedAt?.getTime() ?? 0).filter((time) => time > 0);
    return { user, keys, lastUsedAt: used.length > 0 ? new Date(Math.max(...used)) : null };
  }

  /** An enabled person by address, or null (no address is confirmed or denied to the caller). */
  async findActiveByEmail(email: string): Promise<User | null> {
    const user = await this.prisma.user.findUnique({ where: { email: normaliseEmail(email) } });
    return user && !user.disabledAt ? user : null;
  }

  /**
   * Renames, re-addresses, changes the role of, disables or enables a person. Never leaves the
   * deployment without an enabled admin who holds an active admin key. Their keys are dropped from
   * every key cache on commit, so a new role or a disabling applies to the next request.
   */
  async update(id: string, change: UserChange): Promise<User> {
    const email = change.email === undefined ? undefined : change.email === null ? null : normaliseEmail(change.email);
    const updated = await this.prisma.$transaction(async (tx) => {
      // Locks the admins' keys, so two admins demoting or disabling each other cannot both succeed.
      const adminKeys = await tx.$queryRaw<{ userId: string }[]>`
        SELECT k."userId" FROM "ApiKey" k JOIN "User" u ON u."id" = k."userId"
         WHERE k."role" = 'admin' AND k."revokedAt" IS NULL AND u."role" = 'admin' AND u."disabledAt" IS NULL
         ORDER BY k."id" FOR UPDATE OF k`;
      const existing = await tx.user.findUnique({ where: { id } });
      if (!existing) throw new NotFoundError('User', id, 'id');
      const losesAdmin = (change.role !== undefined && change.role !== 'admin') || change.disabled === true;
      if (losesAdmin && adminKeys.length > 0 && adminKeys.every((key) => key.userId === id)) {
        throw new DomainError('conflict', 'last-admin', `${existing.name} is the last enabled admin with an admin key: make someone else admin first`, change.disabled ? 'disabled' : 'role');
      }
      if (email && email !== existing.email && (await tx.user.findUnique({ where: { email } }))) {
        throw new DomainError('conflict', 'email-taken', `Someone here already has the address ${email}`, 'email');
      }
      const disabledAt = change.disabled === undefined ? undefined : change.disabled ? (existing.disabledAt ?? new Date()) : null;
      const user = await tx.user.update({
        where: { id },
        data: { ...(change.name === undefined ? {} : { name: change.name.trim() }), ...(email === undefined ? {} : { email }), ...(change.role ? { role: change.role } : {}), ...(disabledAt === undefined ? {} : { disabledAt }) },
      });
      if (change.disabled === true) {
        await tx.webSession.deleteMany({ where: { userId: id } });
        await tx.signInLink.deleteMany({ where: { userId: id, usedAt: null } });
      }
      const keys = await tx.apiKey.findMany({ where: { userId: id }, select: { id: true } });
      // Delivered to every listening process when (and only if) this transaction commits.
      if (this.config.databaseKind === 'postgres') {
        for (const key of keys) await tx.$executeRaw`SELECT pg_notify(${API_KEY_REVOKED_CHANNEL}, ${key.id})`;
      }
      return { user, keyIds: keys.map((key) => key.id) };
    });
    for (const keyId of updated.keyIds) this.cache.drop(keyId);
    return updated.user;
  }
}
