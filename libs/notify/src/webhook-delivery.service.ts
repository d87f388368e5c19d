import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError } from '#core';
import { PrismaService, WriteTransactions, type WebhookDelivery, type WebhookDeliveryAttempt } from '#db';
import { OutboxWriter } from '#events';
import { JobQueues } from '#jobs';

import { StatementBatcher } from './statement-batcher.js';
import { WebhookAttemptService } from './webhook-attempt.service.js';
import { DELIVERY_BATCHES, WebhookDeliveryRepository, type DeliveryContext } from './webhook-delivery.repository.js';
import { deliveryJobId } from './webhook-job-ids.js';

/** Webhook delivery at a glance, as /metrics reports it. */
export interface WebhookBacklog {
  pending: number;
  oldestDueLatenessSeconds: number;
  endpoints: { ok: number; failing: number; disabled: number };
}

/**
 * Which attempts of webhook deliveries to make, and when: the jobs' attempts
 * (each made at most once), a redelivery or a test ping asked for through the
 * API, and the backlog /metrics reports. The attempts themselves, and what
 * follows from their answers, are WebhookAttemptService's.
 *
 * The deliveries jobs ask for are read together across the attempts in flight
 * (one joined SELECT per batch), the first half of the fan-out's hot path.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly contexts: StatementBatcher<string, DeliveryContext | null>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly writes: WriteTransactions,
    private readonly repository: WebhookDeliveryRepository,
    private readonly attempts: WebhookAttemptService,
    private readonly queues: JobQueues,
    private readonly outbox: OutboxWriter,
  ) {
    this.contexts = new StatementBatcher(async (ids) => {
      const found = await repository.findForAttempt(ids);
      return ids.map((id) => found.get(id) ?? null);
    }, DELIVERY_BATCHES);
  }

  /** The `deliver-webhook` job: the attempt it was enqueued for, unless that attempt already happened (a stale or repeated job). */
  async attemptScheduled(deliveryId: string, attempt: number): Promise<WebhookDeliveryAttempt | null> {
    const delivery = await this.dueDelivery(deliveryId, attempt);
    return delivery ? this.attempts.attempt(delivery, { retries: true }) : null;
  }

  /**
   * The `deliver-event-webhooks` job: the first attempt of each of one event's
   * deliveries, all at once (they go to different endpoints). Each is skipped
   * when already made, as a single attempt is. A delivery whose endpoint's last
   * attempt failed is handed to a `deliver-webhook` job on the retries queue
   * instead: a receiver that is down or times out then holds up only its own
   * deliveries, not every event's job (and with them every other endpoint),
   * until it answers again. A failure to record or hand over one fails the job
   * after the others are done, and the relay's sweep retries what is still due.
   */
  async attemptFirst(deliveryIds: readonly string[]): Promise<{ succeeded: number; failed: number; skipped: number; deferred: number }> {
    const outcomes = await Promise.allSettled(deliveryIds.map((id) => this.firstAttempt(id)));
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    if (rejected) throw rejected.reason;
    const attempts = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<WebhookDeliveryAttempt | 'deferred' | null>).value);
    const succeeded = attempts.filter((attempt) => attempt !== 'deferred' && attempt?.succeeded).length;
    const skipped = attempts.filter((attempt) => attempt === null).length;
    const deferred = attempts.filter((attempt) => attempt === 'deferred').length;
    return { succeeded, failed: attempts.length - succeeded - skipped - deferred, skipped, deferred };
  }

  private async firstAttempt(deliveryId: string): Promise<WebhookDeliveryAttempt | 'deferred' | null> {
    const delivery = await this.dueDelivery(deliveryId, 0);
    if (!delivery) return null;
    if (delivery.endpoint.failureStreak > 0) {
      await this.queues.enqueue('deliver-webhook', { deliveryId, attempt: 0 }, { jobId: deliveryJobId(deliveryId, 0) });
      return 'deferred';
    }
    return this.attempts.attempt(delivery, { retries: true });
  }

  /** The delivery, if `attempt` of it is still to be made; one to an endpoint disabled since it was queued fails here, unattempted. */
  private async dueDelivery(deliveryId: string, attempt: number): Promise<DeliveryContext | null> {
    const delivery = await this.contexts.submit(deliveryId);
    if (!delivery || delivery.status !== 'pending' || delivery.attempts !== attempt) return null;
    if (delivery.endpoint.enabled) return delivery;
    await this.repository.failUnattempted(delivery.id, attempt, 'The endpoint is disabled', new Date());
    return null;
  }

  /** For /metrics: deliveries still to be made and how late the most overdue attempt is, and how many endpoints answer, fail or are disabled. */
  async backlog(now = new Date()): Promise<WebhookBacklog> {
    const [pending, endpoints] = await Promise.all([
      this.prisma.webhookDelivery.aggregate({ where: { status: 'pending' }, _count: { _all: true }, _min: { nextAttemptAt: true } }),
      this.prisma.webhookEndpoint.findMany({ select: { enabled: true, failureStreak: true } }),
    ]);
    const oldest = pending._min.nextAttemptAt;
    return {
      pending: pending._count._all,
      oldestDueLatenessSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
      endpoints: {
        ok: endpoints.filter((endpoint) => endpoint.enabled && endpoint.failureStreak === 0).length,
        failing: endpoints.filter((endpoint) => endpoint.enabled && endpoint.failureStreak > 0).length,
        disabled: endpoints.filter((endpoint) => !endpoint.enabled).length,
      },
    };
  }

  /** `POST .../deliveries/:id/redeliver`: one attempt now. A pending delivery keeps its retry schedule; a finished one gets just this attempt. */
  async redeliver(endpointId: string, deliveryId: string): Promise<{ delivery: WebhookDelivery; attempt: WebhookDeliveryAttempt }> {
    const delivery = await this.contexts.submit(deliveryId);
    if (!delivery || delivery.endpoint.id !== endpointId) throw new NotFoundError('Webhook delivery', deliveryId, 'deliveryId');
    return this.attemptNow(delivery, delivery.status === 'pending');
  }

  /** `POST /v1/webhooks/:id/test`: a `webhook.test` event sent to this endpoint alone, once, logged like any delivery. */
  async ping(endpointId: string): Promise<{ delivery: WebhookDelivery; attempt: WebhookDeliveryAttempt }> {
    const endpoint = await this.prisma.webhookEndpoint.findUnique({ where: { id: endpointId } });
    if (!endpoint) throw new NotFoundError('Webhook endpoint', endpointId, 'id');
    const deliveryId = await this.writes.run(async (tx) => {
      // Written as dispatched: the relay never fans a ping out to other endpoints.
      const [eventId] = await this.outbox.write(tx, [{ type: 'webhook.test', predictionId: null, payload: { endpointId, message: 'This is a test delivery from Bellwether.' } }], {
        dispatched: true,
      });
      return (await tx.webhookDelivery.create({ data: { endpointId, outboxEventId: eventId! }, select: { id: true } })).id;
    });
    const delivery = await this.contexts.submit(deliveryId);
    // Deleted with its endpoint in the meantime.
    if (!delivery) throw new NotFoundError('Webhook endpoint', endpointId, 'id');
    return this.attemptNow(delivery, false);
  }

  private async attemptNow(delivery: DeliveryContext, retries: boolean): Promise<{ delivery: WebhookDelivery; attempt: WebhookDeliveryAttempt }> {
    const attempt = await this.attempts.attempt(delivery, { retries });
    if (!attempt) throw new DomainError('conflict', 'delivery-in-progress', 'Another attempt of this delivery finished first; try again', 'deliveryId');
    return { delivery: await this.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } }), attempt };
  }
}
