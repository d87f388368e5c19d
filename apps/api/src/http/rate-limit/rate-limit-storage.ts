import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';

import { AppConfig } from '#config';

/** One counted request: how many the window has seen, and how long until it ends. */
export interface RateLimitHit {
  hits: number;
  resetInMs: number;
}

/**
 * Counts a hit on each key in a fixed window that starts with its first hit;
 * answers each key's count and the window's milliseconds left, in order.
 */
const HIT_SCRIPT = `
local answer = {}
for index, key in ipairs(KEYS) do
  local hits = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  answer[index * 2 - 1] = hits
  answer[index * 2] = ttl
end
return answer`;

/** The script as an ioredis command: sent by its SHA (EVALSHA), the text only when Redis does not know it yet. */
type CountingRedis = Redis & { countHits(...keysAndWindow: (string | number)[]): Promise<number[]> };

const SWEEP_EVERY_MS = 60_000;

/**
 * Where the rate limits count: in Redis in queue mode, shared by every API
 * replica (keys under `<QUEUE_PREFIX>:rate-limit:`); in this process's memory
 * otherwise (embedded mode is one process). While Redis is unreachable the
 * counts fall back to memory, so an outage neither stops nor slows the API.
 */
@Injectable()
export class RateLimitStorage implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private readonly redis: CountingRedis | null = null;
  private readonly prefix: string;
  private readonly windows = new Map<string, { hits: number; endsAt: number }>();
  private lastSweep = Date.now();
  private warned = false;

  constructor(config: AppConfig) {
    this.prefix = `${config.QUEUE_PREFIX}:rate-limit:`;
    if (config.REDIS_URL) {
      // No offline queue and a short timeout: a request never waits for Redis to come back.
      const redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 250, connectionName: 'bellwether-rate-limits' });
      redis.on('error', () => undefined);
      redis.defineCommand('countHits', { lua: HIT_SCRIPT });
      this.redis = redis as CountingRedis;
    }
  }

  /** One hit on each key, counted in one round trip; the answers in the keys' order. */
  async hit(keys: readonly string[], windowMs: number): Promise<RateLimitHit[]> {
    if (keys.length === 0) return [];
    if (this.redis?.status === 'ready') {
      try {
        const answer = await this.redis.countHits(keys.length, ...keys.map((key) => `${this.prefix}${key}`), windowMs);
        this.warned = false;
        return keys.map((_key, index) => ({ hits: answer[index * 2]!, resetInMs: answer[index * 2 + 1]! }));
      } catch (error) {
        this.warnOnce(error);
      }
    } else if (this.redis) {
      this.warnOnce(new Error(`Redis is ${this.redis.status}`));
    }
    return keys.map((key) => this.hitInMemory(key, windowMs));
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }

  private hitInMemory(key: string, windowMs: number): RateLimitHit {
    const now = Date.now();
    if (now - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = now;
      for (const [counted, window] of this.windows) if (window.endsAt <= now) this.windows.delete(counted);
    }
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { hits: 0, endsAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.hits += 1;
    return { hits: window.hits, resetInMs: window.endsAt - now };
  }

  private warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn({ err: error }, 'Rate limits count in this process while Redis is unreachable');
  }
}
