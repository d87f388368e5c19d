import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

import { SchedulerLivenessService, type QueueJob } from '#jobs';
import { DigestService, WebhookDeliveryService } from '#notify';

/**
 * The notify queue: each event's first webhook attempts (one job per event,
 * mostly waiting on receivers, so many at once) and the digest tick. Retries
 * run on the webhook-retries queue.
 */
@Processor('notify', { concurrency: 32 })
export class NotifyProcessor extends WorkerHost {
  private readonly logger = new Logger(NotifyProcessor.name);

  constructor(
    private readonly liveness: SchedulerLivenessService,
    private readonly deliveries: WebhookDeliveryService,
    private readonly digests: DigestService,
  ) {
    super();
  }

  async process(job: QueueJob<'notify'>): Promise<unknown> {
    this.logger.debug({ job: job.name, jobId: job.id }, 'Processing job');
    await this.liveness.recordRun(job);
    switch (job.name) {
      case 'deliver-event-webhooks':
        return this.deliveries.attemptFirst(job.data.deliveryIds);
      case 'send-due-digests':
        return this.digests.sendDue();
      default:
        // A retry enqueued here before retries had a queue of their own: the relay's sweep enqueues its delivery there once overdue.
        return { skipped: true, job: (job as { name: string }).name };
    }
  }
}
