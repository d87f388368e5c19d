import fc from 'fast-check';

import { isSchedulerStalled, schedulerOverdueMs } from './scheduler-lateness.js';

const at = (iso: string) => new Date(iso);

describe('scheduler lateness', () => {
  const minute = 60_000;

  it('is not overdue within one period of the last run', () => {
    const state = { everyMs: minute, lastRunAt: at('2026-01-01T00:00:00Z'), firstAssertedAt: at('2025-12-31T00:00:00Z') };
    expect(schedulerOverdueMs(state, at('2026-01-01T00:00:59Z'))).toBe(0);
    expect(schedulerOverdueMs(state, at('2026-01-01T00:01:00Z'))).toBe(0);
    expect(schedulerOverdueMs(state, at('2026-01-01T00:01:30Z'))).toBe(30_000);
  });

  it('counts from when the scheduler was put in place until its first run', () => {
    const state = { everyMs: minute, lastRunAt: null, firstAssertedAt: at('2026-01-01T00:00:00Z') };
    expect(schedulerOverdueMs(state, at('2026-01-01T00:05:00Z'))).toBe(4 * minute);
  });

  it('is stalled only past the allowed lateness: a minute tick more than 3 minutes late', () => {
    const state = { everyMs: minute, lastRunAt: at('2026-01-01T00:00:00Z'), firstAssertedAt: at('2026-01-01T00:00:00Z') };
    expect(isSchedulerStalled(state, at('2026-01-01T00:04:00Z'), 3 * minute)).toBe(false);
    expect(isSchedulerStalled(state, at('2026-01-01T00:04:01Z'), 3 * minute)).toBe(true);
  });

  it('grows one for one with time once due, and never goes below zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86_400_000 }), fc.integer({ min: 0, max: 10 * 86_400_000 }), fc.integer({ min: 1, max: 1_000_000 }), (everyMs, elapsed, step) => {
        const lastRunAt = at('2026-01-01T00:00:00Z');
        const state = { everyMs, lastRunAt, firstAssertedAt: lastRunAt };
        const now = new Date(lastRunAt.getTime() + elapsed);
        const later = new Date(now.getTime() + step);
        const overdue = schedulerOverdueMs(state, now);
        expect(overdue).toBeGreaterThanOrEqual(0);
        expect(overdue).toBe(Math.max(0, elapsed - everyMs));
        expect(schedulerOverdueMs(state, later) - overdue).toBeLessThanOrEqual(step);
      }),
    );
  });
});
