import { Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { ConfigModule, loadConfig, type AppConfig } from '#config';
import { DatabaseConnection, DbModule, PrismaService } from '#db';
import { PredictionsModule } from '#predictions';

import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * The service tier: a library's services and repositories built from its Nest
 * module against a real, migrated database of their own, without HTTP, the
 * worker or Redis. For what the HTTP suites cannot reach or pin down: lock
 * order, several moves in one call, a repository's exact writes.
 */
export interface ServiceContext {
  context: INestApplicationContext;
  database: TestDatabase;
  prisma: PrismaService;
  config: AppConfig;
  get<T>(type: Type<T>): T;
  close(): Promise<void>;
}

@Module({})
class PredictionsServiceModule {
  static forRoot(config: AppConfig, database: DatabaseConnection): DynamicModule {
    return { module: PredictionsServiceModule, imports: [ConfigModule.forRoot(config), DbModule.forRoot(database), PredictionsModule] };
  }
}

/** The predictions library (with #db, #events and the configuration it needs) on a database of its own, or on one the suite prepared. */
export async function createPredictionsContext(options: { database?: TestDatabase } = {}): Promise<ServiceContext> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', SCHEDULERS: 'false', SEED: 'false', AUDIT_SIGNING_KEY: process.env.AUDIT_SIGNING_KEY });
  const context = await NestFactory.createApplicationContext(PredictionsServiceModule.forRoot(config, new DatabaseConnection(database.url, 'postgres')), {
    logger: false,
  });
  await context.init();
  return {
    context,
    database,
    prisma: context.get(PrismaService),
    config,
    get: (type) => context.get(type),
    async close() {
      await context.close();
      await database.drop();
    },
  };
}
