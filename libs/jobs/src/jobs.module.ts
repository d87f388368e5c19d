import { BullModule } from '@nestjs/bullmq';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createPostgresBackend, setDefaultBackendFactory, type ConnectionOptions } from 'bullmq';

import type { AppConfig } from '#config';
import type { DatabaseConnection } from '#db';
import { EventsModule } from '#events';

import { QUEUE_NAMES } from './job-definitions.js';
import { JobQueues } from './job-queues.js';
import { QueueErrorLogging } from './queue-error-logging.js';
import { SchedulerLivenessService } from './scheduler-liveness.service.js';

/**
 * BullMQ wiring for both deployments: Redis where REDIS_URL is set, otherwise
 * BullMQ's PostgreSQL backend on the application's own database. The queues,
 * processors and schedulers are the same in both.
 */
@Global()
@Module({})
export class JobsModule {
  static forRoot(config: AppConfig, database: DatabaseConnection): DynamicModule {
    const queues = BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name })));
    return {
      module: JobsModule,
      imports: [BullModule.forRoot(bullOptions(config, database)), queues, EventsModule, DiscoveryModule],
      providers: [JobQueues, SchedulerLivenessService, QueueErrorLogging],
      exports: [JobQueues, SchedulerLivenessService, queues],
    };
  }
}

/** QueueErrorLogging makes the workers, to listen to them before they first connect. */
const extraOptions = { manualRegistration: true };

function bullOptions(config: AppConfig, database: DatabaseConnection): { connection: ConnectionOptions; prefix?: string; extraOptions: typeof extraOptions } {
  if (config.REDIS_URL) {
    setDefaultBackendFactory(undefined);
    // Options rather than a shared client: each queue and worker then owns, and closes, its connection.
    return { connection: redisOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX, extraOptions };
  }
  setDefaultBackendFactory(createPostgresBackend);
  // On PGlite every connection shares one session: a small pool is all it can use.
  const max = database.kind === 'pglite' ? 4 : 10;
  return { connection: { connectionString: database.url, migrate: true, max } as unknown as ConnectionOptions, extraOptions };
}

function redisOptions(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
