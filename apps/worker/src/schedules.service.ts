import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

import { AppConfig } from '#config';
import { JobQueues, SchedulerLivenessService } from '#jobs';

const REASSERT_INTERVAL = 'reassert-job-schedulers';

/**
 * Keeps the recurring job schedulers in place, once per cluster: BullMQ
 * upserts them by id, so every worker may do it, and doing it again changes
 * nothing. It is done at start and again every SCHEDULER_REASSERT_SECONDS (a
 * per-process duty, on @nestjs/schedule), because the queue can lose its
 * schedulers while the worker runs: a Redis restarted without its data, a
 * flush, a failover to a fresh replica, or BullMQ's tables emptied on the
 * PostgreSQL backend. The same pass announces schedulers that stalled.
 */
@Injectable()
export class SchedulesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SchedulesService.name);
  private reasserting = false;

  constructor(
    private readonly config: AppConfig,
    private readonly queues: JobQueues,
    private readonly liveness: SchedulerLivenessService,
    private readonly registry: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SCHEDULERS !== 'true') return;
    await this.reassert();
    this.logger.log('Job schedulers are in place');
    const interval = setInterval(() => void this.reassertQuietly(), this.config.SCHEDULER_REASSERT_SECONDS * 1000);
    // The registry clears it when the application shuts down.
    this.registry.addInterval(REASSERT_INTERVAL, interval);
  }

  private async reassert(): Promise<void> {
    await this.queues.ensureSchedules();
    await this.liveness.recordAsserted();
    await this.liveness.announceStalls();
  }

  /** An outage of Redis or PostgreSQL makes a pass fail; the next pass, once they are back, repairs. */
  private async reassertQuietly(): Promise<void> {
    if (this.reasserting) return;
    this.reasserting = true;
    try {
      await this.reassert();
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not put the job schedulers in place; will retry');
    } finally {
      this.reasserting = false;
    }
  }
}
