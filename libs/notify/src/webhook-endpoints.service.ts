import { Injectable } from '@nestjs/common';

import { DomainError, isUuid, NotFoundError } from '#core';
import { pageQuery, PrismaService, toPage, WriteTransactions, type Page, type PageRequest, type WebhookDelivery, type WebhookDeliveryAttempt, type WebhookEndpoint, type WebhookFormat } from '#db';
import { OutboxEventsRepository, SUBSCRIBABLE_EVENT_TYPES } from '#events';
import { PredictionsService } from '#predictions';

import { followedPredictionIds } from './followed-predictions.js';
import { newWebhookSecret } from './webhook-signature.js';
import { WebhookSender } from './webhook-sender.js';

/** How long the secret before a rotation keeps signing, beside the new one. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export interface WebhookEndpointInput {
  url: string;
  /** `["*"]` or a list of event types. */
  events?: string[];
  format?: WebhookFormat;
  /** Prediction ids or slugs; empty means every prediction. */
  predictions?: string[];
  minProbabilityChange?: number | null;
  description?: string | null;
  enabled?: boolean;
}

export type WebhookEndpointChanges = Partial<WebhookEndpointInput>;

/** An endpoint as shown: never its secret. */
export type WebhookEndpointView = Omit<WebhookEndpoint, 'secret' | 'previousSecret'>;

export type WebhookDeliveryView = WebhookDelivery & { eventType: string; attemptLog: WebhookDeliveryAttempt[] };

const HIDDEN = { secret: true, previousSecret: true } as const;

export function toEndpointView(endpoint: WebhookEndpoint): WebhookEndpointView {
  const { secret: _secret, previousSecret: _previous, ...view } = endpoint;
  return view;
}

/** Webhook endpoints: what they receive and how, their secrets, and their delivery log. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly writes: WriteTransactions,
    private readonly events: OutboxEventsRepository,
    private readonly predictions: PredictionsService,
    private readonly sender: WebhookSender,
  ) {}

  async list(request: PageRequest): Promise<Page<WebhookEndpointView>> {
    return toPage(await this.prisma.webhookEndpoint.findMany({ ...pageQuery(request), omit: HIDDEN }), request.limit);
  }

  async get(id: string, field = 'id'): Promise<WebhookEndpointView> {
    const endpoint = isUuid(id) ? await this.prisma.webhookEndpoint.findUnique({ where: { id: id.toLowerCase() }, omit: HIDDEN }) : null;
    if (!endpoint) throw new NotFoundError('Webhook endpoint', id, field);
    return endpoint;
  }

  /** The new endpoint and its secret: the only time the secret is shown. */
  async create(input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const secret = newWebhookSecret();
    const data = {
      url: this.checkedUrl(input.url),
      secret,
      events: this.checkedEvents(input.events ?? ['*']),
      format: input.format ?? 'standard',
      predictionIds: await followedPredictionIds(this.predictions, input.predictions ?? []),
      minProbabilityChange: this.checkedMinimum(input.minProbabilityChange ?? null),
      description: input.description ?? null,
      enabled: input.enabled ?? true,
    };
    // An Idempotency-Key request records its claim with the effect: a response lost to a crash never makes a second endpoint.
    const endpoint = await this.writes.run((tx) => tx.webhookEndpoint.create({ data }));
    return { endpoint: toEndpointView(endpoint), secret };
  }

  async update(id: string, changes: WebhookEndpointChanges): Promise<WebhookEndpointView> {
    const current = await this.get(id);
    const reenabled = changes.enabled === true && !current.enabled;
    const updated = await this.prisma.webhookEndpoint.update({
      where: { id: current.id },
      omit: HIDDEN,
      data: {
        url: changes.url !== undefined ? this.checkedUrl(changes.url) : undefined,
        events: changes.events !== undefined ? this.checkedEvents(changes.events) : undefined,
        format: changes.format,
        predictionIds: changes.predictions !== undefined ? await followedPredictionIds(this.predictions, changes.predictions) : undefined,
        minProbabilityChange: changes.minProbabilityChange !== undefined ? this.checkedMinimum(changes.minProbabilityChange) : undefined,
        description: changes.description,
        enabled: changes.enabled,
        // Turning an endpoint back on starts its failure clock afresh.
        ...(reenabled ? { disabledAt: null, disabledReason: null, failureStreak: 0, failingSince: null } : {}),
        ...(changes.enabled === false && current.enabled ? { disabledAt: new Date(), disabledReason: 'disabled through the API' } : {}),
      },
    });
    return updated;
  }

  async delete(id: string): Promise<void> {
    const endpoint = await this.get(id);
    await this.prisma.webhookEndpoint.delete({ where: { id: endpoint.id } });
  }

  /** A new secret; the old one keeps signing beside it for 24 hours so receivers can switch without losing a delivery. */
  async rotateSecret(id: string, now = new Date()): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const current = await this.prisma.webhookEndpoint.findUnique({ where: { id: (await this.get(id)).id } });
    if (!current) throw new NotFoundError('Webhook endpoint', id, 'id');
    const secret = newWebhookSecret();
    // With an Idempotency-Key, a response lost to a crash never rotates again (which would push out a secret the caller never saw).
    const endpoint = await this.writes.run((tx) =>
      tx.webhookEndpoint.update({
        where: { id: current.id },
        data: { secret, previousSecret: current.secret, previousSecretExpiresAt: new Date(now.getTime() + SECRET_ROTATION_OVERLAP_MS) },
      }),
    );
    return { endpoint: toEndpointView(endpoint), secret };
  }

  /** Every delivery to an endpoint, newest first, with each attempt. */
  async deliveries(id: string, request: PageRequest & { status?: WebhookDelivery['status'] }): Promise<Page<WebhookDeliveryView>> {
    const endpoint = await this.get(id);
    const page = pageQuery(request);
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { ...(page.where.id ? { id: { lt: page.where.id.gt } } : {}), endpointId: endpoint.id, status: request.status },
      take: page.take,
      orderBy: { id: 'desc' },
      include: { attemptLog: { orderBy: { createdAt: 'asc' } } },
    });
    const eventTypes = await this.events.typesOf(rows.map((delivery) => delivery.outboxEventId));
    return toPage(
      rows.map((delivery) => ({ ...delivery, eventType: eventTypes.get(delivery.outboxEventId)! })),
      request.limit,
    );
  }

  private checkedUrl(url: string): string {
    this.sender.checkUrl(url);
    return url;
  }

  private checkedEvents(events: string[]): string[] {
    if (events.length === 0) throw new DomainError('invalid', 'events-required', 'events must be ["*"] or name at least one event type', 'events');
    for (const [index, type] of events.entries()) {
      if (type !== '*' && !(SUBSCRIBABLE_EVENT_TYPES as readonly string[]).includes(type)) {
        throw new DomainError('invalid', 'unknown-event-type', `events[${index}]: "${type}" is not an event type (${SUBSCRIBABLE_EVENT_TYPES.join(', ')} or *)`, `events[${index}]`);
      }
    }
    return events.includes('*') ? ['*'] : [...new Set(events)];
  }

  private checkedMinimum(value: number | null): number | null {
    if (value !== null && !(value >= 0 && value <= 1)) {
      throw new DomainError('invalid', 'invalid-min-probability-change', 'minProbabilityChange must be between 0 and 1', 'minProbabilityChange');
    }
    return value;
  }
}
