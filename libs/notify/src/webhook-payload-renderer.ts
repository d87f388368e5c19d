import { Injectable } from '@nestjs/common';

import { ActorDirectory } from '#auth';
import { AppConfig } from '#config';
import { DomainError } from '#core';
import type { WebhookFormat } from '#db';
import type { OutboxEventRecord } from '#events';
import { EvidenceQueriesService, PredictionsService } from '#predictions';

import { eventAppUrl } from './app-links.js';
import { slackMessage, type SlackMessageContext } from './slack-message.js';

/**
 * The body a webhook endpoint receives for an event, in its format: Standard
 * Webhooks JSON (`{type, timestamp, data}`, and `links.app`, the page in the web
 * app the event is about), or a Slack message that names the predictions and
 * the evidence the payload refers to by id, linked to their pages.
 */
@Injectable()
export class WebhookPayloadRenderer {
  constructor(
    private readonly config: AppConfig,
    private readonly predictions: PredictionsService,
    private readonly evidence: EvidenceQueriesService,
    private readonly actors: ActorDirectory,
  ) {}

  async render(format: WebhookFormat, event: OutboxEventRecord): Promise<string> {
    const actorName = await this.actorNameOf(event);
    if (format === 'slack') return JSON.stringify(slackMessage(event, { ...(await this.slackContext(event)), ...(actorName === null ? {} : { actorName }) }));
    const data = actorName === null ? event.payload : { ...event.payload, actorName };
    return JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data, links: { app: eventAppUrl(this.config.publicUrl, event) } });
  }

  /** The person's name for an event that names an actor (`data.actorName` beside `data.actor`); null for one that names none. */
  private async actorNameOf(event: OutboxEventRecord): Promise<string | null> {
    const actor = (event.payload as { actor?: unknown }).actor;
    if (typeof actor !== 'string') return null;
    return (await this.actors.describe([actor])).name(actor);
  }

  /** Names for the message: the predictions' titles and, for a move caused by evidence, its summary. */
  private async slackContext(event: OutboxEventRecord): Promise<SlackMessageContext> {
    const context: SlackMessageContext = { publicUrl: this.config.publicUrl };
    try {
      if (event.type === 'evidence.recorded' || event.type === 'evidence.retracted') {
        const titles = new Map<string, string>();
        for (const impact of event.payload.impacts) titles.set(impact.predictionId, (await this.predictions.get(impact.predictionId)).title);
        context.predictionTitles = titles;
        return context;
      }
      if (event.predictionId) context.predictionTitle = (await this.predictions.get(event.predictionId)).title;
      if (event.type === 'prediction.confidence_changed' && event.payload.evidenceId) {
        context.evidenceSummary = (await this.evidence.get(event.payload.evidenceId)).summary;
      }
    } catch (error) {
      // A prediction or evidence gone since: the message falls back to ids and slugs.
      if (!(error instanceof DomainError)) throw error;
    }
    return context;
  }
}
