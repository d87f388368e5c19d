import { Injectable, Logger } from '@nestjs/common';

import { AppConfig } from '#config';
import { WriteTransactions, type DeliveryStatus, type WebhookDeliveryAttempt, type WebhookEndpoint } from '#db';
import { OutboxWriter, toOutboxEventRecord } from '#events';
import { JobQueues } from '#jobs';

import { nextRetryDelay, parseRetrySchedule } from './retry-schedule.js';
import { StatementBatcher } from './statement-batcher.js';
import { DELIVERY_BATCHES, WebhookDeliveryRepository, type DeliveryContext, type DeliverySuccess } from './webhook-delivery.repository.js';
import { deliveryJobId } from './webhook-job-ids.js';
import { WebhookPayloadRenderer } from './webhook-payload-renderer.js';
import type { WebhookResponse } from './webhook-poster.js';
import { WebhookSender } from './webhook-sender.js';

/** Only bump lastSuccessAt this often, so a burst of successes does not rewrite the endpoint row each time. */
const LAST_SUCCESS_RESOLUTION_MS = 60_000;

/** The secrets that sign now: the current one, and the one before a rotation until it expires. */
export function activeSecrets(endpoint: Pick<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now: Date): string[] {
  const previousValid = endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > now.getTime();
  return previousValid ? [endpoint.secret, endpoint.previousSecret!] : [endpoint.secret];
}

/**
 * One HTTP attempt of a webhook delivery, signed as Standard Webhooks asks (the
 * `webhook-id` is the event's id, the same on every attempt, so a receiver can
 * dedupe), and what follows from its answer: success, the next attempt on the
 * retry schedule, exhaustion, or (410 Gone, or failing for too long) the
 * endpoint disabled.
 *
 * Successes, the fan-out's hot path, are logged together across the attempts
 * in flight (one statement updating the deliveries, inserting their attempts
 * and refreshing their endpoints); each attempt still waits for its own row to
 * be written. Failures, rarer and with more to decide, are logged one by one
 * in a transaction.
 */
@Injectable()
export class WebhookAttemptService {
  private readonly logger = new Logger(WebhookAttemptService.name);
  private readonly schedule: number[];
  private readonly disableAfterMs: number;
  private readonly successes: StatementBatcher<DeliverySuccess, WebhookDeliveryAttempt | null>;

  constructor(
    config: AppConfig,
    private readonly repository: WebhookDeliveryRepository,
    private readonly writes: WriteTransactions,
    private readonly payloads: WebhookPayloadRenderer,
    private readonly sender: WebhookSender,
    private readonly queues: JobQueues,
    private readonly outbox: OutboxWriter,
  ) {
    this.schedule = parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE);
    this.disableAfterMs = config.WEBHOOK_DISABLE_AFTER_DAYS * 86_400_000;
    this.successes = new StatementBatcher((successes) => {
      const now = new Date();
      return repository.recordSuccesses(successes, now, new Date(now.getTime() - LAST_SUCCESS_RESOLUTION_MS));
    }, DELIVERY_BATCHES);
  }

  /**
   * Makes the attempt after `delivery.attempts` and logs it. With `retries`, a
   * failure schedules the next attempt; without (a redelivery of a finished
   * delivery, a ping), it is the only one. Null when another run logged this
   * attempt first.
   */
  async attempt(delivery: DeliveryContext, options: { retries: boolean }): Promise<WebhookDeliveryAttempt | null> {
    const { endpoint } = delivery;
    const event = toOutboxEventRecord(delivery.outboxEvent);
    const body = await this.payloads.render(endpoint.format, event);
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
    let status: DeliveryStatus;
    let nextAttemptAt: Date | null = null;
    if (gone) status = 'failed';
    else if (!options.retries) status = delivery.status === 'pending' ? 'failed' : delivery.status;
    else {
      const delay = nextRetryDelay(this.schedule, attempts);
      status = delay === null ? 'exhausted' : 'pending';
      nextAttemptAt = delay === null ? null : new Date(now.getTime() + delay);
    }

    const { endpoint } = delivery;
    const failingSince = endpoint.failingSince ?? now;
    const recorded = await this.writes.runSql(async (sql) => {
      const attempt = await this.repository.recordFailure(
        sql,
        {
          deliveryId: delivery.id,
          attempts: delivery.attempts,
          status,
          nextAttemptAt,
          responseCode: response.status,
          latencyMs: response.latencyMs,
          responseBody: response.bodyExcerpt,
          error: response.error,
          endpointId: endpoint.id,
          failingSince,
        },
        now,
      );
      if (!attempt) return null;
      const failingFor = now.getTime() - failingSince.getTime();
      const reason = gone
        ? 'The endpoint answered 410 Gone'
        : failingFor >= this.disableAfterMs
          ? `Every delivery failed for ${Math.round(failingFor / 3_600_000)} hours without a success`
          : null;
      if (reason && (await this.repository.disableEndpoint(sql, endpoint.id, reason, now))) {
        await this.outbox.write(sql, [{ type: 'webhook.endpoint_disabled', predictionId: null, payload: { endpointId: endpoint.id, url: endpoint.url, reason } }]);
        this.logger.warn({ endpointId: endpoint.id, reason }, 'Webhook endpoint disabled');
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
}
