import { randomBytes } from 'node:crypto';

import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';

import { createApiApp } from '#apps/api/src/api-app.js';
import { createWorkerApp } from '#apps/worker/src/worker-app.js';
import { ApiKeysService } from '#auth';
import { loadConfig, type AppConfig } from '#config';
import { applyMigrations, DatabaseConnection, MIGRATIONS_DIRECTORY, PrismaService, type ApiKeyRole } from '#db';

import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  worker: INestApplicationContext | null;
  http: TestAgent;
  config: AppConfig;
  database: TestDatabase;
  prisma: PrismaService;
  /** The bootstrap admin key of this app. */
  adminKey: string;
  /** A new key with the given role. */
  keyFor(role: ApiKeyRole): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Where BullMQ keeps its jobs: Redis (queue mode) or the database (BullMQ's PostgreSQL backend). */
  queue?: 'redis' | 'postgres';
  /** Also boot the worker (processors and job schedulers). */
  worker?: boolean;
  env?: Record<string, string>;
  /** A database prepared by the suite (migrated at boot as in production); by default a fresh, migrated one. */
  database?: TestDatabase;
}

/** The Authorization header of a request made with `key`. */
export function auth(key: string): { Authorization: string } {
  return { Authorization: `Bearer ${key}` };
}

export function randomApiKey(): string {
  return `bw_${randomBytes(4).toString('hex')}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Boots the real API (and optionally the worker) against a database of its own
 * and a Redis prefix of its own; `close()` removes both.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  if (options.database) await applyMigrations(database.url, MIGRATIONS_DIRECTORY);
  const adminKey = randomApiKey();
  const queuePrefix = `bwtest-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: (options.queue ?? 'redis') === 'redis' ? TEST_REDIS_URL : undefined,
    QUEUE_PREFIX: queuePrefix,
    BOOTSTRAP_ADMIN_KEY: adminKey,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    OUTBOUND_ALLOWLIST: '127.0.0.1',
    SCHEDULERS: options.worker ? 'true' : 'false',
    AUDIT_SIGNING_KEY: process.env.AUDIT_SIGNING_KEY,
    ...options.env,
  });
  const connection = new DatabaseConnection(database.url, 'postgres');
  const app = await createApiApp(config, connection);
  await app.init();
  const worker = options.worker ? await createWorkerApp(config, connection) : null;
  await worker?.init();
  const apiKeys = app.get(ApiKeysService);
  return {
    app,
    worker,
    http: request(app.getHttpServer()),
    config,
    database,
    prisma: app.get(PrismaService),
    adminKey,
    keyFor: async (role) => (await apiKeys.create({ name: `test ${role}`, role })).token,
    async close() {
      await worker?.close();
      await app.close();
      await database.drop();
      if (config.REDIS_URL) await deleteRedisPrefix(config.REDIS_URL, queuePrefix);
    },
  };
}

/** A test app with an analyst's and a viewer's key: what most suites start from. */
export async function createTestAppWithKeys(options: TestAppOptions = {}): Promise<{ t: TestApp; analyst: string; viewer: string }> {
  const t = await createTestApp(options);
  return { t, analyst: await t.keyFor('analyst'), viewer: await t.keyFor('viewer') };
}

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
