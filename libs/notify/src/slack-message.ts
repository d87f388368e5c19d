import type { EventPayloads, OutboxEventRecord } from '#events';

import { eventAppUrl, predictionAppUrl } from './app-links.js';

/** What a readable message needs beyond the event: names the payload only refers to by id, and where links lead. */
export interface SlackMessageContext {
  predictionTitle?: string;
  /** Titles of the predictions an evidence event moved, by id. */
  predictionTitles?: ReadonlyMap<string, string>;
  evidenceSummary?: string;
  /** The name of the person (or job) who acted, when the event names an actor. */
  actorName?: string;
  /** PUBLIC_URL: the base of the links into the web app. Without it, no links. */
  publicUrl?: string;
}

type SectionBlock = { type: 'section'; text: { type: 'mrkdwn'; text: string } };
type ContextBlock = { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

export interface SlackMessage {
  text: string;
  blocks: (SectionBlock | ContextBlock)[];
}

type PredictionMovePayload = EventPayloads['evidence.recorded']['impacts'][number];

const percent = (probability: number): string => `${Math.round(probability * 100)}%`;

function points(before: number, after: number): string {
  const change = Math.round(after * 100) - Math.round(before * 100);
  return `${change >= 0 ? '+' : '−'}${Math.abs(change)} pts`;
}

function ratio(value: number): string {
  return value >= 1 ? String(Number(value.toFixed(2))) : `1/${Number((1 / value).toFixed(2))}`;
}

/** The likelihood ratio a move actually applied: e^dL, after reliability and the story's rule (LR 10 at reliability 0.8 is 6.31). */
function effectiveRatio(deltaLogOdds: number): string {
  const value = Math.exp(deltaLogOdds);
  return value >= 1 ? String(Number(value.toFixed(1))) : `1/${Number((1 / value).toFixed(1))}`;
}

/** Slack's mrkdwn treats these three as markup. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A mrkdwn link, or the escaped text where there is no address. */
function link(url: string | null | undefined, text: string): string {
  return url ? `<${url.replaceAll('|', '%7C').replaceAll('>', '%3E')}|${escape(text)}>` : escape(text);
}

const CAUSE: Record<string, string> = {
  quiet_day: 'another day passed without the event',
  override: 'set by hand',
  retraction: 'evidence retracted',
  prior: 'prior',
};

/** One prediction an evidence item moved, e.g. "DeepSeek blacklisted within 12 months: 35% → 52% (+17 pts, effective LR 6.3)". */
function evidenceMove(impact: PredictionMovePayload, title: string): string {
  if (impact.probabilityBefore === impact.probabilityAfter) {
    const repeat = impact.story?.countedOnceWith ? ', counted once with earlier evidence of its story' : '';
    return `${title}: ${percent(impact.probabilityAfter)}, no move${repeat}`;
  }
  return `${title}: ${percent(impact.probabilityBefore)} → ${percent(impact.probabilityAfter)} (${points(impact.probabilityBefore, impact.probabilityAfter)}, effective LR ${effectiveRatio(impact.deltaLogOdds)})`;
}

/** One line a person reads at a glance, e.g. "DeepSeek blacklisted within 12 months: 35% → 52% (+17 pts) — Commerce adds DeepSeek to Entity List, LR 3". */
export function slackText(event: OutboxEventRecord, context: SlackMessageContext = {}): string {
  switch (event.type) {
    case 'prediction.confidence_changed': {
      const { payload } = event;
      const title = context.predictionTitle ?? payload.predictionId;
      const move = `${title}: ${percent(payload.probabilityBefore)} → ${percent(payload.probabilityAfter)} (${points(payload.probabilityBefore, payload.probabilityAfter)})`;
      if (context.evidenceSummary) {
        return `${move} — ${payload.kind === 'retraction' ? 'retracted: ' : ''}${context.evidenceSummary}, effective LR ${effectiveRatio(payload.deltaLogOdds)}`;
      }
      return `${move} — ${CAUSE[payload.kind] ?? payload.kind}`;
    }
    case 'evidence.recorded':
    case 'evidence.retracted': {
      const moves = event.payload.impacts.map((impact) => evidenceMove(impact, context.predictionTitles?.get(impact.predictionId) ?? impact.slug)).join('; ');
      return event.type === 'evidence.recorded'
        ? `New evidence: ${event.payload.summary} — ${moves}`
        : `Evidence retracted (${event.payload.reason}) — ${moves}`;
    }
    case 'prediction.resolved': {
      const title = context.predictionTitle ?? event.payload.slug;
      const outcome = event.payload.outcome === 'annulled' ? 'annulled' : `resolved ${event.payload.outcome.toUpperCase()}`;
      return `${title}: ${outcome} at ${percent(event.payload.probability)} — ${event.payload.note}`;
    }
    case 'prediction.resolution_undone':
      return `${context.predictionTitle ?? event.payload.slug}: resolution undone, ${event.payload.status} again — ${event.payload.reason}`;
    case 'prediction.forecasts_diverge': {
      const { payload } = event;
      const leader = payload.modelProbability > payload.teamProbability ? 'the model is higher' : 'the team is higher';
      return `${context.predictionTitle ?? payload.slug}: the model (${percent(payload.modelProbability)}) and the team (${percent(payload.teamProbability)}, ${payload.forecasters} analyst${payload.forecasters === 1 ? '' : 's'}) disagree by ${Math.round(payload.differencePoints)} pts, more than ${payload.thresholdPoints} — ${leader}`;
    }
    case 'prediction.due':
      return `${context.predictionTitle ?? event.payload.slug}: deadline passed (${event.payload.deadline.slice(0, 10)}), due for resolution at ${percent(event.payload.probability)}`;
    case 'indicator.threshold_crossed': {
      const { payload } = event;
      return `${payload.indicatorName} crossed ${payload.threshold} ${payload.unit} ${payload.direction === 'up' ? 'upward' : 'downward'} (${payload.previousValue} → ${payload.value}) — bears on ${context.predictionTitle ?? payload.predictionSlug}, LR ${ratio(payload.likelihoodRatio)}`;
    }
    case 'signal.pending_review':
      return `New signal waiting for review: ${event.payload.title}${event.payload.rules.length > 0 ? ` (rules: ${event.payload.rules.join(', ')})` : ''}`;
    case 'webhook.endpoint_disabled':
      return `Webhook endpoint disabled: ${event.payload.url} — ${event.payload.reason}`;
    case 'system.scheduler_stalled':
      return `Scheduled work stalled: ${event.payload.job} (every ${event.payload.everySeconds} s) is ${event.payload.lateBySeconds} s overdue; last ran ${event.payload.lastRunAt ?? 'never'}`;
    case 'source.failing':
      return `Source failing: ${event.payload.name} (${event.payload.url}) has not fetched since ${event.payload.failingSince.slice(0, 16).replace('T', ' ')} UTC, ${event.payload.failureStreak} failures in a row — ${event.payload.lastError}`;
    case 'audit.checkpoints_signed':
      return `Audit trail checkpoints signed: ${event.payload.checkpoints.length} chain head(s), key ${event.payload.publicKey.slice(-16)}`;
    case 'webhook.test':
      return `Bellwether test message: ${event.payload.message}`;
  }
}

/**
 * A Slack (or Mattermost) incoming-webhook message: `text` for notifications, blocks for the channel.
 * Evidence lists every prediction it moved, each linked to its page; every message ends with a link
 * to the page it is about.
 */
export function slackMessage(event: OutboxEventRecord, context: SlackMessageContext = {}): SlackMessage {
  const text = slackText(event, context);
  const { publicUrl } = context;
  const appUrl = publicUrl ? eventAppUrl(publicUrl, event) : null;
  const footer: ContextBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${event.type} · ${event.createdAt.toISOString()}${context.actorName ? ` · by ${escape(context.actorName)}` : ''}${appUrl ? ` · ${link(appUrl, 'Open in Bellwether')}` : ''}` }],
  };
  if (event.type === 'evidence.recorded' || event.type === 'evidence.retracted') {
    const heading =
      event.type === 'evidence.recorded'
        ? `*New evidence:* ${link(event.payload.sourceUrl, event.payload.summary)}`
        : `*Evidence retracted:* ${escape(event.payload.reason)}`;
    const lines = event.payload.impacts.map((impact) => {
      const title = context.predictionTitles?.get(impact.predictionId) ?? impact.slug;
      const titleLink = link(publicUrl ? predictionAppUrl(publicUrl, impact.slug) : null, title);
      return `• ${titleLink}${escape(evidenceMove(impact, title).slice(title.length))}`;
    });
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: [heading, ...lines].join('\n') } }, footer] };
  }
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escape(text) } }, footer] };
}
