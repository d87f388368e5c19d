import { Injectable } from '@nestjs/common';

import { uuidV7 } from '#core';
import { asSqlSession, type PrismaTransaction, type SqlSession } from '#db';

import type { OutboxEventInput } from './event-catalogue.js';

/** Outbox rows as the bound arrays `outboxInsert` reads: ids, types, prediction ids and JSON payloads, in event order. */
export interface OutboxColumns {
  ids: string[];
  types: string[];
  predictionIds: (string | null)[];
  payloads: string[];
}

export function outboxColumns(events: readonly OutboxEventInput[]): OutboxColumns {
  return {
    // Made here in event order, so the relay hands them on in the order the change announced them.
    ids: events.map(() => uuidV7()),
    types: events.map((event) => event.type),
    predictionIds: events.map((event) => event.predictionId),
    payloads: events.map((event) => JSON.stringify(event.payload)),
  };
}

/**
 * The INSERT of outbox rows from five bound parameters, starting at `$first`:
 * the four arrays of `OutboxColumns`, then the rows' creation time (ISO text).
 * A statement of its own, or one part of a larger data-modifying WITH. Rows
 * written `dispatched` are handed on as they are written: the relay never
 * fans them out.
 */
export function outboxInsert(first: number, { dispatched = false }: { dispatched?: boolean } = {}): string {
  const [ids, types, predictionIds, payloads, createdAt] = [0, 1, 2, 3, 4].map((offset) => `$${first + offset}`);
  return `INSERT INTO "OutboxEvent" ("id", "type", "predictionId", "payload", "createdAt"${dispatched ? ', "dispatchedAt"' : ''})
    SELECT event."id", event."type", event."predictionId", event."payload"::jsonb, ${createdAt}::timestamp${dispatched ? `, ${createdAt}::timestamp` : ''}
      FROM unnest(${ids}::uuid[], ${types}::text[], ${predictionIds}::uuid[], ${payloads}::text[]) AS event("id", "type", "predictionId", "payload")`;
}

export function outboxInsertValues(columns: OutboxColumns, createdAt: Date): unknown[] {
  return [columns.ids, columns.types, columns.predictionIds, columns.payloads, createdAt.toISOString()];
}

/**
 * The only way a change announces itself: OutboxEvent rows written in the same
 * transaction as the change, so an event exists if and only if the change
 * committed. The relay in #notify delivers them afterwards, except those
 * written `dispatched` (a webhook ping, which its sender delivers to one
 * endpoint itself). Answers the events' ids, in order.
 */
@Injectable()
export class OutboxWriter {
  async write(tx: PrismaTransaction | SqlSession, events: readonly OutboxEventInput[], options: { dispatched?: boolean } = {}): Promise<string[]> {
    if (events.length === 0) return [];
    const columns = outboxColumns(events);
    await asSqlSession(tx).query(outboxInsert(1, options), outboxInsertValues(columns, new Date()));
    return columns.ids;
  }
}
