import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';

import { DatabaseConnection } from './database-connection.js';
import { PrismaClient } from './generated/prisma/client.js';

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(connection: DatabaseConnection) {
    // PGlite serves every connection from one session, so a large pool only queues.
    const max = connection.kind === 'pglite' ? 4 : 10;
    super({ adapter: new PrismaPg({ connectionString: connection.url, max }) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

/** The client handed to code that runs inside `prisma.$transaction(async (tx) => ...)`. */
export type PrismaTransaction = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];
