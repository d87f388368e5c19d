import { uuidV7 } from './uuid-v7.js';

describe('uuidV7', () => {
  it('is a version 7, RFC variant UUID', () => {
    expect(uuidV7()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries the millisecond it was made in', () => {
    const future = Date.UTC(2100, 0, 1);
    expect(uuidV7(future).slice(0, 13)).toBe(`${future.toString(16).padStart(12, '0').slice(0, 8)}-${future.toString(16).padStart(12, '0').slice(8)}`);
  });

  it('keeps ids made in one millisecond, even more than 4,096 of them, in the order they were made', () => {
    const now = Date.UTC(2200, 0, 1);
    const ids = Array.from({ length: 5_000 }, () => uuidV7(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every id random bits of its own, across refills of its pool of random bytes', () => {
    const tails = Array.from({ length: 3_000 }, () => uuidV7().slice(19));
    expect(new Set(tails).size).toBe(tails.length);
  });

  it('never goes backwards when the clock does', () => {
    const first = uuidV7(Date.UTC(2300, 0, 1));
    const second = uuidV7(Date.UTC(2299, 0, 1));
    expect(second > first).toBe(true);
  });
});
