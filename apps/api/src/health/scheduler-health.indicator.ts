import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

import { SchedulerLivenessService } from '#jobs';

/**
 * The recurring work still runs: no job scheduler is overdue by more than
 * SCHEDULER_LATE_AFTER_SECONDS. Down means "degraded": the API answers, but
 * feeds, deadlines or quiet days have stopped until a worker repairs the
 * schedulers (each worker does within SCHEDULER_REASSERT_SECONDS) or one is started.
 */
@Injectable()
export class SchedulerHealthIndicator {
  private readonly logger = new Logger(SchedulerHealthIndicator.name);

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly liveness: SchedulerLivenessService,
  ) {}

  async isRunning(key: string) {
    const indicator = this.health.check(key);
    let statuses;
    try {
      statuses = await this.liveness.statuses();
    } catch (error) {
      this.logger.warn({ err: error }, 'Readiness: the schedulers\' state cannot be read');
      return indicator.down({ message: 'the schedulers\' state cannot be read (the cause is in the log)' });
    }
    const stalled = statuses.filter((status) => status.stalled);
    const schedulers = Object.fromEntries(statuses.map((status) => [status.schedulerId, { lastRunAt: status.lastRunAt, overdueSeconds: Math.round(status.overdueSeconds) }]));
    if (stalled.length === 0) return indicator.up({ schedulers });
    return indicator.down({ message: 'degraded: scheduled work is overdue', stalled: stalled.map((status) => status.schedulerId), schedulers });
  }
}
