/** What one attempt at a host's request slot got: the slot, or why not (the host is backing off until a time, or all its slots are held). */
export type HostSlotAttempt = { acquired: true } | { acquired: false; backingOffUntil: number | null };

/**
 * Where the request slots of each host are counted: Redis (queue mode) or
 * PostgreSQL (Postgres-only mode), shared by every process of the cluster; or
 * this process alone (embedded mode, and the fallback while the shared store
 * cannot be reached).
 */
export interface HostSlotStore {
  readonly scope: 'redis' | 'postgres' | 'process';
  /** Takes one of `host`'s slots for `token` unless `limit` are held or the host is backing off; the slot lapses after `leaseMs`. */
  tryAcquire(host: string, token: string, limit: number, leaseMs: number): Promise<HostSlotAttempt>;
  release(host: string, token: string): Promise<void>;
  /** No request to `host` for `delayMs` (a later block already in place is kept). */
  backOff(host: string, delayMs: number): Promise<void>;
  /** Slots held now, by host (hosts with none are left out). */
  inUse(): Promise<Map<string, number>>;
}

/** The slots of this process: one instance per process, so the API and the worker booted together (embedded mode) share it. */
class ProcessHostSlotStore implements HostSlotStore {
  readonly scope = 'process' as const;
  private readonly held = new Map<string, Set<string>>();
  private readonly blockedUntil = new Map<string, number>();

  tryAcquire(host: string, token: string, limit: number): Promise<HostSlotAttempt> {
    const blocked = this.blockedUntil.get(host) ?? 0;
    if (blocked > Date.now()) return Promise.resolve({ acquired: false, backingOffUntil: blocked });
    if (blocked) this.blockedUntil.delete(host);
    const tokens = this.held.get(host) ?? new Set<string>();
    if (tokens.size >= limit) return Promise.resolve({ acquired: false, backingOffUntil: null });
    tokens.add(token);
    this.held.set(host, tokens);
    return Promise.resolve({ acquired: true });
  }

  release(host: string, token: string): Promise<void> {
    const tokens = this.held.get(host);
    tokens?.delete(token);
    if (tokens?.size === 0) this.held.delete(host);
    return Promise.resolve();
  }

  backOff(host: string, delayMs: number): Promise<void> {
    const until = Date.now() + delayMs;
    if (until > (this.blockedUntil.get(host) ?? 0)) this.blockedUntil.set(host, until);
    return Promise.resolve();
  }

  inUse(): Promise<Map<string, number>> {
    return Promise.resolve(new Map([...this.held].map(([host, tokens]) => [host, tokens.size])));
  }
}

export const PROCESS_HOST_SLOTS: HostSlotStore = new ProcessHostSlotStore();
