import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';

import { AppConfig } from '#config';
import { PrismaService } from '#db';
import { OutboxWriter } from '#events';

import { JOB_SCHEDULES } from './job-definitions.js';
import { schedulerOverdueMs } from './scheduler-lateness.js';

export interface SchedulerStatus {
  schedulerId: string;
  job: string;
  everySeconds: number;
  lastRunAt: string | null;
  /** Seconds since the last run (or since the scheduler was put in place, before its first run). */
  ageSeconds: number;
  /** Seconds past the due time of the next run; 0 while not due. */
  overdueSeconds: number;
  stalled: boolean;
}

const SCHEDULER_IDS = new Set(JOB_SCHEDULES.map((schedule) => schedule.id));

/**
 * Whether the recurring work still happens, told by PostgreSQL rather than by
 * the queue: the queue can lose its schedulers (Redis restarted empty, a
 * flush, a fresh replica) while every connection looks healthy. Each run of a
 * scheduled job is recorded here; a run overdue by more than
 * SCHEDULER_LATE_AFTER_SECONDS is a stall.
 */
@Injectable()
export class SchedulerLivenessService {
  private readonly logger = new Logger(SchedulerLivenessService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxWriter,
    private readonly config: AppConfig,
  ) {}

  /** Called by the worker whenever it puts the schedulers in place: lateness counts from the first time. */
  async recordAsserted(): Promise<void> {
    await this.prisma.$transaction(
      JOB_SCHEDULES.map((schedule) =>
        this.prisma.schedulerRun.upsert({
          where: { schedulerId: schedule.id },
          create: { schedulerId: schedule.id, job: schedule.job, everyMs: schedule.every },
          update: { job: schedule.job, everyMs: schedule.every },
        }),
      ),
    );
  }

  /** Records a run of a job a scheduler made; jobs enqueued any other way are not runs of a schedule. */
  async recordRun(job: Pick<Job, 'name' | 'repeatJobKey'>, now = new Date()): Promise<void> {
    const schedulerId = job.repeatJobKey;
    if (!schedulerId || !SCHEDULER_IDS.has(schedulerId)) return;
    const schedule = JOB_SCHEDULES.find((candidate) => candidate.id === schedulerId)!;
    await this.prisma.schedulerRun.upsert({
      where: { schedulerId },
      create: { schedulerId, job: schedule.job, everyMs: schedule.every, lastRunAt: now, runCount: 1 },
      update: { lastRunAt: now, runCount: { increment: 1 } },
    });
  }

  async statuses(now = new Date()): Promise<SchedulerStatus[]> {
    const rows = await this.prisma.schedulerRun.findMany({ orderBy: { schedulerId: 'asc' } });
    const lateAfterMs = this.config.SCHEDULER_LATE_AFTER_SECONDS * 1000;
    return rows
      .filter((row) => SCHEDULER_IDS.has(row.schedulerId))
      .map((row) => {
        const overdueMs = schedulerOverdueMs(row, now);
        return {
          schedulerId: row.schedulerId,
          job: row.job,
          everySeconds: row.everyMs / 1000,
          lastRunAt: row.lastRunAt?.toISOString() ?? null,
          ageSeconds: (now.getTime() - (row.lastRunAt ?? row.firstAssertedAt).getTime()) / 1000,
          overdueSeconds: overdueMs / 1000,
          stalled: overdueMs > lateAfterMs,
        };
      });
  }

  /**
   * Writes one `system.scheduler_stalled` event per stall: the row remembers
   * which last run it announced, and the conditional update lets one of several
   * workers checking at once write it.
   */
  async announceStalls(now = new Date()): Promise<number> {
    let announced = 0;
    for (const status of await this.statuses(now)) {
      if (!status.stalled) continue;
      const lastRunAt = status.lastRunAt === null ? null : new Date(status.lastRunAt);
      const marker = lastRunAt ?? new Date(0);
      const wrote = await this.prisma.$transaction(async (tx) => {
        const claimed = await tx.schedulerRun.updateMany({
          where: { schedulerId: status.schedulerId, lastRunAt, OR: [{ stallAnnouncedFor: null }, { stallAnnouncedFor: { not: marker } }] },
          data: { stallAnnouncedFor: marker },
        });
        if (claimed.count === 0) return false;
        await this.outbox.write(tx, [
          {
            type: 'system.scheduler_stalled',
            predictionId: null,
            payload: {
              schedulerId: status.schedulerId,
              job: status.job,
              everySeconds: status.everySeconds,
              lastRunAt: status.lastRunAt,
              lateBySeconds: Math.round(status.overdueSeconds),
            },
          },
        ]);
        return true;
      });
      if (wrote) {
        announced += 1;
        this.logger.warn({ schedulerId: status.schedulerId, lastRunAt: status.lastRunAt, overdueSeconds: status.overdueSeconds }, 'Job scheduler stalled');
      }
    }
    return announced;
  }
}
