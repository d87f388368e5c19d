import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './generated/prisma/client.js';
import { SqlPool } from './sql-pool.js';

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(sql: SqlPool) {
    // One pool per process: Prisma borrows the connections the SQL hot paths use (SqlPool ends it).
    super({ adapter: new PrismaPg(sql.pool) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

/** The client handed to code that runs inside `prisma.$transaction(async (tx) => ...)`. */
export type PrismaTransaction = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];
