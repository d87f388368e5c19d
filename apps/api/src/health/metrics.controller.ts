import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Gauge, register } from 'prom-client';

import { SchedulerLivenessService } from '#jobs';
import { WebhookDeliveryService } from '#notify';
import { DueSourcesScheduler, HostFetchSlots, SourceFetchCounter } from '#signals';

import { Public } from '../auth/auth.decorators.js';
import { NoRateLimit } from '../http/rate-limit/rate-limit.guard.js';

let defaultMetricsCollected = false;

/** A gauge of the process-wide registry, created once however many apps a process boots (the tests boot many). */
function gauge(name: string, help: string, labelNames: string[] = []): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, labelNames });
}

/** A counter kept in PostgreSQL by the workers that count (they serve no HTTP), brought up to the stored totals at each scrape. */
function storedCounter(name: string, help: string, labelNames: string[]): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

/**
 * Prometheus scrape endpoint: process metrics, the HTTP metrics recorded by
 * recordHttpMetrics, and the state of the scheduled work and of webhook
 * delivery read from PostgreSQL at each scrape (so any API replica reports the
 * cluster's view).
 */
@ApiExcludeController()
@Public()
@NoRateLimit()
@Controller('metrics')
export class MetricsController {
  private readonly schedulerAge = gauge('bellwether_scheduler_last_run_age_seconds', 'Seconds since each job scheduler last ran (or was put in place)', ['scheduler']);
  private readonly schedulerOverdue = gauge('bellwether_scheduler_overdue_seconds', 'Seconds past the due time of each job scheduler\'s next run', ['scheduler']);
  private readonly sourcesDue = gauge('bellwether_sources_due', 'Enabled sources whose fetch is due and not yet done');
  private readonly oldestDueLateness = gauge('bellwether_sources_oldest_due_lateness_seconds', 'How late the most overdue due source is');
  private readonly fetches = storedCounter('bellwether_source_fetches_total', 'Scheduled source fetches run by the workers, by outcome (rate() gives fetches per second)', ['outcome']);
  private readonly hostSlots = gauge('bellwether_fetch_host_requests_in_flight', 'Requests in flight per host across the cluster (the limit is 3)', ['host']);
  private readonly deliveriesPending = gauge('bellwether_webhook_deliveries_pending', 'Webhook deliveries still to be made: due now or waiting for a retry');
  private readonly deliveriesLateness = gauge('bellwether_webhook_deliveries_oldest_due_lateness_seconds', 'How late the most overdue webhook delivery attempt is');
  private readonly webhookEndpoints = gauge('bellwether_webhook_endpoints', 'Webhook endpoints by state: ok, failing (its last attempt failed) or disabled', ['state']);

  constructor(
    private readonly liveness: SchedulerLivenessService,
    private readonly dueSources: DueSourcesScheduler,
    private readonly fetchCounter: SourceFetchCounter,
    private readonly fetchHosts: HostFetchSlots,
    private readonly webhookDeliveries: WebhookDeliveryService,
  ) {
    // prom-client's registry is process-wide; collecting twice would throw on duplicate names.
    if (!defaultMetricsCollected) {
      collectDefaultMetrics();
      defaultMetricsCollected = true;
    }
  }

  @Get()
  @Header('Content-Type', register.contentType)
  async scrape(): Promise<string> {
    await this.refreshScheduledWork();
    return register.metrics();
  }

  private async refreshScheduledWork(): Promise<void> {
    const now = new Date();
    const [statuses, backlog, fetches, inFlight, webhooks] = await Promise.all([
      this.liveness.statuses(now),
      this.dueSources.backlog(now),
      this.fetchCounter.clusterTotals(),
      this.fetchHosts.inUse(),
      this.webhookDeliveries.backlog(now),
    ]);
    this.schedulerAge.reset();
    this.schedulerOverdue.reset();
    for (const status of statuses) {
      this.schedulerAge.set({ scheduler: status.schedulerId }, status.ageSeconds);
      this.schedulerOverdue.set({ scheduler: status.schedulerId }, status.overdueSeconds);
    }
    this.sourcesDue.set(backlog.due);
    this.oldestDueLateness.set(backlog.oldestLatenessSeconds);
    // The stored totals only grow; the counter is brought up to them.
    for (const [outcome, total] of fetches) {
      const shown = (await this.fetches.get()).values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
      if (total > shown) this.fetches.inc({ outcome }, total - shown);
    }
    this.hostSlots.reset();
    for (const [host, held] of inFlight) this.hostSlots.set({ host }, held);
    this.deliveriesPending.set(webhooks.pending);
    this.deliveriesLateness.set(webhooks.oldestDueLatenessSeconds);
    for (const [state, count] of Object.entries(webhooks.endpoints)) this.webhookEndpoints.set({ state }, count);
  }
}
