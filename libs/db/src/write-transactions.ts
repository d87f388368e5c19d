import { Injectable } from '@nestjs/common';

import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { PrismaService, type PrismaTransaction } from './prisma.service.js';
import { SqlPool, type SqlSession } from './sql-pool.js';

/**
 * How long a write may take. Fifty requests on one prediction queue behind its
 * row lock, so Prisma's defaults (2 s for a connection, 5 s in all) are too tight
 * for a burst; these are generous but bounded. A row lock is waited for at most
 * SqlPool's lock_timeout, whichever way the transaction runs.
 */
export const WRITE_TRANSACTION_LIMITS = {
  /** An ordinary write: one request's effect. */
  request: { maxWait: 20_000, timeout: 30_000 },
  /** A write over many rows at once (a batch of readings, a feed's items). */
  batch: { maxWait: 20_000, timeout: 120_000 },
} as const;

export type WriteTransactionSize = keyof typeof WRITE_TRANSACTION_LIMITS;

/**
 * The one way a write opens its transaction. Each takes part in the current
 * request's Idempotency-Key claim (a no-op outside one), so the effect and the
 * record that it happened commit or roll back together.
 */
@Injectable()
export class WriteTransactions {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlPool,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
  ) {}

  /** A write through Prisma's client. */
  async run<T>(work: (tx: PrismaTransaction) => Promise<T>, size: WriteTransactionSize = 'request'): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      await this.idempotencyKeys.takePart(tx);
      return work(tx);
    }, WRITE_TRANSACTION_LIMITS[size]);
  }

  /** A write of hand-written statements on the pool: the hot paths, where Prisma's per-statement cost showed. */
  async runSql<T>(work: (sql: SqlSession) => Promise<T>): Promise<T> {
    return this.sql.transaction(async (sql) => {
      await this.idempotencyKeys.takePart(sql);
      return work(sql);
    });
  }
}
