import { StatementBatcher } from './statement-batcher.js';

describe('StatementBatcher', () => {
  it('sends calls made together as one batch and answers each its own result', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>((inputs) => {
      batches.push(inputs);
      return Promise.resolve(inputs.map((input) => input * 10));
    });
    const results = await Promise.all([1, 2, 3].map((input) => batcher.submit(input)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('holds calls made while a statement runs and sends them together when it ends, never more than maxBatch at once', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const batcher = new StatementBatcher<number, number>(
      async (inputs) => {
        batches.push(inputs);
        if (batches.length === 1) await first;
        return inputs;
      },
      { parallel: 1, maxBatch: 2 },
    );
    const running = batcher.submit(0);
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = [1, 2, 3].map((input) => batcher.submit(input));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[0]]);
    release();
    expect(await Promise.all([running, ...waiting])).toEqual([0, 1, 2, 3]);
    expect(batches).toEqual([[0], [1, 2], [3]]);
  });

  it('runs up to `parallel` statements at once', async () => {
    let active = 0;
    let most = 0;
    const batcher = new StatementBatcher<number, number>(
      async (inputs) => {
        active += 1;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active -= 1;
        return inputs;
      },
      { parallel: 2, maxBatch: 1 },
    );
    await Promise.all([1, 2, 3, 4].map((input) => batcher.submit(input)));
    expect(most).toBe(2);
  });

  it('fails every call of a failed batch, and the next batch still runs', async () => {
    let calls = 0;
    const batcher = new StatementBatcher<number, number>((inputs) => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('connection lost')) : Promise.resolve(inputs);
    });
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.submit(3)).toBe(3);
  });
});
