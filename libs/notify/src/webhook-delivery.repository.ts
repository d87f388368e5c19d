import { Injectable } from '@nestjs/common';

import { asSqlSession, SqlPool, type DeliveryStatus, type PrismaTransaction, type SqlSession, type WebhookDeliveryAttempt, type WebhookEndpoint } from '#db';
import { joinedOutboxEvent, outboxEventJoin, type JoinedOutboxEvent, type OutboxEventRow } from '#events';
import { uuidV7 } from '#core';

/** Reads and success logs of the attempts in flight: two statements of each at a time, each for up to 64 deliveries. */
export const DELIVERY_BATCHES = { parallel: 2, maxBatch: 64 };

/** What an attempt needs of a delivery: the row, its endpoint and its event. */
export interface DeliveryContext {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  deliveredAt: Date | null;
  endpoint: Pick<
    WebhookEndpoint,
    'id' | 'url' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt' | 'format' | 'enabled' | 'failureStreak' | 'failingSince' | 'lastSuccessAt'
  >;
  outboxEvent: OutboxEventRow;
}

/** A successful attempt to log: the delivery as it was read (`attempts` before this one) and the receiver's answer. */
export interface DeliverySuccess {
  deliveryId: string;
  attempts: number;
  responseCode: number | null;
  latencyMs: number;
  responseBody: string | null;
}

/** A failed attempt to log: as a success, and where the delivery goes next, the error, and the endpoint's failing clock. */
export interface DeliveryFailure extends DeliverySuccess {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  error: string | null;
  endpointId: string;
  /** Since when the endpoint has been failing, as this attempt sees it: its own time when it is the first failure. */
  failingSince: Date;
}

/** One (endpoint, event) pair the relay found interested. */
export interface NewDelivery {
  endpointId: string;
  outboxEventId: string;
}

/** A DeliveryContext as the joined read returns it: one flat row. */
type DeliveryContextRow = Omit<DeliveryContext, 'endpoint' | 'outboxEvent'> & Omit<DeliveryContext['endpoint'], 'id'> & { endpointId: string } & JoinedOutboxEvent;

const EVENT = outboxEventJoin('d."outboxEventId"');

/** The attempt row a log statement wrote, as Prisma would read it. */
function attemptRow(id: string, logged: DeliverySuccess | DeliveryFailure, succeeded: boolean, createdAt: Date): WebhookDeliveryAttempt {
  const { deliveryId, attempts, responseCode, latencyMs, responseBody } = logged;
  return { id, deliveryId, attempt: attempts + 1, succeeded, responseCode, latencyMs, responseBody, error: 'error' in logged ? logged.error : null, createdAt };
}

/**
 * The SQL of the delivery path: the relay's new deliveries, the read an attempt
 * starts from, and the log of each attempt's outcome. The hot path of a fan-out
 * reads and logs successes in batches (see StatementBatcher), each call one
 * statement for many deliveries, rather than one read with includes and one
 * transaction each; a failure, rarer and with more to decide, is logged in the
 * caller's transaction.
 */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly sql: SqlPool) {}

  /**
   * A pending delivery, due now, for each pair that has none yet, in the
   * relay's transaction; answers the ones it created (a pair delivered before
   * is left alone).
   */
  async insertPending(tx: PrismaTransaction | SqlSession, deliveries: readonly NewDelivery[]): Promise<{ id: string; outboxEventId: string }[]> {
    if (deliveries.length === 0) return [];
    return asSqlSession(tx).query<{ id: string; outboxEventId: string }>(
      `INSERT INTO "WebhookDelivery" ("id", "endpointId", "outboxEventId", "nextAttemptAt", "updatedAt")
       SELECT pair.id, pair.endpoint_id, pair.event_id, now(), now()
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS pair(id, endpoint_id, event_id)
       ON CONFLICT ("endpointId", "outboxEventId") DO NOTHING
       RETURNING "id"::text AS "id", "outboxEventId"::text AS "outboxEventId"`,
      [deliveries.map(() => uuidV7()), deliveries.map((delivery) => delivery.endpointId), deliveries.map((delivery) => delivery.outboxEventId)],
    );
  }

  /** The deliveries with their endpoint and event, in one joined read; a missing id (deleted with its endpoint) is absent. */
  async findForAttempt(ids: readonly string[]): Promise<Map<string, DeliveryContext>> {
    const rows = await this.sql.query<DeliveryContextRow>(
      `SELECT d."id"::text AS "id", d."status"::text AS "status", d."attempts", d."deliveredAt",
              e."id"::text AS "endpointId", e."url", e."secret", e."previousSecret", e."previousSecretExpiresAt", e."format"::text AS "format",
              e."enabled", e."failureStreak", e."failingSince", e."lastSuccessAt",
              ${EVENT.columns}
         FROM "WebhookDelivery" d
         JOIN "WebhookEndpoint" e ON e."id" = d."endpointId"
         ${EVENT.join}
        WHERE d."id" = ANY($1::uuid[])`,
      [[...new Set(ids)]],
      'deliveries-for-attempt',
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          status: row.status,
          attempts: row.attempts,
          deliveredAt: row.deliveredAt,
          endpoint: {
            id: row.endpointId,
            url: row.url,
            secret: row.secret,
            previousSecret: row.previousSecret,
            previousSecretExpiresAt: row.previousSecretExpiresAt,
            format: row.format,
            enabled: row.enabled,
            failureStreak: row.failureStreak,
            failingSince: row.failingSince,
            lastSuccessAt: row.lastSuccessAt,
          },
          outboxEvent: joinedOutboxEvent(row),
        },
      ]),
    );
  }

  /**
   * Logs successful attempts in one statement: each delivery still at the
   * attempt count it was read with becomes `succeeded` and gets its attempt row;
   * its endpoint's failure streak is cleared and lastSuccessAt refreshed when
   * older than `staleBefore`. A delivery another run already moved on is left
   * alone and answers null, as one logged on its own would; so does a second
   * success of the same delivery in one batch (a job run twice at once).
   */
  async recordSuccesses(batch: readonly DeliverySuccess[], now: Date, staleBefore: Date): Promise<(WebhookDeliveryAttempt | null)[]> {
    const firsts = new Map<string, DeliverySuccess>();
    for (const success of batch) if (!firsts.has(success.deliveryId)) firsts.set(success.deliveryId, success);
    const successes = [...firsts.values()];
    if (successes.length === 0) return [];
    const attemptIds = successes.map(() => uuidV7(now.getTime()));
    const rows = await this.sql.query<{ id: string; deliveryId: string }>(
      `WITH input AS (
        SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::text[], $6::uuid[])
          AS i("deliveryId", "attempts", "responseCode", "latencyMs", "responseBody", "attemptId")
      ), updated AS (
        UPDATE "WebhookDelivery" d
           SET "attempts" = i."attempts" + 1, "status" = 'succeeded', "nextAttemptAt" = NULL, "responseCode" = i."responseCode",
               "latencyMs" = i."latencyMs", "lastError" = NULL, "deliveredAt" = $7::timestamp(3), "updatedAt" = $7::timestamp(3)
          FROM input i
         WHERE d."id" = i."deliveryId" AND d."attempts" = i."attempts"
        RETURNING d."id", d."endpointId"
      ), logged AS (
        INSERT INTO "WebhookDeliveryAttempt" ("id", "deliveryId", "attempt", "succeeded", "responseCode", "latencyMs", "responseBody", "error", "createdAt")
        SELECT i."attemptId", i."deliveryId", i."attempts" + 1, true, i."responseCode", i."latencyMs", i."responseBody", NULL, $7::timestamp(3)
          FROM input i JOIN updated u ON u."id" = i."deliveryId"
        RETURNING "id", "deliveryId"
      ), healthy AS (
        UPDATE "WebhookEndpoint" e
           SET "failureStreak" = 0, "failingSince" = NULL, "lastSuccessAt" = $7::timestamp(3), "updatedAt" = $7::timestamp(3)
         WHERE e."id" IN (SELECT "endpointId" FROM updated)
           AND (e."failureStreak" > 0 OR e."failingSince" IS NOT NULL OR e."lastSuccessAt" IS NULL OR e."lastSuccessAt" < $8::timestamp(3))
      )
      SELECT "id"::text AS "id", "deliveryId"::text AS "deliveryId" FROM logged`,
      [
        successes.map((success) => success.deliveryId),
        successes.map((success) => success.attempts),
        successes.map((success) => success.responseCode),
        successes.map((success) => success.latencyMs),
        successes.map((success) => success.responseBody),
        attemptIds,
        now.toISOString(),
        staleBefore.toISOString(),
      ],
      'record-delivery-successes',
    );
    const logged = new Map(rows.map((row) => [row.deliveryId, row.id]));
    return batch.map((success) => {
      const id = logged.get(success.deliveryId);
      if (!id || firsts.get(success.deliveryId) !== success) return null;
      return attemptRow(id, success, true, now);
    });
  }

  /**
   * Logs a failed attempt in the caller's transaction, if the delivery is still
   * at the attempt count it was read with: the delivery moves on to `status`,
   * the attempt gets its row, and the endpoint's failure streak grows, failing
   * since `failingSince`. Null when another run logged this attempt first.
   */
  async recordFailure(sql: SqlSession, failure: DeliveryFailure, now: Date): Promise<WebhookDeliveryAttempt | null> {
    const attemptId = uuidV7(now.getTime());
    const [logged] = await sql.query<{ id: string }>(
      `WITH updated AS (
        UPDATE "WebhookDelivery"
           SET "attempts" = $2::int + 1, "status" = $3::"DeliveryStatus", "nextAttemptAt" = $4::timestamp(3), "responseCode" = $5::int,
               "latencyMs" = $6::int, "lastError" = $8::text, "updatedAt" = $11::timestamp(3)
         WHERE "id" = $1::uuid AND "attempts" = $2::int
        RETURNING "id", "endpointId"
      ), logged AS (
        INSERT INTO "WebhookDeliveryAttempt" ("id", "deliveryId", "attempt", "succeeded", "responseCode", "latencyMs", "responseBody", "error", "createdAt")
        SELECT $9::uuid, u."id", $2::int + 1, false, $5::int, $6::int, $7::text, $8::text, $11::timestamp(3) FROM updated u
        RETURNING "id"
      ), failing AS (
        UPDATE "WebhookEndpoint" e
           SET "failureStreak" = e."failureStreak" + 1, "failingSince" = $10::timestamp(3), "updatedAt" = $11::timestamp(3)
          FROM updated u
         WHERE e."id" = u."endpointId"
      )
      SELECT "id"::text AS "id" FROM logged`,
      [
        failure.deliveryId,
        failure.attempts,
        failure.status,
        failure.nextAttemptAt?.toISOString() ?? null,
        failure.responseCode,
        failure.latencyMs,
        failure.responseBody,
        failure.error,
        attemptId,
        failure.failingSince.toISOString(),
        now.toISOString(),
      ],
      'record-delivery-failure',
    );
    return logged ? attemptRow(logged.id, failure, false, now) : null;
  }

  /** Turns an endpoint off for `reason`, in the caller's transaction; false when it was off already. */
  async disableEndpoint(sql: SqlSession, endpointId: string, reason: string, now: Date): Promise<boolean> {
    const disabled = await sql.query(
      `UPDATE "WebhookEndpoint" SET "enabled" = false, "disabledAt" = $3::timestamp(3), "disabledReason" = $2, "updatedAt" = $3::timestamp(3)
        WHERE "id" = $1::uuid AND "enabled" RETURNING 1`,
      [endpointId, reason, now.toISOString()],
    );
    return disabled.length === 1;
  }

  /** Ends a delivery that is still pending at `attempts` as failed, unattempted, for `reason` (its endpoint was disabled since it was queued). */
  async failUnattempted(deliveryId: string, attempts: number, reason: string, now: Date): Promise<void> {
    await this.sql.query(
      `UPDATE "WebhookDelivery" SET "status" = 'failed', "nextAttemptAt" = NULL, "lastError" = $3, "updatedAt" = $4::timestamp(3)
        WHERE "id" = $1::uuid AND "attempts" = $2 AND "status" = 'pending'`,
      [deliveryId, attempts, reason, now.toISOString()],
    );
  }
}
