import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';

import { PrismaService } from '#db';

import type { FetchOutcome } from './source-ingestion.service.js';

const FLUSH_EVERY_MS = 5_000;

/**
 * Counts the scheduled fetches this process ran, by outcome, and writes its
 * running totals to PostgreSQL every few seconds (one row per process and
 * outcome, never decreasing), so /metrics on any API replica can offer the
 * cluster's total as a Prometheus counter: workers serve no HTTP.
 */
@Injectable()
export class SourceFetchCounter implements OnModuleDestroy {
  private readonly logger = new Logger(SourceFetchCounter.name);
  /** One id per process start: a restarted worker adds rows rather than resetting any, so the sum only grows. */
  readonly processId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly totals = new Map<FetchOutcome['status'], number>();
  private readonly flushed = new Map<FetchOutcome['status'], number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private readonly prisma: PrismaService) {}

  record(outcome: FetchOutcome['status']): void {
    this.totals.set(outcome, (this.totals.get(outcome) ?? 0) + 1);
    this.timer ??= setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  /** Writes the totals that changed since the last flush. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** The cluster's totals by outcome, as last flushed by each process. */
  async clusterTotals(): Promise<Map<string, number>> {
    const rows = await this.prisma.sourceFetchCount.groupBy({ by: ['outcome'], _sum: { fetches: true } });
    return new Map(rows.map((row) => [row.outcome, Number(row._sum.fetches ?? 0)]));
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    const changed = [...this.totals].filter(([outcome, total]) => this.flushed.get(outcome) !== total);
    try {
      for (const [outcome, total] of changed) {
        await this.prisma.sourceFetchCount.upsert({
          where: { processId_outcome: { processId: this.processId, outcome } },
          create: { processId: this.processId, outcome, fetches: total },
          update: { fetches: total, updatedAt: new Date() },
        });
        this.flushed.set(outcome, total);
      }
    } catch (error) {
      // The database is away: the totals are kept and written at the next flush.
      this.logger.warn({ err: error }, 'Could not write the fetch counts; will retry');
    }
  }
}
