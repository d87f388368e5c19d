import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

import { SchedulerLivenessService, type QueueJob } from '#jobs';
import { DueSourcesScheduler, SignalRoutingService, SourceIngestionService } from '#signals';

/**
 * The ingest queue: the once-a-minute tick that enqueues due sources, the
 * fetches themselves, and the sweep that routes items a crash left unrouted. Several fetches run at once per worker; the fetcher
 * still allows only a few requests at a time to any one host.
 */
@Processor('ingest', { concurrency: 8 })
export class IngestProcessor extends WorkerHost {
  private readonly logger = new Logger(IngestProcessor.name);

  constructor(
    private readonly liveness: SchedulerLivenessService,
    private readonly scheduler: DueSourcesScheduler,
    private readonly ingestion: SourceIngestionService,
    private readonly routing: SignalRoutingService,
  ) {
    super();
  }

  async process(job: QueueJob<'ingest'>): Promise<unknown> {
    this.logger.log({ job: job.name, jobId: job.id }, 'Processing job');
    await this.liveness.recordRun(job);
    switch (job.name) {
      case 'enqueue-due-sources':
        return { enqueued: await this.scheduler.enqueueDueSources() };
      case 'fetch-source':
        return this.ingestion.fetchSource(job.data.sourceId, { scheduledFor: job.data.scheduledFor });
      case 'route-unrouted-signals':
        return { routed: await this.routing.sweepUnrouted() };
    }
  }
}
