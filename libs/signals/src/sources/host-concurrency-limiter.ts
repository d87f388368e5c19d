import { randomUUID } from 'node:crypto';

import { Logger } from '@nestjs/common';

import { PROCESS_HOST_SLOTS, type HostSlotStore } from './host-slot-store.js';

/**
 * A fetch that was not attempted, and is not the source's failure: its host
 * asked every client to wait (429/503, until `retryAt`), or stayed at its
 * limit for longer than a fetch may wait for a slot.
 */
export class FetchDeferredError extends Error {
  override name = 'FetchDeferredError';
  constructor(
    message: string,
    readonly retryAt: Date,
  ) {
    super(message);
  }
}

export interface HostLimits {
  /** Requests at once to one host, across every process sharing the store. */
  perHost: number;
  /** A slot lapses this long after it was taken (a killed process's slots come back): longer than any request may take. */
  leaseMs: number;
  /** How long a fetch waits for a slot before it is deferred. */
  maxWaitMs: number;
  /** How long a fetch deferred for a busy host waits before it is tried again. */
  busyRetryMs: number;
}

/** Cross-process releases are noticed by polling, from a few milliseconds up to this. */
const MAX_POLL_MS = 100;
/** While the shared store cannot be reached, this process counts alone; it tries the shared store again after this. */
const STORE_RETRY_MS = 5_000;

/**
 * At most `perHost` requests at once to one host, counted in a store shared by
 * the cluster (Redis, or PostgreSQL), so ten workers do not send a host thirty.
 * A host that answered 429 or 503 is left alone for every source until its
 * backoff ends. This process's own holders are counted locally first, and
 * their releases wake local waiters at once; other processes' releases are
 * polled for. While the shared store fails, the process limits itself alone
 * (the per-process politeness of embedded mode) rather than stop fetching.
 */
export class HostConcurrencyLimiter {
  private readonly logger = new Logger(HostConcurrencyLimiter.name);
  private readonly local = new Map<string, number>();
  private readonly wakers = new Map<string, Set<() => void>>();
  private storeFailedAt = 0;

  constructor(
    private readonly limits: HostLimits,
    private readonly store: HostSlotStore = PROCESS_HOST_SLOTS,
  ) {}

  /** Slots this process holds now, by host. */
  heldHere(): ReadonlyMap<string, number> {
    return this.local;
  }

  async run<T>(host: string, work: () => Promise<T>): Promise<T> {
    const slot = await this.acquire(host);
    try {
      return await work();
    } finally {
      this.local.set(host, (this.local.get(host) ?? 1) - 1);
      if (this.local.get(host) === 0) this.local.delete(host);
      await slot.store.release(host, slot.token).catch((error: unknown) => this.storeFailed(error));
      for (const wake of this.wakers.get(host) ?? []) wake();
    }
  }

  /** Every source on `host` waits `delayMs` (the host answered 429 or 503). */
  async backOff(host: string, delayMs: number): Promise<void> {
    await this.storeNow()
      .backOff(host, delayMs)
      .catch(async (error: unknown) => {
        this.storeFailed(error);
        await PROCESS_HOST_SLOTS.backOff(host, delayMs);
      });
  }

  private async acquire(host: string): Promise<{ store: HostSlotStore; token: string }> {
    const token = randomUUID();
    const deadline = Date.now() + this.limits.maxWaitMs;
    let pollMs = 5;
    for (;;) {
      if ((this.local.get(host) ?? 0) < this.limits.perHost) {
        const store = this.storeNow();
        const attempt = await store.tryAcquire(host, token, this.limits.perHost, this.limits.leaseMs).catch((error: unknown) => {
          this.storeFailed(error);
          return null;
        });
        if (attempt?.acquired) {
          this.local.set(host, (this.local.get(host) ?? 0) + 1);
          return { store, token };
        }
        if (attempt && attempt.backingOffUntil !== null) {
          throw new FetchDeferredError(`${host} asked to be left alone until ${new Date(attempt.backingOffUntil).toISOString()}`, new Date(attempt.backingOffUntil));
        }
        // attempt === null: the store failed; the next round counts in this process alone.
        if (attempt === null) continue;
      }
      if (Date.now() >= deadline) {
        throw new FetchDeferredError(`${host} stayed at its limit of ${this.limits.perHost} requests at once for ${this.limits.maxWaitMs / 1000} s`, new Date(Date.now() + this.limits.busyRetryMs));
      }
      await this.waitForRelease(host, pollMs + Math.random() * pollMs);
      pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
    }
  }

  private waitForRelease(host: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wakers = this.wakers.get(host) ?? new Set<() => void>();
      const wake = (): void => {
        clearTimeout(timer);
        wakers.delete(wake);
        if (wakers.size === 0) this.wakers.delete(host);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
      this.wakers.set(host, wakers);
    });
  }

  private storeNow(): HostSlotStore {
    return Date.now() - this.storeFailedAt < STORE_RETRY_MS ? PROCESS_HOST_SLOTS : this.store;
  }

  private storeFailed(error: unknown): void {
    if (this.store === PROCESS_HOST_SLOTS) throw error;
    if (Date.now() - this.storeFailedAt >= STORE_RETRY_MS) {
      this.logger.warn({ err: error, store: this.store.scope }, 'The shared host limiter cannot be reached; this process limits its own requests per host meanwhile');
    }
    this.storeFailedAt = Date.now();
  }
}
