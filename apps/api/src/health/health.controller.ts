import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, PrismaHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';

import { PrismaService } from '#db';

import { Public } from '../auth/auth.decorators.js';
import { NoRateLimit } from '../http/rate-limit.guard.js';
import { QueueHealthIndicator } from './queue-health.indicator.js';
import { SchedulerHealthIndicator } from './scheduler-health.indicator.js';

@ApiTags('health')
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly prismaHealth: PrismaHealthIndicator,
    private readonly queueHealth: QueueHealthIndicator,
    private readonly schedulerHealth: SchedulerHealthIndicator,
    private readonly prisma: PrismaService,
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
   */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.prismaHealth.pingCheck('database', this.prisma, { timeout: 2000 }),
      () => this.queueHealth.isReady('queue'),
      () => this.schedulerHealth.isRunning('schedulers'),
    ]);
  }
}
