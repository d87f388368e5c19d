import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

import { AppConfig } from '#config';
import { OutboxRelayService } from '#notify';

const RELAY_INTERVAL = 'outbox-relay';

/**
 * A per-process duty, so @nestjs/schedule rather than a BullMQ job scheduler:
 * every worker relays the outbox every OUTBOX_RELAY_INTERVAL_MS (rows are
 * claimed with SKIP LOCKED, so workers share the work), and now and then
 * enqueues again the deliveries whose job the queue lost. The interval is
 * registered at start-up because its period comes from the configuration.
 */
@Injectable()
export class OutboxRelayScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayScheduler.name);
  private running: Promise<void> | null = null;
  private lastRequeue = 0;
  private readonly requeueEveryMs: number;

  constructor(
    private readonly config: AppConfig,
    private readonly relay: OutboxRelayService,
    private readonly registry: SchedulerRegistry,
  ) {
    this.requeueEveryMs = Math.max(1000, (config.WEBHOOK_REQUEUE_AFTER_SECONDS * 1000) / 2);
  }

  onApplicationBootstrap(): void {
    this.registry.addInterval(RELAY_INTERVAL, setInterval(() => this.tick(), this.config.OUTBOX_RELAY_INTERVAL_MS));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', RELAY_INTERVAL)) this.registry.deleteInterval(RELAY_INTERVAL);
    await this.running;
  }

  /** One tick at a time: a slow relay (a large backlog) is not overlapped by the next tick. */
  tick(): void {
    if (this.running) return;
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  private async run(): Promise<void> {
    try {
      await this.relay.relay();
      if (Date.now() - this.lastRequeue >= this.requeueEveryMs) {
        this.lastRequeue = Date.now();
        const requeued = await this.relay.requeueOverdue();
        if (requeued > 0) this.logger.log({ requeued }, 'Overdue webhook deliveries enqueued again');
      }
    } catch (error) {
      // The database or the queue is away: the events wait in the outbox for the next tick.
      this.logger.warn({ err: error }, 'Outbox relay tick failed');
    }
  }
}
