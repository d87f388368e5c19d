import { Injectable } from '@nestjs/common';

import { SqlPool, type DeliveryStatus, type OutboxEvent, type Prisma, type WebhookDeliveryAttempt, type WebhookEndpoint, type WebhookFormat } from '#db';
import { uuidV7 } from '#core';

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
  outboxEvent: Pick<OutboxEvent, 'id' | 'type' | 'predictionId' | 'payload' | 'createdAt'>;
}

/** A successful attempt to log: the delivery as it was read (`attempts` before this one) and the receiver's answer. */
export interface DeliverySuccess {
  deliveryId: string;
  attempts: number;
  responseCode: number | null;
  latencyMs: number;
  responseBody: string | null;
}

interface DeliveryContextRow {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  deliveredAt: Date | null;
  endpointId: string;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  format: WebhookFormat;
  enabled: boolean;
  failureStreak: number;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  eventId: string;
  type: string;
  predictionId: string | null;
  payload: Prisma.JsonValue;
  createdAt: Date;
}

/**
 * The SQL of the delivery path, each call one statement for many deliveries:
 * the hot path of a fan-out reads and logs deliveries in batches (see
 * StatementBatcher) rather than one read with includes and one transaction each.
 */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly sql: SqlPool) {}

  /** The deliveries with their endpoint and event, in one joined read; a missing id (deleted with its endpoint) is absent. */
  async findForAttempt(ids: readonly string[]): Promise<Map<string, DeliveryContext>> {
    const rows = await this.sql.query<DeliveryContextRow>(
      `SELECT d."id"::text AS "id", d."status"::text AS "status", d."attempts", d."deliveredAt",
              e."id"::text AS "endpointId", e."url", e."secret", e."previousSecret", e."previousSecretExpiresAt", e."format"::text AS "format",
              e."enabled", e."failureStreak", e."failingSince", e."lastSuccessAt",
              o."id"::text AS "eventId", o."type", o."predictionId"::text AS "predictionId", o."payload", o."createdAt"
         FROM "WebhookDelivery" d
         JOIN "WebhookEndpoint" e ON e."id" = d."endpointId"
         JOIN "OutboxEvent" o ON o."id" = d."outboxEventId"
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
          outboxEvent: { id: row.eventId, type: row.type, predictionId: row.predictionId, payload: row.payload, createdAt: row.createdAt },
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
      return {
        id,
        deliveryId: success.deliveryId,
        attempt: success.attempts + 1,
        succeeded: true,
        responseCode: success.responseCode,
        latencyMs: success.latencyMs,
        responseBody: success.responseBody,
        error: null,
        createdAt: now,
      };
    });
  }
}
