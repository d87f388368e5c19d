import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

import { JobQueues } from '#jobs';

const TIMEOUT_MS = 2000;

/** The job backend (Redis, or BullMQ's tables in PostgreSQL) answers a cheap read in time; why not goes to the log, never to the unauthenticated answer. */
@Injectable()
export class QueueHealthIndicator {
  private readonly logger = new Logger(QueueHealthIndicator.name);

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly queues: JobQueues,
  ) {}

  async isReady(key: string) {
    const indicator = this.health.check(key);
    try {
      await Promise.race([
        this.queues.queue('maintenance').getJobCounts('waiting'),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref()),
      ]);
      return indicator.up();
    } catch (error) {
      this.logger.warn({ err: error }, 'Readiness: the job backend does not answer');
      return indicator.down({ message: 'the job backend does not answer (the cause is in the log)' });
    }
  }
}
