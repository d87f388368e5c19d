import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

import type { QueueJob } from '#jobs';
import { DueSourcesScheduler, SourceIngestionService } from '#signals';

/**
 * The ingest queue: the once-a-minute tick that enqueues due sources, and
 * the fetches themselves. Several fetches run at once per worker; the fetcher
 * still allows only a few requests at a time to any one host.
 */
@Processor('ingest', { concurrency: 8 })
export class IngestProcessor extends WorkerHost {
  private readonly logger = new Logger(IngestProcessor.name);

  constructor(
    private readonly scheduler: DueSourcesScheduler,
    private readonly ingestion: SourceIngestionService,
  ) {
    super();
  }

  async process(job: QueueJob<'ingest'>): Promise<unknown> {
    this.logger.log({ job: job.name, jobId: job.id }, 'Processing job');
    switch (job.name) {
      case 'enqueue-due-sources':
        return { enqueued: await this.scheduler.enqueueDueSources() };
      case 'fetch-source':
        return this.ingestion.fetchSource(job.data.sourceId, { scheduledFor: job.data.scheduledFor });
    }
  }
}
