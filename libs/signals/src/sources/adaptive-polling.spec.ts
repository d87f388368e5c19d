import { nextPollInterval, pollingBounds } from './adaptive-polling.js';

const source = { schedule: null, intervalSeconds: 600, pollIntervalSeconds: null, lastSuccessAt: new Date('2026-12-01T00:00:00Z') };

describe('adaptive polling', () => {
  it('polls a source that changes more often, and one that does not less often, within a quarter and four times its interval', () => {
    expect(pollingBounds(600)).toEqual({ min: 150, max: 2400 });
    expect(nextPollInterval(source, 3)).toEqual({ seconds: 300, reason: '3 new on the last fetch: every 5 min' });
    expect(nextPollInterval({ ...source, pollIntervalSeconds: 300 }, 1)).toMatchObject({ seconds: 150, reason: expect.stringContaining('the shortest') });
    expect(nextPollInterval({ ...source, pollIntervalSeconds: 150 }, 1)).toMatchObject({ seconds: 150 });
    expect(nextPollInterval(source, 0)).toEqual({ seconds: 900, reason: 'nothing new on the last fetch: every 15 min' });
    expect(nextPollInterval({ ...source, pollIntervalSeconds: 2000 }, 0)).toMatchObject({ seconds: 2400, reason: expect.stringContaining('the longest') });
  });

  it('keeps the configured interval until a fetch has succeeded, never goes under a minute, and leaves cron schedules alone', () => {
    expect(nextPollInterval({ ...source, lastSuccessAt: null }, 40)).toMatchObject({ seconds: 600, reason: expect.stringContaining('as configured') });
    expect(nextPollInterval({ ...source, intervalSeconds: 60 }, 5)).toMatchObject({ seconds: 60 });
    expect(nextPollInterval({ ...source, schedule: '*/5 * * * *' }, 5)).toBeNull();
  });
});
