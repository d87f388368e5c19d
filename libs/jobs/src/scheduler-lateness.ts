/** What PostgreSQL knows of one recurring job scheduler. */
export interface SchedulerRunState {
  everyMs: number;
  lastRunAt: Date | null;
  firstAssertedAt: Date;
}

/**
 * How many milliseconds past its due time a scheduler's next run is (0 when
 * not yet due). The next run is due one period after the last run, or after
 * the scheduler was first put in place when it has never run.
 */
export function schedulerOverdueMs(state: SchedulerRunState, now: Date): number {
  const since = state.lastRunAt ?? state.firstAssertedAt;
  return Math.max(0, now.getTime() - since.getTime() - state.everyMs);
}

/** A scheduler is stalled once its run is more than `lateAfterMs` overdue. */
export function isSchedulerStalled(state: SchedulerRunState, now: Date, lateAfterMs: number): boolean {
  return schedulerOverdueMs(state, now) > lateAfterMs;
}
