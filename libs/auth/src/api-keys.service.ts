import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Injectable } from '@nestjs/common';

import { AppConfig } from '#config';
import { DomainError, NotFoundError } from '#core';
import { PrismaService, type ApiKey, type ApiKeyRole } from '#db';

import { API_KEY_REVOKED_CHANNEL, ApiKeyCache } from './api-key-cache.js';
import { lowerRole } from './api-key-role.js';
import { generateApiKeyToken, hashApiKeyToken, parseApiKeyToken, tokenMatchesHash } from './api-key-token.js';

/** Who is acting: a person, through one of their keys (API) or a web session (keyId null when opened without a key). */
export interface Principal {
  userId: string;
  /** The person's name. */
  name: string;
  /** What they may do now: the lower of the person's role and the key's. */
  role: ApiKeyRole;
  keyId: string | null;
}

export type ApiKeySummary = Omit<ApiKey, 'hash'>;

/** Where the admin key of this deployment came from, for the start-up message. */
export type AdminKeyOrigin =
  | { kind: 'bootstrap-created' }
  | { kind: 'bootstrap-existing' }
  | { kind: 'generated'; token: string; file: string }
  | { kind: 'existing-keys' };

/** Only record a key's use once a minute, so reads stay reads. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    private readonly cache: ApiKeyCache,
  ) {}

  /**
   * A new key for a person (`userId`), with at most their role; without `userId`, for a new person
   * named after the key (as every key made before people existed became one).
   */
  async create(input: { name: string; role: ApiKeyRole; userId?: string }): Promise<{ token: string; key: ApiKeySummary }> {
    const token = generateApiKeyToken();
    const key = await this.insert(token, input);
    return { token, key };
  }

  async list(): Promise<ApiKeySummary[]> {
    return this.prisma.apiKey.findMany({ orderBy: { id: 'asc' }, omit: { hash: true } });
  }

  /** A person's keys, newest first. */
  async listOf(userId: string): Promise<ApiKeySummary[]> {
    return this.prisma.apiKey.findMany({ where: { userId }, orderBy: { id: 'desc' }, omit: { hash: true } });
  }

  /**
   * Revokes a key, but never the last active admin key: nobody could then
   * create or revoke keys again. The active admin keys are locked first, so
   * two admins revoking each other at once cannot both succeed. The key is
   * dropped from this process's cache once committed, and from every other
   * process's by the notification the commit delivers.
   */
  async revoke(id: string): Promise<ApiKeySummary> {
    const revoked = await this.prisma.$transaction(async (tx) => {
      const admins = await tx.$queryRaw<{ id: string }[]>`
        SELECT k."id" FROM "ApiKey" k JOIN "User" u ON u."id" = k."userId"
         WHERE k."role" = 'admin' AND k."revokedAt" IS NULL AND u."role" = 'admin' AND u."disabledAt" IS NULL
         ORDER BY k."id" FOR UPDATE OF k`;
      const existing = await tx.apiKey.findUnique({ where: { id }, omit: { hash: true } });
      if (!existing) throw new NotFoundError('API key', id, 'id');
      if (existing.revokedAt) return existing;
      if (existing.role === 'admin' && admins.every((admin) => admin.id === id)) {
        throw new DomainError('conflict', 'last-admin-key', 'This is the last active admin key: create another admin key before revoking it', 'id');
      }
      const updated = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, omit: { hash: true } });
      // Delivered to every listening process when (and only if) this transaction commits.
      if (this.config.databaseKind === 'postgres') await tx.$executeRaw`SELECT pg_notify(${API_KEY_REVOKED_CHANNEL}, ${id})`;
      return updated;
    });
    this.cache.drop(id);
    return revoked;
  }

  /**
   * The principal of a valid, unrevoked key, or null. Proven keys are served from
   * the in-process cache (keyed by the token's hash) for up to 30 s; `lastUsedAt`
   * is then written when the cache has to ask the database again.
   */
  async authenticate(token: string): Promise<Principal | null> {
    const parsed = parseApiKeyToken(token);
    if (!parsed) return null;
    const tokenHash = hashApiKeyToken(token);
    const cached = this.cache.get(tokenHash);
    if (cached) return { ...cached };
    const mark = this.cache.mark;
    const key = await this.prisma.apiKey.findUnique({ where: { prefix: parsed.prefix }, include: { user: true } });
    if (!key || key.revokedAt || key.user.disabledAt || !tokenMatchesHash(token, key.hash)) return null;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } });
    }
    const principal = { keyId: key.id, userId: key.userId, name: key.user.name, role: lowerRole(key.role, key.user.role) };
    this.cache.set(tokenHash, principal, mark);
    return { ...principal };
  }

  /**
   * BOOTSTRAP_ADMIN_KEY becomes an admin key if no key has its prefix yet. In
   * embedded mode, a database with no key at all gets a generated admin key,
   * written once to `<DATA_DIR>/admin-key` (mode 0600) so its owner can read it.
   */
  async ensureAdminKey(): Promise<AdminKeyOrigin> {
    const bootstrap = this.config.BOOTSTRAP_ADMIN_KEY;
    if (bootstrap) {
      const parsed = parseApiKeyToken(bootstrap);
      if (!parsed) throw new DomainError('invalid', 'invalid-bootstrap-key', 'BOOTSTRAP_ADMIN_KEY is malformed', 'BOOTSTRAP_ADMIN_KEY');
      const existing = await this.prisma.apiKey.findUnique({ where: { prefix: parsed.prefix } });
      if (existing) return { kind: 'bootstrap-existing' };
      await this.insert(bootstrap, { name: 'bootstrap admin', role: 'admin' }).catch(async (error: unknown) => {
        // Another replica created it at the same moment.
        if (!(await this.prisma.apiKey.findUnique({ where: { prefix: parsed.prefix } }))) throw error;
      });
      return { kind: 'bootstrap-created' };
    }
    if (this.config.databaseKind !== 'pglite' || (await this.prisma.apiKey.count()) > 0) {
      return { kind: 'existing-keys' };
    }
    const { token } = await this.create({ name: 'embedded admin', role: 'admin' });
    const file = join(this.config.DATA_DIR, 'admin-key');
    await mkdir(this.config.DATA_DIR, { recursive: true });
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return { kind: 'generated', token, file };
  }

  private async insert(token: string, input: { name: string; role: ApiKeyRole; userId?: string }): Promise<ApiKeySummary> {
    const parsed = parseApiKeyToken(token);
    if (!parsed) throw new Error('generated an unparseable API key');
    const key = { name: input.name, role: input.role, prefix: parsed.prefix, hash: hashApiKeyToken(token) };
    if (!input.userId) {
      return this.prisma.apiKey.create({ data: { ...key, user: { create: { name: input.name, role: input.role } } }, omit: { hash: true } });
    }
    const user = await this.prisma.user.findUnique({ where: { id: input.userId } });
    if (!user) throw new NotFoundError('User', input.userId, 'userId');
    if (user.disabledAt) throw new DomainError('conflict', 'user-disabled', `${user.name} is disabled: enable them before giving them a key`, 'userId');
    return this.prisma.apiKey.create({ data: { ...key, role: lowerRole(input.role, user.role), userId: user.id }, omit: { hash: true } });
  }
}
