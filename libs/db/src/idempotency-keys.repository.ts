import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

import { Injectable, Logger } from '@nestjs/common';

import { DomainError } from '#core';

import { PrismaService, type PrismaTransaction } from './prisma.service.js';
import { asSqlSession, type SqlSession } from './sql-pool.js';

/** How long a key and its first response are kept. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;
/** A claim that has not taken effect within this time is presumed dead (its process stopped) and may be taken over. */
export const IDEMPOTENCY_CLAIM_LEASE_SECONDS = 60;
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 1000;

export interface IdempotencyRequest {
  apiKeyId: string;
  key: string;
  fingerprint: string;
  /** `POST /v1/evidence`. */
  request: string;
}

/** The request holding a key: the row and the token that proves the claim is still this request's. */
export interface IdempotencyClaim {
  id: string;
  claimToken: string;
}

export type IdempotencyOutcome =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'in-flight' }
  | { kind: 'response-lost' };

interface KeyRow {
  id: string;
  fingerprint: string;
  claimToken: string;
  appliedAt: Date | null;
  lockedAt: Date;
  responseStatus: number | null;
  responseBody: string | null;
  completedAt: Date | null;
  expiresAt: Date;
}

/**
 * The `Idempotency-Key` table. A request claims its key before its handler runs
 * (`claim`); the transaction that makes its effect takes part with `takePart(tx)`,
 * which marks the claim applied in that same transaction, so the effect and
 * the record of it commit or roll back together; afterwards the response is
 * kept (`complete`) or, when nothing took effect, the key is released
 * (`release`). Expired rows are swept lazily, at most once a minute per process.
 */
@Injectable()
export class IdempotencyKeysRepository {
  private readonly logger = new Logger('IdempotencyKeys');
  private readonly scope = new AsyncLocalStorage<IdempotencyClaim>();
  private lastSweep = 0;

  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims the key for this request, or says why not: the first response to
   * replay, a different request, or one still in flight. Never waits on a row
   * another request holds: a request still in its effect's transaction is in flight.
   */
  async claim(request: IdempotencyRequest): Promise<IdempotencyOutcome> {
    this.sweepExpiredSometimes();
    // A row released or taken over between two statements is looked at afresh, a few times at most.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimToken = randomUUID();
      // Read first: a plain read never waits, while an insert that meets a row updated by a transaction still running would wait for it.
      const [row] = await this.prisma.$queryRaw<KeyRow[]>`
        SELECT "id", "fingerprint", "claimToken", "appliedAt", "lockedAt", "responseStatus", "responseBody", "completedAt", "expiresAt"
        FROM "IdempotencyKey" WHERE "apiKeyId" = ${request.apiKeyId}::uuid AND "key" = ${request.key}`;
      if (!row) {
        const [inserted] = await this.prisma.$queryRaw<{ id: string }[]>`
          INSERT INTO "IdempotencyKey" ("id", "apiKeyId", "key", "fingerprint", "request", "claimToken", "lockedAt", "createdAt", "expiresAt")
          VALUES (${randomUUID()}::uuid, ${request.apiKeyId}::uuid, ${request.key}, ${request.fingerprint}, ${request.request}, ${claimToken}::uuid,
                  now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', (now() AT TIME ZONE 'UTC') + make_interval(secs => ${IDEMPOTENCY_KEY_TTL_SECONDS}))
          ON CONFLICT ("apiKeyId", "key") DO NOTHING
          RETURNING "id"`;
        if (inserted) return { kind: 'claimed', claim: { id: inserted.id, claimToken } };
        continue;
      }
      const now = Date.now();
      const expired = row.expiresAt.getTime() <= now;
      if (!expired && row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
      if (!expired && row.completedAt && row.responseStatus !== null) {
        return { kind: 'replay', status: row.responseStatus, body: row.responseBody === null ? undefined : (JSON.parse(row.responseBody) as unknown) };
      }
      const leaseEnded = row.lockedAt.getTime() + IDEMPOTENCY_CLAIM_LEASE_SECONDS * 1000 < now;
      if (expired || (leaseEnded && !row.appliedAt && !row.completedAt)) {
        // Take the row over only if no transaction holds it (SKIP LOCKED) and it is still expired or stale.
        const [taken] = await this.prisma.$queryRaw<{ id: string }[]>`
          UPDATE "IdempotencyKey" SET
            "fingerprint" = ${request.fingerprint}, "request" = ${request.request}, "claimToken" = ${claimToken}::uuid,
            "lockedAt" = now() AT TIME ZONE 'UTC', "appliedAt" = NULL, "responseStatus" = NULL, "responseBody" = NULL, "completedAt" = NULL,
            "createdAt" = now() AT TIME ZONE 'UTC', "expiresAt" = (now() AT TIME ZONE 'UTC') + make_interval(secs => ${IDEMPOTENCY_KEY_TTL_SECONDS})
          WHERE "id" = (
            SELECT "id" FROM "IdempotencyKey"
            WHERE "id" = ${row.id}::uuid
              AND ("expiresAt" <= now() AT TIME ZONE 'UTC'
                   OR ("fingerprint" = ${request.fingerprint} AND "appliedAt" IS NULL AND "completedAt" IS NULL
                       AND "lockedAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${IDEMPOTENCY_CLAIM_LEASE_SECONDS})))
            FOR UPDATE SKIP LOCKED)
          RETURNING "id"`;
        if (taken) return { kind: 'claimed', claim: { id: taken.id, claimToken } };
        continue;
      }
      return row.appliedAt && leaseEnded ? { kind: 'response-lost' } : { kind: 'in-flight' };
    }
    return { kind: 'in-flight' };
  }

  /** Runs `work` (the handler) as the holder of `claim`: transactions inside it take part through `takePart`. */
  runAs<T>(claim: IdempotencyClaim, work: () => T): T {
    return this.scope.run(claim, work);
  }

  /**
   * Marks the current request's claim applied inside the effect's transaction.
   * Outside an idempotent request it does nothing. If another request has taken
   * the claim over, it throws, and the effect rolls back with it.
   */
  async takePart(tx: PrismaTransaction | SqlSession): Promise<void> {
    const claim = this.scope.getStore();
    if (!claim) return;
    const updated = await asSqlSession(tx).query(
      `UPDATE "IdempotencyKey" SET "appliedAt" = COALESCE("appliedAt", now() AT TIME ZONE 'UTC')
       WHERE "id" = $1::uuid AND "claimToken" = $2::uuid RETURNING 1`,
      [claim.id, claim.claimToken],
    );
    if (updated.length === 0) {
      throw new DomainError('conflict', 'idempotency-key-in-flight', 'Another request with this Idempotency-Key is being processed', 'Idempotency-Key');
    }
  }

  /** Keeps the response to replay; a claim taken over in the meantime is left to its new holder. */
  async complete(claim: IdempotencyClaim, status: number, body: unknown): Promise<void> {
    await this.prisma.idempotencyKey.updateMany({
      where: { id: claim.id, claimToken: claim.claimToken },
      data: { responseStatus: status, responseBody: body === undefined ? null : JSON.stringify(body), completedAt: new Date() },
    });
  }

  /** The request failed: if nothing took effect, the key is free again (a retry runs afresh). */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.prisma.idempotencyKey.deleteMany({ where: { id: claim.id, claimToken: claim.claimToken, appliedAt: null } });
  }

  /** Deletes expired keys, a batch at a time; returns how many. */
  async deleteExpired(): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM "IdempotencyKey" WHERE "id" IN (
        SELECT "id" FROM "IdempotencyKey" WHERE "expiresAt" <= now() AT TIME ZONE 'UTC' ORDER BY "expiresAt" LIMIT ${SWEEP_BATCH})`;
  }

  private sweepExpiredSometimes(): void {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    this.deleteExpired().catch((error: unknown) => this.logger.warn({ err: error }, 'Could not delete expired idempotency keys'));
  }
}
