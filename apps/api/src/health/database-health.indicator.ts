import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

import { PrismaService } from '#db';

const TIMEOUT_MS = 2000;

/**
 * The database answers a trivial query in time. `/health/ready` needs no key, so
 * a failure says only which dependency is down: the cause (a driver error names
 * the host and port) goes to the log.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger(DatabaseHealthIndicator.name);

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly prisma: PrismaService,
  ) {}

  async isReady(key: string) {
    const indicator = this.health.check(key);
    try {
      await Promise.race([
        this.prisma.$queryRaw`SELECT 1`,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref()),
      ]);
      return indicator.up();
    } catch (error) {
      this.logger.warn({ err: error }, 'Readiness: the database does not answer');
      return indicator.down({ message: 'the database does not answer (the cause is in the log)' });
    }
  }
}
