import type { Job } from 'bullmq';

/**
 * The one source of truth for background work: every queue, every job name,
 * the payload each job carries, and which queue runs it.
 *
 * `webhook-retries` keeps the attempts that wait on receivers known to fail
 * (every retry, and the first attempt to an endpoint whose last attempt failed)
 * apart from `notify`, so a receiver that times out holds only those slots,
 * never the first attempts to receivers that answer.
 */
export const QUEUE_NAMES = ['maintenance', 'ingest', 'notify', 'webhook-retries'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Recompute every audit hash chain and the replay invariant. */
  'verify-audit': Record<string, never>;
  /** Sign the head of every audit chain that moved since its last checkpoint. */
  'sign-audit-checkpoints': Record<string, never>;
  /** Open predictions past their deadline become due for resolution (a prediction.due event each). */
  'mark-due-predictions': Record<string, never>;
  /** One quiet-day update per whole UTC day without the event, for "X happens by the deadline" predictions. */
  'record-quiet-days': Record<string, never>;
  /** The scheduler tick: enqueue one fetch-source job per enabled source whose nextFetchAt has come. */
  'enqueue-due-sources': Record<string, never>;
  /** Route the signal items a crash left stored but unrouted (a fetch or a submission whose process died between the two steps). */
  'route-unrouted-signals': Record<string, never>;
  /** Train a candidate routing model on the labelled set and analysts' decisions; keep it if it scores no worse. Without `requestedBy` (the actor who asked) it is the daily schedule's, which skips when nothing changed. */
  'retrain-routing-model': { requestedBy?: string };
  /** Renew WebSub leases before they run out; give up on requests a hub never verified; ask again for refused ones after a while. */
  'renew-websub-subscriptions': Record<string, never>;
  /** Fetch one source; `scheduledFor` is the nextFetchAt it was due at, so a job made stale by a change is skipped. */
  'fetch-source': { sourceId: string; scheduledFor: number };
  /** One HTTP attempt of a webhook delivery (a retry, or a first attempt to a failing endpoint); `attempt` is the delivery's attempt count it was enqueued for, so a stale job is skipped. */
  'deliver-webhook': { deliveryId: string; attempt: number };
  /** The first attempts of one event's deliveries (one per interested endpoint), made at once: a fan-out is one job per event. Deliveries to failing endpoints are handed to `deliver-webhook`. */
  'deliver-event-webhooks': { outboxEventId: string; deliveryIds: string[] };
  /** The digest tick: each subscriber whose digest period has ended gets its digest (once per subscriber and period). */
  'send-due-digests': Record<string, never>;
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE = {
  'verify-audit': 'maintenance',
  'sign-audit-checkpoints': 'maintenance',
  'mark-due-predictions': 'maintenance',
  'record-quiet-days': 'maintenance',
  'enqueue-due-sources': 'ingest',
  'fetch-source': 'ingest',
  'route-unrouted-signals': 'ingest',
  'retrain-routing-model': 'ingest',
  'renew-websub-subscriptions': 'ingest',
  'deliver-webhook': 'webhook-retries',
  'deliver-event-webhooks': 'notify',
  'send-due-digests': 'notify',
} as const satisfies { [Name in JobName]: QueueName };

/** The job names one queue runs, and its jobs typed by name: a processor's `switch (job.name)` is then exhaustive. */
export type JobNameIn<Queue extends QueueName> = { [Name in JobName]: (typeof JOB_QUEUE)[Name] extends Queue ? Name : never }[JobName];
export type QueueJob<Queue extends QueueName> = { [Name in JobNameIn<Queue>]: Job<JobPayloads[Name], unknown, Name> }[JobNameIn<Queue>];

/** Recurring jobs, created once cluster-wide as BullMQ job schedulers (upserted by id). */
export const JOB_SCHEDULES: readonly { id: string; job: JobName; every: number }[] = [
  { id: 'verify-audit-hourly', job: 'verify-audit', every: 60 * 60 * 1000 },
  { id: 'sign-audit-checkpoints-hourly', job: 'sign-audit-checkpoints', every: 60 * 60 * 1000 },
  { id: 'mark-due-predictions-every-5-minutes', job: 'mark-due-predictions', every: 5 * 60 * 1000 },
  // Hourly, not daily: each run records every whole day not yet recorded, and a day is recorded once
  // (row lock plus a unique index), so the extra runs are cheap no-ops that make a missed run harmless.
  { id: 'record-quiet-days-hourly', job: 'record-quiet-days', every: 60 * 60 * 1000 },
  { id: 'enqueue-due-sources-every-minute', job: 'enqueue-due-sources', every: 60 * 1000 },
  { id: 'route-unrouted-signals-every-minute', job: 'route-unrouted-signals', every: 60 * 1000 },
  // Daily: a run with no new decision and no changed term set since the active version trains nothing.
  { id: 'retrain-routing-model-daily', job: 'retrain-routing-model', every: 24 * 60 * 60 * 1000 },
  // Every 10 minutes: a lease is renewed a day (or a tenth of it) before it runs out.
  { id: 'renew-websub-subscriptions-every-10-minutes', job: 'renew-websub-subscriptions', every: 10 * 60 * 1000 },
  // Every 5 minutes: a subscriber's send hour passes within one tick; the DigestRun unique key makes repeats no-ops.
  { id: 'send-due-digests-every-5-minutes', job: 'send-due-digests', every: 5 * 60 * 1000 },
];
