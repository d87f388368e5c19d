import { crossesFailingThreshold, sourceHealth, SOURCE_FAILING_AFTER_SECONDS } from './source-health.js';

const HOUR = 3600 * 1000;
const created = new Date('2026-11-01T00:00:00Z');
const lastSuccess = new Date('2026-11-20T00:00:00Z');
const base = { enabled: true, lastFetchedAt: lastSuccess, lastSuccessAt: lastSuccess, lastError: null, failureStreak: 0, nextFetchAt: new Date('2026-11-20T00:30:00Z'), createdAt: created, lastFetchSummary: { status: 'fetched', newItems: 3, duplicateItems: 17, readingsRecorded: 0 } };

describe('sourceHealth', () => {
  it('shows a healthy source with the items its last fetch read', () => {
    expect(sourceHealth(base, new Date('2026-11-20T00:10:00Z'))).toEqual({
      state: 'healthy',
      lastError: null,
      consecutiveFailures: 0,
      failingSince: null,
      itemsPerFetch: 20,
      nextFetchDue: '2026-11-20T00:30:00.000Z',
    });
  });

  it('calls a source erroring at first, failing once nothing has worked for two days', () => {
    const failed = { ...base, failureStreak: 3, lastError: 'HTTP 503', lastFetchedAt: new Date(lastSuccess.getTime() + 5 * HOUR), lastFetchSummary: { status: 'failed' } };
    expect(sourceHealth(failed, new Date(lastSuccess.getTime() + 6 * HOUR))).toMatchObject({ state: 'erroring', failingSince: lastSuccess.toISOString(), consecutiveFailures: 3, itemsPerFetch: null });
    expect(sourceHealth(failed, new Date(lastSuccess.getTime() + SOURCE_FAILING_AFTER_SECONDS * 1000))).toMatchObject({ state: 'failing' });
  });
});

describe('crossesFailingThreshold', () => {
  const limit = lastSuccess.getTime() + SOURCE_FAILING_AFTER_SECONDS * 1000;
  it('is true for the first failed fetch past the line only', () => {
    const failing = { ...base, failureStreak: 4, lastFetchedAt: new Date(limit - HOUR) };
    expect(crossesFailingThreshold(failing, new Date(limit - 1))).toBe(false);
    expect(crossesFailingThreshold(failing, new Date(limit + HOUR))).toBe(true);
    expect(crossesFailingThreshold({ ...failing, lastFetchedAt: new Date(limit + HOUR) }, new Date(limit + 2 * HOUR))).toBe(false);
  });
});
