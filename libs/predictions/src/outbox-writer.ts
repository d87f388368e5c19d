import { Injectable } from '@nestjs/common';

import type { Prisma, PrismaTransaction } from '#db';

/**
 * The events the confidence engine emits for the notifications side. They are
 * written in the same transaction as the change they describe, so an event
 * exists if and only if the change committed.
 */
export type ConfidenceEventType =
  | 'evidence.recorded'
  | 'evidence.retracted'
  | 'prediction.confidence_changed'
  | 'prediction.resolved'
  | 'prediction.resolution_undone'
  | 'prediction.due';

export interface ConfidenceEvent {
  type: ConfidenceEventType;
  predictionId: string | null;
  payload: Prisma.InputJsonObject;
}

/**
 * Writes OutboxEvent rows. The outbox table belongs to the notifications lib,
 * which does not exist yet; this writer is the one place that inserts into it
 * from the confidence engine, so moving it there later is a one-file change.
 */
@Injectable()
export class OutboxWriter {
  async write(tx: PrismaTransaction, events: readonly ConfidenceEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.outboxEvent.createMany({
      data: events.map((event) => ({ type: event.type, predictionId: event.predictionId, payload: event.payload })),
    });
  }
}

/** The payload of `prediction.confidence_changed`, the same for every cause. */
export function confidenceChangedPayload(entry: {
  predictionId: string;
  sequence: number;
  kind: string;
  evidenceId: string | null;
  deltaLogOdds: number;
  probabilityBefore: number;
  probabilityAfter: number;
  actor: string;
}): Prisma.InputJsonObject {
  return {
    predictionId: entry.predictionId,
    sequence: entry.sequence,
    kind: entry.kind,
    evidenceId: entry.evidenceId,
    deltaLogOdds: entry.deltaLogOdds,
    probabilityBefore: entry.probabilityBefore,
    probabilityAfter: entry.probabilityAfter,
    actor: entry.actor,
  };
}
