import { Global, Module, type DynamicModule } from '@nestjs/common';

import { DatabaseConnection } from './database-connection.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { PrismaService } from './prisma.service.js';

@Global()
@Module({})
export class DbModule {
  static forRoot(connection: DatabaseConnection): DynamicModule {
    return {
      module: DbModule,
      providers: [{ provide: DatabaseConnection, useValue: connection }, PrismaService, IdempotencyKeysRepository],
      exports: [DatabaseConnection, PrismaService, IdempotencyKeysRepository],
    };
  }
}
