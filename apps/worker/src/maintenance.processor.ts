import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';

import type { JobName } from '#jobs';
import { AuditVerificationService } from '#predictions';

@Processor('maintenance')
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(private readonly auditVerification: AuditVerificationService) {
    super();
  }

  async process(job: Job<unknown, unknown, JobName>): Promise<unknown> {
    this.logger.log({ job: job.name, jobId: job.id }, 'Processing job');
    switch (job.name) {
      case 'verify-audit': {
        const result = await this.auditVerification.verifyAll();
        if (!result.ok) this.logger.error({ firstBroken: result.firstBroken }, 'The audit trail does not verify');
        return result;
      }
    }
  }
}
