import { Global, Module, type DynamicModule } from '@nestjs/common';

import { DatabaseConnection } from './database-connection.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { PrismaService } from './prisma.service.js';
import { SqlPool } from './sql-pool.js';
import { WriteTransactions } from './write-transactions.js';

@Global()
@Module({})
export class DbModule {
  static forRoot(connection: DatabaseConnection): DynamicModule {
    return {
      module: DbModule,
      providers: [{ provide: DatabaseConnection, useValue: connection }, SqlPool, PrismaService, IdempotencyKeysRepository, WriteTransactions],
      exports: [DatabaseConnection, SqlPool, PrismaService, IdempotencyKeysRepository, WriteTransactions],
    };
  }
}
