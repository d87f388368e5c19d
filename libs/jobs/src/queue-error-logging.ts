import { BullRegistrar, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Worker } from 'bullmq';

import { QUEUE_NAMES } from './job-definitions.js';
import { JobQueues } from './job-queues.js';

/** At most one log line per source in this window; the line says how many errors it stands for. */
const LOG_WINDOW_MS = 30_000;

interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Logs a queue's or worker's errors (mostly: its Redis or PostgreSQL
 * connection is down) through the application's logger, once per window with
 * a count of the rest. BullMQ prints each one to the console when nothing
 * listens, which while Redis is down is several stack traces a second.
 */
export function logQueueErrors(emitter: ErrorEmitter, logger: Logger, source: string, windowMs = LOG_WINDOW_MS, now: () => number = Date.now): void {
  let loggedAt = -Infinity;
  let unlogged = 0;
  emitter.on('error', (error) => {
    unlogged += 1;
    if (now() - loggedAt < windowMs) return;
    logger.warn({ err: error, source, errors: unlogged }, `${source}: ${error.message}`);
    loggedAt = now();
    unlogged = 0;
  });
}

/**
 * Listens to every queue this process enqueues to and every worker it runs,
 * from the moment each exists. The workers are made here (BullModule's
 * automatic registration is off, see JobsModule), so their listeners are on
 * before their first connection attempt can fail: a worker starting while Redis
 * is down waits for it in its bootstrap, and would print every failed attempt.
 */
@Injectable()
export class QueueErrorLogging implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(
    private readonly queues: JobQueues,
    private readonly discovery: DiscoveryService,
    private readonly registrar: BullRegistrar,
  ) {}

  onModuleInit(): void {
    for (const name of QUEUE_NAMES) logQueueErrors(this.queues.queue(name), this.logger, `queue ${name}`);
    this.registrar.register();
    for (const provider of this.discovery.getProviders()) {
      const instance: unknown = provider.instance;
      if (!(instance instanceof WorkerHost)) continue;
      const worker = instance.worker as Worker;
      logQueueErrors(worker, this.logger, `worker ${worker.name}`);
    }
  }
}
