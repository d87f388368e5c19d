import { Processor, WorkerHost } from '@nestjs/bullmq';

import type { QueueJob } from '#jobs';
import { WebhookDeliveryService } from '#notify';

/**
 * The webhook-retries queue: one job per attempt of a delivery to a receiver
 * that failed (a retry at its time, or the first attempt to an endpoint whose
 * last attempt failed). Its slots are its own, so receivers that time out
 * hold these and never an event's first attempts to receivers that answer.
 */
@Processor('webhook-retries', { concurrency: 32 })
export class WebhookRetriesProcessor extends WorkerHost {
  constructor(private readonly deliveries: WebhookDeliveryService) {
    super();
  }

  async process(job: QueueJob<'webhook-retries'>): Promise<unknown> {
    const attempt = await this.deliveries.attemptScheduled(job.data.deliveryId, job.data.attempt);
    return attempt ? { attempt: attempt.attempt, succeeded: attempt.succeeded, responseCode: attempt.responseCode } : { skipped: true };
  }
}
