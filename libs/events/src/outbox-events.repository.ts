import { Injectable } from '@nestjs/common';

import { asSqlSession, SqlPool, type OutboxEvent, type PrismaTransaction, type SqlSession } from '#db';

import { isEventType, type EventType, type OutboxEventRecord } from './event-catalogue.js';

/** An outbox row as a statement reads it, before its type is checked against the catalogue. */
export type OutboxEventRow = Pick<OutboxEvent, 'id' | 'type' | 'predictionId' | 'payload' | 'createdAt'>;

/** The row typed by the catalogue; a type the catalogue does not know throws. */
export function toOutboxEventRecord(row: OutboxEventRow): OutboxEventRecord {
  if (!isEventType(row.type)) throw new Error(`Outbox event ${row.id} has the unknown type ${row.type}`);
  return { id: row.id, type: row.type, predictionId: row.predictionId, payload: row.payload, createdAt: row.createdAt } as unknown as OutboxEventRecord;
}

/** The columns `outboxEventJoin` adds to each row of the statement it joins. */
export interface JoinedOutboxEvent {
  eventId: string;
  eventType: string;
  eventPredictionId: string | null;
  eventPayload: OutboxEvent['payload'];
  eventCreatedAt: Date;
}

/**
 * The outbox event each row of another library's statement refers to, read in
 * that same statement (a hot path that cannot afford a second round trip) while
 * only this library names the table: `columns` go in the select list, `join`
 * after the FROM, and `joinedOutboxEvent(row)` gives the event back.
 * `eventId` is the SQL expression holding the event's id, e.g. `d."outboxEventId"`.
 */
export function outboxEventJoin(eventId: string): { columns: string; join: string } {
  return {
    columns: `outbox_event."id"::text AS "eventId", outbox_event."type" AS "eventType", outbox_event."predictionId"::text AS "eventPredictionId",
              outbox_event."payload" AS "eventPayload", outbox_event."createdAt" AS "eventCreatedAt"`,
    join: `JOIN "OutboxEvent" outbox_event ON outbox_event."id" = ${eventId}`,
  };
}

export function joinedOutboxEvent(row: JoinedOutboxEvent): OutboxEventRow {
  return { id: row.eventId, type: row.eventType, predictionId: row.eventPredictionId, payload: row.eventPayload, createdAt: row.eventCreatedAt };
}

const COLUMNS = `"id"::text AS "id", "type", "predictionId"::text AS "predictionId", "payload", "createdAt"`;

/**
 * The reads of the outbox and the relay's hand-over, beside the OutboxWriter
 * that appends to it: the one way into the OutboxEvent table for every other
 * library.
 */
@Injectable()
export class OutboxEventsRepository {
  constructor(private readonly sql: SqlPool) {}

  /**
   * Up to `limit` events not yet handed on, oldest first, locked in the
   * caller's transaction until it ends. Rows another transaction holds are
   * skipped (FOR UPDATE SKIP LOCKED), so relays running at once never take the
   * same events.
   */
  async claimUndispatched(tx: PrismaTransaction | SqlSession, limit: number): Promise<OutboxEventRecord[]> {
    const rows = await asSqlSession(tx).query<OutboxEventRow>(
      `SELECT ${COLUMNS} FROM "OutboxEvent"
        WHERE "dispatchedAt" IS NULL
        ORDER BY "createdAt", "id"
        LIMIT $1
        FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map(toOutboxEventRecord);
  }

  /** Marks claimed events handed on, in the transaction that claimed them. */
  async markDispatched(tx: PrismaTransaction | SqlSession, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await asSqlSession(tx).query(`UPDATE "OutboxEvent" SET "dispatchedAt" = now() WHERE "id" = ANY($1::uuid[])`, [ids]);
  }

  /** The events of the given types written from `start` (inclusive) to `end` (exclusive), oldest first. */
  async createdBetween(start: Date, end: Date, types: readonly EventType[]): Promise<OutboxEventRecord[]> {
    const rows = await this.sql.query<OutboxEventRow>(
      `SELECT ${COLUMNS} FROM "OutboxEvent"
        WHERE "createdAt" >= $1::timestamp(3) AND "createdAt" < $2::timestamp(3) AND "type" = ANY($3::text[])
        ORDER BY "createdAt", "id"`,
      [start.toISOString(), end.toISOString(), types],
    );
    return rows.map(toOutboxEventRecord);
  }

  /** The type of each of these events, by id; an unknown id is absent. */
  async typesOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.sql.query<{ id: string; type: string }>(`SELECT "id"::text AS "id", "type" FROM "OutboxEvent" WHERE "id" = ANY($1::uuid[])`, [[...new Set(ids)]]);
    return new Map(rows.map((row) => [row.id, row.type]));
  }
}
