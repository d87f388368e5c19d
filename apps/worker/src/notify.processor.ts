import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

import { SchedulerLivenessService, type QueueJob } from '#jobs';
import { DigestService, WebhookDeliveryService } from '#notify';

/**
 * The notify queue: webhook delivery attempts (mostly waiting on receivers, so
 * many at once; an event's first attempts are one job) and the digest tick.
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
      case 'deliver-webhook': {
        const attempt = await this.deliveries.attemptScheduled(job.data.deliveryId, job.data.attempt);
        return attempt ? { attempt: attempt.attempt, succeeded: attempt.succeeded, responseCode: attempt.responseCode } : { skipped: true };
      }
      case 'deliver-event-webhooks':
        return this.deliveries.attemptFirst(job.data.deliveryIds);
      case 'send-due-digests':
        return this.digests.sendDue();
    }
  }
}
