import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

import { JobQueues } from '#jobs';

const TIMEOUT_MS = 2000;

/** The job backend (Redis, or BullMQ's tables in PostgreSQL) answers a cheap read in time. */
@Injectable()
export class QueueHealthIndicator {
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
      return indicator.down({ message: (error as Error).message });
    }
  }
}
