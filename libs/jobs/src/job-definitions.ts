/**
 * The one source of truth for background work: every queue, every job name,
 * the payload each job carries, and which queue runs it.
 */
export const QUEUE_NAMES = ['maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Recompute every audit hash chain and the replay invariant. */
  'verify-audit': Record<string, never>;
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { [Name in JobName]: QueueName } = {
  'verify-audit': 'maintenance',
};

/** Recurring jobs, created once cluster-wide as BullMQ job schedulers (upserted by id). */
export const JOB_SCHEDULES: readonly { id: string; job: JobName; every: number }[] = [
  { id: 'verify-audit-hourly', job: 'verify-audit', every: 60 * 60 * 1000 },
];
