import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

import { AppConfig } from '#config';
import { JobQueues, SchedulerLivenessService } from '#jobs';

const REASSERT_INTERVAL = 'reassert-job-schedulers';
/** How long the start waits for the first pass: Redis being away makes it wait for as long as Redis is. */
const FIRST_PASS_WAIT_MS = 10_000;

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
    await this.firstPass();
    const interval = setInterval(() => void this.reassertQuietly(), this.config.SCHEDULER_REASSERT_SECONDS * 1000);
    // The registry clears it when the application shuts down.
    this.registry.addInterval(REASSERT_INTERVAL, interval);
  }

  /**
   * The first pass, before the worker counts as started. A pass that fails ends
   * the start; one still waiting after FIRST_PASS_WAIT_MS (Redis unreachable:
   * its commands wait for it) lets the start finish, so the worker says it runs
   * and logs what it waits for, and the pass completes once Redis is back.
   */
  private async firstPass(): Promise<void> {
    this.reasserting = true;
    const pass = this.reassert().finally(() => (this.reasserting = false));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), FIRST_PASS_WAIT_MS)));
    const outcome = await Promise.race([pass.then(() => 'done' as const), waited]).finally(() => clearTimeout(timer));
    if (outcome === 'done') {
      this.logger.log('Job schedulers are in place');
      return;
    }
    this.logger.warn(`The job schedulers are not in place after ${FIRST_PASS_WAIT_MS / 1000} s (the queue's connection is down); they will be once it is back`);
    pass.then(
      () => this.logger.log('Job schedulers are in place'),
      (error: unknown) => this.logger.warn({ err: error }, 'Could not put the job schedulers in place; will retry'),
    );
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
