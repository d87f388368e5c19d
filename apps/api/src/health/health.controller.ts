import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';

import { Public } from '../auth/auth.decorators.js';
import { NoRateLimit } from '../http/rate-limit/rate-limit.guard.js';
import { DatabaseHealthIndicator } from './database-health.indicator.js';
import { QueueHealthIndicator } from './queue-health.indicator.js';
import { SchedulerHealthIndicator } from './scheduler-health.indicator.js';

@ApiTags('health')
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly databaseHealth: DatabaseHealthIndicator,
    private readonly queueHealth: QueueHealthIndicator,
    private readonly schedulerHealth: SchedulerHealthIndicator,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * The database and the job backend answer, and the recurring jobs run on time:
   * a 503 whose `schedulers` entry says "degraded" means the API serves but scheduled work stopped.
   * It needs no key, so it names the dependency that is down and nothing more (no hosts, no errors: those are logged).
   */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.databaseHealth.isReady('database'),
      () => this.queueHealth.isReady('queue'),
      () => this.schedulerHealth.isRunning('schedulers'),
    ]);
  }
}
