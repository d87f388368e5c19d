import type { Redis } from 'ioredis';

import type { HostSlotAttempt, HostSlotStore } from './host-slot-store.js';

/** KEYS: the host's slot set, its backoff key. ARGV: token, limit, lease ms. Redis's own clock, so workers' clocks do not matter. */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return {0, blocked} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {0, 0} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1, 0}`;

/** KEYS: the host's backoff key. ARGV: delay ms. Keeps the later of the block in place and the new one. */
const BACK_OFF = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1])) end
return untilMs`;

type ScriptedRedis = Redis & {
  acquireHostFetchSlot(slots: string, backoff: string, token: string, limit: number, leaseMs: number): Promise<[number, number]>;
  backOffHostFetches(backoff: string, delayMs: number): Promise<number>;
};

/**
 * Queue mode: each host's slots are a sorted set of tokens scored by lease
 * expiry, taken and counted in one Lua script; a killed worker's slots lapse
 * with their lease. Keys live under the queue prefix.
 */
export class RedisHostSlotStore implements HostSlotStore {
  readonly scope = 'redis' as const;
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('acquireHostFetchSlot', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('backOffHostFetches', { numberOfKeys: 1, lua: BACK_OFF });
    this.redis = redis as ScriptedRedis;
  }

  private slotsKey(host: string): string {
    return `${this.prefix}:fetch-host-slots:${host}`;
  }

  private backoffKey(host: string): string {
    return `${this.prefix}:fetch-host-backoff:${host}`;
  }

  async tryAcquire(host: string, token: string, limit: number, leaseMs: number): Promise<HostSlotAttempt> {
    const [acquired, blockedUntil] = await this.redis.acquireHostFetchSlot(this.slotsKey(host), this.backoffKey(host), token, limit, leaseMs);
    return acquired === 1 ? { acquired: true } : { acquired: false, backingOffUntil: blockedUntil > 0 ? blockedUntil : null };
  }

  async release(host: string, token: string): Promise<void> {
    await this.redis.zrem(this.slotsKey(host), token);
  }

  async backOff(host: string, delayMs: number): Promise<void> {
    await this.redis.backOffHostFetches(this.backoffKey(host), Math.max(1, Math.round(delayMs)));
  }

  async inUse(): Promise<Map<string, number>> {
    const pattern = `${this.prefix}:fetch-host-slots:*`;
    const counts = new Map<string, number>();
    const now = Date.now();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      for (const key of keys) {
        const held = await this.redis.zcount(key, `(${now}`, '+inf');
        if (held > 0) counts.set(key.slice(pattern.length - 1), held);
      }
      cursor = next;
    } while (cursor !== '0');
    return counts;
  }
}
