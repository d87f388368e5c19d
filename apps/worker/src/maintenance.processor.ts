import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

import { SchedulerLivenessService, type QueueJob } from '#jobs';
import { AuditCheckpointsService, AuditVerificationService, PredictionDeadlinesService } from '#predictions';

@Processor('maintenance')
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly liveness: SchedulerLivenessService,
    private readonly auditVerification: AuditVerificationService,
    private readonly checkpoints: AuditCheckpointsService,
    private readonly deadlines: PredictionDeadlinesService,
  ) {
    super();
  }

  async process(job: QueueJob<'maintenance'>): Promise<unknown> {
    this.logger.debug({ job: job.name, jobId: job.id }, 'Processing job');
    await this.liveness.recordRun(job);
    switch (job.name) {
      case 'verify-audit': {
        const result = await this.auditVerification.verifyAll();
        if (!result.ok) this.logger.error({ brokenCount: result.brokenCount, broken: result.broken.slice(0, 20) }, 'The audit trail does not verify');
        else this.logger.log({ chains: result.chains, entries: result.entries, checkpoints: result.checkpoints }, 'The audit trail verifies');
        return result;
      }
      case 'sign-audit-checkpoints':
        return { signed: (await this.checkpoints.signHeads()).length };
      case 'mark-due-predictions':
        return { due: await this.deadlines.markDue() };
      case 'record-quiet-days':
        return { recorded: await this.deadlines.recordQuietDays() };
    }
  }
}
