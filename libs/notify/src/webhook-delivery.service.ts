import { Injectable, Logger } from '@nestjs/common';

import { DomainError, NotFoundError } from '#core';
import { AppConfig } from '#config';
import { PrismaService, type OutboxEvent, type WebhookDelivery, type WebhookDeliveryAttempt, type WebhookEndpoint } from '#db';
import { isEventType, OutboxWriter, type OutboxEventRecord } from '#events';
import { JobQueues } from '#jobs';
import { EvidenceService, PredictionsService } from '#predictions';

import { nextRetryDelay, parseRetrySchedule } from './retry-schedule.js';
import { slackMessage, type SlackMessageContext } from './slack-message.js';
import { StatementBatcher } from './statement-batcher.js';
import { WebhookDeliveryRepository, type DeliveryContext, type DeliverySuccess } from './webhook-delivery.repository.js';
import type { WebhookResponse } from './webhook-poster.js';
import { WebhookSender } from './webhook-sender.js';

/** Only bump lastSuccessAt this often, so a burst of successes does not rewrite the endpoint row each time. */
const LAST_SUCCESS_RESOLUTION_MS = 60_000;

/** Reads and success logs of the attempts in flight: two statements of each at a time, each for up to 64 deliveries. */
const DELIVERY_BATCHES = { parallel: 2, maxBatch: 64 };

/** The BullMQ job id of a delivery's attempt: the same attempt is enqueued at most once, however often it is asked for. */
export function deliveryJobId(deliveryId: string, attempt: number): string {
  return `deliver-webhook:${deliveryId}:${attempt}`;
}

/** The BullMQ job id of an event's first attempts: one job per event, enqueued at most once while the queue holds it (BullMQ refuses a ':' here). */
export function eventDeliveriesJobId(outboxEventId: string): string {
  return `deliver-event-webhooks-${outboxEventId}`;
}

export function toOutboxEventRecord(row: Pick<OutboxEvent, 'id' | 'type' | 'predictionId' | 'payload' | 'createdAt'>): OutboxEventRecord {
  if (!isEventType(row.type)) throw new Error(`Outbox event ${row.id} has the unknown type ${row.type}`);
  return { id: row.id, type: row.type, predictionId: row.predictionId, payload: row.payload, createdAt: row.createdAt } as unknown as OutboxEventRecord;
}

/** Webhook delivery at a glance, as /metrics reports it. */
export interface WebhookBacklog {
  pending: number;
  oldestDueLatenessSeconds: number;
  endpoints: { ok: number; failing: number; disabled: number };
}

/**
 * One HTTP attempt of a webhook delivery at a time, signed as Standard Webhooks
 * asks (the `webhook-id` is the event's id, the same on every attempt, so a
 * receiver can dedupe), and what follows from its answer: success, the next
 * attempt on the retry schedule, exhaustion, or (410 Gone, or failing for too
 * long) the endpoint disabled.
 *
 * The hot path of a fan-out is batched across the attempts in flight: the
 * deliveries jobs ask for are read together (one joined SELECT), and successes
 * are logged together (one statement updating the deliveries, inserting their
 * attempts and refreshing their endpoints). Each attempt still waits for its
 * own row to be written before its job completes. Failures, rarer and with
 * more to decide, are written one by one in a transaction.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);
  private readonly schedule: number[];
  private readonly disableAfterMs: number;
  private readonly contexts: StatementBatcher<string, DeliveryContext | null>;
  private readonly successes: StatementBatcher<DeliverySuccess, WebhookDeliveryAttempt | null>;

  constructor(
    config: AppConfig,
    private readonly prisma: PrismaService,
    repository: WebhookDeliveryRepository,
    private readonly sender: WebhookSender,
    private readonly queues: JobQueues,
    private readonly outbox: OutboxWriter,
    private readonly predictions: PredictionsService,
    private readonly evidence: EvidenceService,
  ) {
    this.schedule = parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE);
    this.disableAfterMs = config.WEBHOOK_DISABLE_AFTER_DAYS * 86_400_000;
    this.contexts = new StatementBatcher(async (ids) => {
      const found = await repository.findForAttempt(ids);
      return ids.map((id) => found.get(id) ?? null);
    }, DELIVERY_BATCHES);
    this.successes = new StatementBatcher((successes) => {
      const now = new Date();
      return repository.recordSuccesses(successes, now, new Date(now.getTime() - LAST_SUCCESS_RESOLUTION_MS));
    }, DELIVERY_BATCHES);
  }

  /** The `deliver-webhook` job: the attempt it was enqueued for, unless that attempt already happened (a stale or repeated job). */
  async attemptScheduled(deliveryId: string, attempt: number): Promise<WebhookDeliveryAttempt | null> {
    const delivery = await this.dueDelivery(deliveryId, attempt);
    return delivery ? this.attempt(delivery, { retries: true }) : null;
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
    return this.attempt(delivery, { retries: true });
  }

  /** The delivery, if `attempt` of it is still to be made; one to an endpoint disabled since it was queued fails here, unattempted. */
  private async dueDelivery(deliveryId: string, attempt: number): Promise<DeliveryContext | null> {
    const delivery = await this.contexts.submit(deliveryId);
    if (!delivery || delivery.status !== 'pending' || delivery.attempts !== attempt) return null;
    if (delivery.endpoint.enabled) return delivery;
    await this.prisma.webhookDelivery.updateMany({
      where: { id: delivery.id, attempts: attempt, status: 'pending' },
      data: { status: 'failed', nextAttemptAt: null, lastError: 'The endpoint is disabled' },
    });
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
    const delivery = await this.prisma.webhookDelivery.findFirst({ where: { id: deliveryId, endpointId }, include: { endpoint: true, outboxEvent: true } });
    if (!delivery) throw new NotFoundError('Webhook delivery', deliveryId, 'deliveryId');
    return this.attemptNow(delivery, delivery.status === 'pending');
  }

  /** `POST /v1/webhooks/:id/test`: a `webhook.test` event sent to this endpoint alone, once, logged like any delivery. */
  async ping(endpointId: string): Promise<{ delivery: WebhookDelivery; attempt: WebhookDeliveryAttempt }> {
    const endpoint = await this.prisma.webhookEndpoint.findUnique({ where: { id: endpointId } });
    if (!endpoint) throw new NotFoundError('Webhook endpoint', endpointId, 'id');
    const delivery = await this.prisma.$transaction(async (tx) => {
      // Written as dispatched: the relay never fans a ping out to other endpoints.
      const event = await tx.outboxEvent.create({
        data: { type: 'webhook.test', payload: { endpointId, message: 'This is a test delivery from Bellwether.' }, dispatchedAt: new Date() },
      });
      return tx.webhookDelivery.create({ data: { endpointId, outboxEventId: event.id }, include: { endpoint: true, outboxEvent: true } });
    });
    return this.attemptNow(delivery, false);
  }

  private async attemptNow(delivery: DeliveryContext, retries: boolean): Promise<{ delivery: WebhookDelivery; attempt: WebhookDeliveryAttempt }> {
    const attempt = await this.attempt(delivery, { retries });
    if (!attempt) throw new DomainError('conflict', 'delivery-in-progress', 'Another attempt of this delivery finished first; try again', 'deliveryId');
    return { delivery: await this.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } }), attempt };
  }

  private async attempt(delivery: DeliveryContext, options: { retries: boolean }): Promise<WebhookDeliveryAttempt | null> {
    const { endpoint } = delivery;
    const event = toOutboxEventRecord(delivery.outboxEvent);
    const body = await this.render(endpoint, event);
    const response = await this.sender.send({ url: endpoint.url, webhookId: event.id, body, secrets: activeSecrets(endpoint, new Date()) });
    if (response.succeeded) {
      return this.successes.submit({ deliveryId: delivery.id, attempts: delivery.attempts, responseCode: response.status, latencyMs: response.latencyMs, responseBody: response.bodyExcerpt });
    }
    return this.recordFailure(delivery, response, options);
  }

  /**
   * A failed attempt's outcome, written once (a second worker that made the same
   * attempt, a stalled job run twice, finds it recorded and stops): the next
   * attempt or the end of the schedule, the endpoint's failure streak, and the
   * endpoint disabled after a 410 or failing for too long.
   */
  private async recordFailure(delivery: DeliveryContext, response: WebhookResponse, options: { retries: boolean }): Promise<WebhookDeliveryAttempt | null> {
    const now = new Date();
    const attempts = delivery.attempts + 1;
    const gone = response.status === 410;
    let status: WebhookDelivery['status'];
    let nextAttemptAt: Date | null = null;
    if (gone) status = 'failed';
    else if (!options.retries) status = delivery.status === 'pending' ? 'failed' : delivery.status;
    else {
      const delay = nextRetryDelay(this.schedule, attempts);
      status = delay === null ? 'exhausted' : 'pending';
      nextAttemptAt = delay === null ? null : new Date(now.getTime() + delay);
    }

    const recorded = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.webhookDelivery.updateMany({
        where: { id: delivery.id, attempts: delivery.attempts },
        data: {
          attempts,
          status,
          nextAttemptAt,
          responseCode: response.status,
          latencyMs: response.latencyMs,
          lastError: response.error,
        },
      });
      if (updated.count === 0) return null;
      const attempt = await tx.webhookDeliveryAttempt.create({
        data: {
          deliveryId: delivery.id,
          attempt: attempts,
          succeeded: false,
          responseCode: response.status,
          latencyMs: response.latencyMs,
          responseBody: response.bodyExcerpt,
          error: response.error,
        },
      });
      const { endpoint } = delivery;
      const failing = await tx.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: { failureStreak: { increment: 1 }, failingSince: endpoint.failingSince ?? now },
        select: { failingSince: true },
      });
      const failingFor = now.getTime() - (failing.failingSince ?? now).getTime();
      const reason = gone
        ? 'The endpoint answered 410 Gone'
        : failingFor >= this.disableAfterMs
          ? `Every delivery failed for ${Math.round(failingFor / 3_600_000)} hours without a success`
          : null;
      if (reason) {
        const disabled = await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, enabled: true }, data: { enabled: false, disabledAt: now, disabledReason: reason } });
        if (disabled.count === 1) {
          await this.outbox.write(tx, [{ type: 'webhook.endpoint_disabled', predictionId: null, payload: { endpointId: endpoint.id, url: endpoint.url, reason } }]);
          this.logger.warn({ endpointId: endpoint.id, reason }, 'Webhook endpoint disabled');
        }
      }
      return attempt;
    });

    if (recorded && status === 'pending' && nextAttemptAt) {
      try {
        await this.queues.enqueue('deliver-webhook', { deliveryId: delivery.id, attempt: attempts }, { jobId: deliveryJobId(delivery.id, attempts), delay: nextAttemptAt.getTime() - now.getTime() });
      } catch (error) {
        // The row says when the attempt is due: the relay's sweep enqueues it once the queue is back.
        this.logger.warn({ deliveryId: delivery.id, err: error }, 'Could not enqueue the next webhook attempt; the sweep will');
      }
    }
    return recorded;
  }

  private async render(endpoint: DeliveryContext['endpoint'], event: OutboxEventRecord): Promise<string> {
    if (endpoint.format === 'slack') return JSON.stringify(slackMessage(event, await this.slackContext(event)));
    return JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data: event.payload });
  }

  /** Names for the message: the prediction's title and, for a move caused by evidence, its summary and likelihood ratio. */
  private async slackContext(event: OutboxEventRecord): Promise<SlackMessageContext> {
    const context: SlackMessageContext = {};
    try {
      if (event.predictionId) context.predictionTitle = (await this.predictions.get(event.predictionId)).title;
      if (event.type === 'prediction.confidence_changed' && event.payload.evidenceId) {
        const evidence = await this.evidence.get(event.payload.evidenceId);
        context.evidenceSummary = evidence.summary;
        context.likelihoodRatio = evidence.impacts.find((impact) => impact.predictionId === event.predictionId)?.likelihoodRatio;
      }
    } catch (error) {
      // A prediction or evidence gone since: the message falls back to ids and slugs.
      if (!(error instanceof DomainError)) throw error;
    }
    return context;
  }
}

/** The secrets that sign now: the current one, and the one before a rotation until it expires. */
export function activeSecrets(endpoint: Pick<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now: Date): string[] {
  const previousValid = endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > now.getTime();
  return previousValid ? [endpoint.secret, endpoint.previousSecret!] : [endpoint.secret];
}
