import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bullmq';

import { JOB_QUEUE, JOB_SCHEDULES, type JobName, type JobPayloads, type QueueName } from './job-definitions.js';

/** Typed access to the queues: enqueue a job by name, with its payload checked at compile time. */
@Injectable()
export class JobQueues {
  constructor(private readonly moduleRef: ModuleRef) {}

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  /** A `jobId` makes the enqueue idempotent: BullMQ ignores a second job with the same id. */
  async enqueue<Name extends JobName>(name: Name, payload: JobPayloads[Name], options: { jobId?: string; delay?: number } = {}): Promise<Job> {
    return this.queue(JOB_QUEUE[name]).add(name, payload, {
      jobId: options.jobId,
      delay: options.delay,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  }

  /** Many jobs of one name in one round trip (a fan-out); each `jobId` dedupes as in `enqueue`. */
  async enqueueMany<Name extends JobName>(name: Name, jobs: readonly { payload: JobPayloads[Name]; jobId: string; delay?: number }[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue(JOB_QUEUE[name]).addBulk(
      jobs.map((job) => ({
        name,
        data: job.payload,
        opts: { jobId: job.jobId, delay: job.delay, removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } },
      })),
    );
  }

  /**
   * Removes the finished (failed or completed) jobs among `jobIds`, so that
   * adding a job with the same id again runs it: BullMQ ignores an add whose
   * id it still holds, finished or not. For work PostgreSQL says is still due
   * although its job ran (the job failed, or its outcome was never written).
   */
  async forgetFinished(name: JobName, jobIds: readonly string[]): Promise<number> {
    const queue = this.queue(JOB_QUEUE[name]);
    let removed = 0;
    for (const jobId of jobIds) {
      const job = await queue.getJob(jobId);
      if (job && ((await job.isFailed()) || (await job.isCompleted()))) {
        await job.remove();
        removed += 1;
      }
    }
    return removed;
  }

  /** Upserting by scheduler id is what keeps several starting workers from duplicating a schedule. */
  async ensureSchedules(): Promise<void> {
    for (const schedule of JOB_SCHEDULES) {
      await this.queue(JOB_QUEUE[schedule.job]).upsertJobScheduler(
        schedule.id,
        { every: schedule.every },
        { name: schedule.job, data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } } },
      );
    }
  }
}
