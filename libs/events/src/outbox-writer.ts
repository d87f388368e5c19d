import { Injectable } from '@nestjs/common';

import type { Prisma, PrismaTransaction } from '#db';

import type { OutboxEventInput } from './event-catalogue.js';

/**
 * The only way a change announces itself: OutboxEvent rows written in the same
 * transaction as the change, so an event exists if and only if the change
 * committed. The relay in #notify delivers them afterwards.
 */
@Injectable()
export class OutboxWriter {
  async write(tx: PrismaTransaction, events: readonly OutboxEventInput[]): Promise<void> {
    if (events.length === 0) return;
    await tx.outboxEvent.createMany({
      data: events.map((event) => ({
        type: event.type,
        predictionId: event.predictionId,
        payload: event.payload as unknown as Prisma.InputJsonObject,
      })),
    });
  }
}
