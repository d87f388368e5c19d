import { FetchDeferredError, HostConcurrencyLimiter } from './host-concurrency-limiter.js';

const limits = { perHost: 3, leaseMs: 30_000, maxWaitMs: 2_000, busyRetryMs: 30_000 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('HostConcurrencyLimiter (this process counting alone, as in embedded mode)', () => {
  it('runs at most perHost at once per host, and other hosts alongside', async () => {
    const limiter = new HostConcurrencyLimiter(limits);
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    const work = (host: string) => () =>
      limiter.run(host, async () => {
        running.set(host, (running.get(host) ?? 0) + 1);
        most.set(host, Math.max(most.get(host) ?? 0, running.get(host)!));
        await sleep(5);
        running.set(host, running.get(host)! - 1);
      });
    await Promise.all([...Array.from({ length: 12 }, () => work('a.limiter.test')), ...Array.from({ length: 5 }, () => work('b.limiter.test'))].map((run) => run()));
    expect(most.get('a.limiter.test')).toBe(3);
    expect(most.get('b.limiter.test')).toBe(3);
  });

  it('defers every request to a host that is backing off, until when it asked', async () => {
    const limiter = new HostConcurrencyLimiter(limits);
    await limiter.backOff('busy.limiter.test', 60_000);
    const refused = limiter.run('busy.limiter.test', () => Promise.resolve('asked'));
    await expect(refused).rejects.toBeInstanceOf(FetchDeferredError);
    const retryAt = await refused.catch((error: FetchDeferredError) => error.retryAt.getTime());
    expect(retryAt).toBeGreaterThan(Date.now() + 55_000);
    await expect(limiter.run('calm.limiter.test', () => Promise.resolve('asked'))).resolves.toBe('asked');
  });

  it('defers a request that waited longer than maxWaitMs for a slot', async () => {
    const limiter = new HostConcurrencyLimiter({ ...limits, maxWaitMs: 100 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: 3 }, () => limiter.run('slow.limiter.test', () => held));
    await expect(limiter.run('slow.limiter.test', () => Promise.resolve())).rejects.toThrow(/stayed at its limit of 3/);
    release();
    await Promise.all(holders);
    await expect(limiter.run('slow.limiter.test', () => Promise.resolve('free'))).resolves.toBe('free');
  });
});
