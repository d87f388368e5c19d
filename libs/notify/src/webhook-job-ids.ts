/** The BullMQ job id of a delivery's attempt: the same attempt is enqueued at most once, however often it is asked for. */
export function deliveryJobId(deliveryId: string, attempt: number): string {
  return `deliver-webhook:${deliveryId}:${attempt}`;
}

/** The BullMQ job id of an event's first attempts: one job per event, enqueued at most once while the queue holds it (BullMQ refuses a ':' here). */
export function eventDeliveriesJobId(outboxEventId: string): string {
  return `deliver-event-webhooks-${outboxEventId}`;
}
