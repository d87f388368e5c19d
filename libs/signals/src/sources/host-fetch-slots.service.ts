import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';

import { AppConfig } from '#config';
import { DatabaseConnection, PrismaService } from '#db';

import { HostConcurrencyLimiter } from './host-concurrency-limiter.js';
import { PROCESS_HOST_SLOTS, type HostSlotStore } from './host-slot-store.js';
import { PostgresHostSlotStore } from './postgres-host-slot-store.js';
import { RedisHostSlotStore } from './redis-host-slot-store.js';

/** The politeness limits of fetching, shared by the cluster. */
export const HOST_LIMITS = {
  perHost: 3,
  /** Longer than a request may take (FETCH_POLICY.timeoutMs), so a live request never loses its slot. */
  leaseMs: 30_000,
  maxWaitMs: 20_000,
  busyRetryMs: 30_000,
} as const;

/**
 * The per-host limiter of this deployment: in Redis where the queue is
 * (queue mode), in PostgreSQL without Redis (Postgres-only mode), and in this
 * process on PGlite (embedded mode runs one process). `inUse()` reads the
 * shared counts, so /metrics on any API replica shows the cluster's.
 */
@Injectable()
export class HostFetchSlots implements OnModuleDestroy {
  readonly store: HostSlotStore;
  readonly limiter: HostConcurrencyLimiter;
  private readonly redis: Redis | null = null;

  constructor(config: AppConfig, connection: DatabaseConnection, prisma: PrismaService) {
    if (config.REDIS_URL) {
      // Fails fast while Redis is away, so fetches fall back to this process's own count.
      this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2_000, connectionName: 'bellwether-fetch-hosts' });
      this.redis.on('error', () => undefined);
      this.store = new RedisHostSlotStore(this.redis, config.QUEUE_PREFIX);
    } else if (connection.kind === 'postgres') {
      this.store = new PostgresHostSlotStore(prisma);
    } else {
      this.store = PROCESS_HOST_SLOTS;
    }
    this.limiter = new HostConcurrencyLimiter(HOST_LIMITS, this.store);
  }

  inUse(): Promise<Map<string, number>> {
    return this.store.inUse();
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}
