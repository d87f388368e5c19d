import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

import { SchedulerLivenessService, type QueueJob } from '#jobs';
import { DueSourcesScheduler, RoutingModelsService, SignalRoutingService, SourceFetchCounter, SourceIngestionService, WebSubSubscriptionsService } from '#signals';

/**
 * The ingest queue: the once-a-minute tick that claims and queues due sources,
 * the fetches themselves, the sweep that routes items a crash left
 * unrouted, the retraining of the routing model (daily, or on request), and WebSub leases. Fetches mostly wait on the network, so each worker runs 16 at
 * once; the fetcher still allows only 3 requests at a time to any one host
 * across the cluster.
 */
@Processor('ingest', { concurrency: 16 })
export class IngestProcessor extends WorkerHost {
  private readonly logger = new Logger(IngestProcessor.name);

  constructor(
    private readonly liveness: SchedulerLivenessService,
    private readonly scheduler: DueSourcesScheduler,
    private readonly ingestion: SourceIngestionService,
    private readonly routing: SignalRoutingService,
    private readonly fetches: SourceFetchCounter,
    private readonly routingModels: RoutingModelsService,
    private readonly webSub: WebSubSubscriptionsService,
  ) {
    super();
  }

  async process(job: QueueJob<'ingest'>): Promise<unknown> {
    this.logger.debug({ job: job.name, jobId: job.id }, 'Processing job');
    await this.liveness.recordRun(job);
    switch (job.name) {
      case 'enqueue-due-sources':
        return { enqueued: await this.scheduler.enqueueDueSources() };
      case 'fetch-source': {
        const outcome = await this.ingestion.fetchSource(job.data.sourceId, { scheduledFor: job.data.scheduledFor });
        this.fetches.record(outcome.status);
        return outcome;
      }
      case 'route-unrouted-signals':
        return { routed: await this.routing.sweepUnrouted() };
      case 'retrain-routing-model':
        return this.routingModels.retrain(job.data.requestedBy ? `request:${job.data.requestedBy}` : 'schedule');
      case 'renew-websub-subscriptions':
        return this.webSub.renewDue();
    }
  }
}
