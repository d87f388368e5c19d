import { Injectable, Logger } from '@nestjs/common';

import { AppConfig } from '#config';
import { PrismaService, WriteTransactions } from '#db';
import { OutboxEventsRepository } from '#events';
import { JobQueues } from '#jobs';

import { WebhookDeliveryRepository, type NewDelivery } from './webhook-delivery.repository.js';
import { endpointWants } from './webhook-filter.js';
import { deliveryJobId, eventDeliveriesJobId } from './webhook-job-ids.js';

export interface RelayOutcome {
  events: number;
  deliveries: number;
}

/** Events claimed per transaction; a tick takes batches until the outbox is empty or MAX_BATCHES_PER_TICK is reached. */
const BATCH_SIZE = 100;
const MAX_BATCHES_PER_TICK = 25;
const REQUEUE_BATCH = 1000;
/** Jobs per addBulk call, sent one call after another, so a large sweep never builds all its job objects at once. */
const ENQUEUE_CHUNK = 500;

/**
 * The outbox relay, run by every worker: claims undispatched events with
 * FOR UPDATE SKIP LOCKED (so workers never take the same rows), creates one
 * WebhookDelivery per (event, interested endpoint) and marks the events
 * dispatched, all in one transaction; then enqueues one `deliver-event-webhooks`
 * job per event (its first attempts, at once) with a deterministic id. A crash
 * before the commit leaves the events to the next claim; a crash or a queue
 * outage after it leaves pending deliveries whose attempt is overdue, which
 * `requeueOverdue` enqueues again.
 */
@Injectable()
export class OutboxRelayService {
  private readonly logger = new Logger(OutboxRelayService.name);
  private readonly requeueAfterMs: number;

  constructor(
    config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly writes: WriteTransactions,
    private readonly events: OutboxEventsRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly queues: JobQueues,
  ) {
    this.requeueAfterMs = config.WEBHOOK_REQUEUE_AFTER_SECONDS * 1000;
  }

  async relay(): Promise<RelayOutcome> {
    const total: RelayOutcome = { events: 0, deliveries: 0 };
    for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch += 1) {
      const outcome = await this.relayBatch();
      total.events += outcome.events;
      total.deliveries += outcome.deliveries;
      if (outcome.events < BATCH_SIZE) break;
    }
    if (total.events > 0) this.logger.log(total, 'Outbox events relayed');
    return total;
  }

  private async relayBatch(): Promise<RelayOutcome> {
    const created = await this.writes.run(async (tx) => {
      const events = await this.events.claimUndispatched(tx, BATCH_SIZE);
      if (events.length === 0) return { events: 0, deliveries: [] as { id: string; outboxEventId: string }[] };
      const endpoints = await tx.webhookEndpoint.findMany({ where: { enabled: true }, select: { id: true, events: true, predictionIds: true, minProbabilityChange: true, format: true } });
      const wanted: NewDelivery[] = [];
      for (const event of events) {
        for (const endpoint of endpoints) if (endpointWants(endpoint, event)) wanted.push({ endpointId: endpoint.id, outboxEventId: event.id });
      }
      const inserted = await this.deliveries.insertPending(tx, wanted);
      await this.events.markDispatched(tx, events.map((event) => event.id));
      return { events: events.length, deliveries: inserted };
    });
    await this.enqueue(created.deliveries.map((delivery) => ({ ...delivery, attempts: 0 })));
    return { events: created.events, deliveries: created.deliveries.length };
  }

  /**
   * Pending deliveries whose attempt is overdue by more than WEBHOOK_REQUEUE_AFTER_SECONDS
   * are enqueued again under the same job id: a no-op for jobs the queue still
   * holds, the recovery for jobs it never got (a crash after the commit, Redis down).
   */
  async requeueOverdue(now = new Date()): Promise<number> {
    const overdue = await this.prisma.webhookDelivery.findMany({
      where: { status: 'pending', nextAttemptAt: { lte: new Date(now.getTime() - this.requeueAfterMs) } },
      select: { id: true, attempts: true, outboxEventId: true },
      orderBy: { nextAttemptAt: 'asc' },
      take: REQUEUE_BATCH,
    });
    try {
      // A job that ran but whose outcome was never written (the write failed) would block its own re-add.
      const firsts = new Set(overdue.filter((delivery) => delivery.attempts === 0).map((delivery) => eventDeliveriesJobId(delivery.outboxEventId)));
      await this.queues.forgetFinished('deliver-event-webhooks', [...firsts]);
      // A first attempt handed to the retries queue (its endpoint was failing) has a job there too.
      await this.queues.forgetFinished(
        'deliver-webhook',
        overdue.map((delivery) => deliveryJobId(delivery.id, delivery.attempts)),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not look up the jobs of overdue deliveries; the sweep tries again');
    }
    await this.enqueue(overdue);
    return overdue.length;
  }

  /**
   * First attempts go out as one job per event (its deliveries to every
   * interested endpoint), later ones as a job per delivery on the retries
   * queue, each under a deterministic id.
   */
  private async enqueue(deliveries: readonly { id: string; attempts: number; outboxEventId: string }[]): Promise<void> {
    if (deliveries.length === 0) return;
    const firstsByEvent = new Map<string, string[]>();
    for (const delivery of deliveries.filter((candidate) => candidate.attempts === 0)) {
      firstsByEvent.set(delivery.outboxEventId, [...(firstsByEvent.get(delivery.outboxEventId) ?? []), delivery.id]);
    }
    const events = [...firstsByEvent].map(([outboxEventId, deliveryIds]) => ({ payload: { outboxEventId, deliveryIds }, jobId: eventDeliveriesJobId(outboxEventId) }));
    const retries = deliveries
      .filter((delivery) => delivery.attempts > 0)
      .map((delivery) => ({ payload: { deliveryId: delivery.id, attempt: delivery.attempts }, jobId: deliveryJobId(delivery.id, delivery.attempts) }));
    try {
      for (let from = 0; from < events.length; from += ENQUEUE_CHUNK) await this.queues.enqueueMany('deliver-event-webhooks', events.slice(from, from + ENQUEUE_CHUNK));
      for (let from = 0; from < retries.length; from += ENQUEUE_CHUNK) await this.queues.enqueueMany('deliver-webhook', retries.slice(from, from + ENQUEUE_CHUNK));
    } catch (error) {
      this.logger.warn({ deliveries: deliveries.length, err: error }, 'Could not enqueue webhook deliveries; the sweep will once the queue is back');
    }
  }
}
