import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';

import { AppConfig } from '#config';

/** One counted request: how many the window has seen, and how long until it ends. */
export interface RateLimitHit {
  hits: number;
  resetInMs: number;
}

/** Counts a hit in a fixed window that starts with its first hit; answers the count and the window's milliseconds left. */
const HIT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { hits, ttl }`;

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
  private readonly redis: Redis | null = null;
  private readonly prefix: string;
  private readonly windows = new Map<string, { hits: number; endsAt: number }>();
  private lastSweep = Date.now();
  private warned = false;

  constructor(config: AppConfig) {
    this.prefix = `${config.QUEUE_PREFIX}:rate-limit:`;
    if (config.REDIS_URL) {
      // No offline queue and a short timeout: a request never waits for Redis to come back.
      this.redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 250, connectionName: 'bellwether-rate-limits' });
      this.redis.on('error', () => undefined);
    }
  }

  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    if (this.redis?.status === 'ready') {
      try {
        const [hits, resetInMs] = (await this.redis.eval(HIT_SCRIPT, 1, `${this.prefix}${key}`, windowMs)) as [number, number];
        this.warned = false;
        return { hits, resetInMs };
      } catch (error) {
        this.warnOnce(error);
      }
    } else if (this.redis) {
      this.warnOnce(new Error(`Redis is ${this.redis.status}`));
    }
    return this.hitInMemory(key, windowMs);
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
