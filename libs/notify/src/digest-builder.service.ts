import { Injectable } from '@nestjs/common';

import { PrismaService, type Prediction } from '#db';
import { SUBSCRIBABLE_EVENT_TYPES, type EventPayloads, type OutboxEventRecord } from '#events';
import { PredictionsService, ScorecardService } from '#predictions';
import { SignalInboxService } from '#signals';

import type { DigestPeriod } from './digest-period.js';
import { toOutboxEventRecord } from './webhook-delivery.service.js';

const DEADLINE_HORIZON_DAYS = 30;
const TOP_REASONS = 3;
const INBOX_COUNT_CAP = 200;

export interface DigestReason {
  text: string;
  /** Percentage points this cause moved the prediction. */
  points: number;
}

export interface DigestMove {
  slug: string;
  title: string;
  before: number;
  after: number;
  points: number;
  reasons: DigestReason[];
}

export interface DigestContent {
  period: DigestPeriod;
  moves: DigestMove[];
  newEvidence: { summary: string; sourceUrl: string | null; moves: { title: string; before: number; after: number }[] }[];
  crossings: { indicator: string; unit: string; threshold: number; direction: 'up' | 'down'; previousValue: number; value: number; prediction: string }[];
  resolutions: { title: string; outcome: string; probability: number; brier: number | null; logScore: number | null }[];
  deadlines: { title: string; deadline: Date; daysLeft: number; probability: number }[];
  /** Items waiting in the review inbox; `pendingReviewCapped` when there are at least this many. */
  pendingReview: number;
  pendingReviewCapped: boolean;
  /** What happened: moves, evidence, crossings and resolutions. Zero means nothing did. */
  entryCount: number;
}

/** What every subscriber's digest of one period is built from, read once per period however many subscribers share it. */
export interface DigestInputs {
  period: DigestPeriod;
  events: OutboxEventRecord[];
  predictions: Map<string, Prediction>;
  scores: Map<string, { brier: number; logScore: number } | null>;
  pendingReview: number;
  pendingReviewCapped: boolean;
  now: Date;
}

const points = (before: number, after: number): number => Math.round(after * 100) - Math.round(before * 100);

const CAUSE: Record<string, string> = {
  quiet_day: 'Another day passed without the event',
  override: 'Set by hand',
  resolution: 'Resolved',
  resolution_undone: 'Resolution undone',
};

/**
 * The digest of a period, from the outbox events of that period (each one
 * written with the change it describes) and a few current facts: the review
 * inbox, upcoming deadlines and the scores of resolved predictions.
 */
@Injectable()
export class DigestBuilder {
  constructor(
    private readonly prisma: PrismaService,
    private readonly predictions: PredictionsService,
    private readonly scorecards: ScorecardService,
    private readonly inbox: SignalInboxService,
  ) {}

  async inputs(period: DigestPeriod, now = new Date()): Promise<DigestInputs> {
    const rows = await this.prisma.outboxEvent.findMany({
      where: { createdAt: { gte: period.start, lt: period.end }, type: { in: [...SUBSCRIBABLE_EVENT_TYPES] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const events = rows.map(toOutboxEventRecord);
    const predictions = new Map<string, Prediction>();
    let cursor: string | undefined;
    do {
      const page = await this.predictions.list({ limit: 200, cursor });
      for (const prediction of page.items) predictions.set(prediction.id, prediction);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const scores = new Map<string, { brier: number; logScore: number } | null>();
    for (const event of events) {
      if (event.type === 'prediction.resolved' && !scores.has(event.payload.predictionId)) {
        scores.set(event.payload.predictionId, (await this.scorecards.scorecard(event.payload.predictionId, now)).scores);
      }
    }
    const inbox = await this.inbox.list({ status: 'pending', limit: INBOX_COUNT_CAP });
    return { period, events, predictions, scores, pendingReview: inbox.items.length, pendingReviewCapped: inbox.nextCursor !== null, now };
  }

  /** One subscriber's digest: only the predictions it follows (all when it names none). */
  build(inputs: DigestInputs, predictionIds: readonly string[]): DigestContent {
    const follows = (id: string | null): boolean => predictionIds.length === 0 || (id !== null && predictionIds.includes(id));
    const title = (id: string, fallback: string): string => inputs.predictions.get(id)?.title ?? fallback;

    const summaries = new Map<string, string>();
    for (const event of inputs.events) if (event.type === 'evidence.recorded') summaries.set(event.payload.evidenceId, event.payload.summary);

    const changes = new Map<string, EventPayloads['prediction.confidence_changed'][]>();
    for (const event of inputs.events) {
      if (event.type !== 'prediction.confidence_changed' || !follows(event.payload.predictionId)) continue;
      changes.set(event.payload.predictionId, [...(changes.get(event.payload.predictionId) ?? []), event.payload]);
    }
    const moves: DigestMove[] = [...changes].map(([id, list]) => {
      const first = list[0]!;
      const last = list.at(-1)!;
      const reasons = list
        .map((change) => ({
          text: change.evidenceId ? `${change.kind === 'retraction' ? 'Retracted: ' : ''}${summaries.get(change.evidenceId) ?? 'Earlier evidence'}` : (CAUSE[change.kind] ?? change.kind),
          points: points(change.probabilityBefore, change.probabilityAfter),
          size: Math.abs(change.probabilityAfter - change.probabilityBefore),
        }))
        .sort((a, b) => b.size - a.size)
        .slice(0, TOP_REASONS)
        .map(({ text, points: effect }) => ({ text, points: effect }));
      const prediction = inputs.predictions.get(id);
      return { slug: prediction?.slug ?? id, title: title(id, id), before: first.probabilityBefore, after: last.probabilityAfter, points: points(first.probabilityBefore, last.probabilityAfter), reasons };
    });
    moves.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before));

    const newEvidence: DigestContent['newEvidence'] = [];
    const crossings: DigestContent['crossings'] = [];
    const resolutions: DigestContent['resolutions'] = [];
    for (const event of inputs.events) {
      if (event.type === 'evidence.recorded') {
        const followed = event.payload.impacts.filter((impact) => follows(impact.predictionId));
        if (followed.length === 0) continue;
        newEvidence.push({
          summary: event.payload.summary,
          sourceUrl: event.payload.sourceUrl,
          moves: followed.map((impact) => ({ title: title(impact.predictionId, impact.slug), before: impact.probabilityBefore, after: impact.probabilityAfter })),
        });
      } else if (event.type === 'indicator.threshold_crossed' && follows(event.payload.predictionId)) {
        const { payload } = event;
        crossings.push({ indicator: payload.indicatorName, unit: payload.unit, threshold: payload.threshold, direction: payload.direction, previousValue: payload.previousValue, value: payload.value, prediction: title(payload.predictionId, payload.predictionSlug) });
      } else if (event.type === 'prediction.resolved' && follows(event.payload.predictionId)) {
        const scores = inputs.scores.get(event.payload.predictionId) ?? null;
        resolutions.push({ title: title(event.payload.predictionId, event.payload.slug), outcome: event.payload.outcome, probability: event.payload.probability, brier: scores?.brier ?? null, logScore: scores?.logScore ?? null });
      }
    }

    const horizon = inputs.now.getTime() + DEADLINE_HORIZON_DAYS * 86_400_000;
    const deadlines = [...inputs.predictions.values()]
      .filter((prediction) => prediction.status === 'open' && follows(prediction.id) && prediction.deadline.getTime() >= inputs.now.getTime() && prediction.deadline.getTime() <= horizon)
      .sort((a, b) => a.deadline.getTime() - b.deadline.getTime())
      .map((prediction) => ({ title: prediction.title, deadline: prediction.deadline, daysLeft: Math.ceil((prediction.deadline.getTime() - inputs.now.getTime()) / 86_400_000), probability: prediction.probability }));

    return {
      period: inputs.period,
      moves,
      newEvidence,
      crossings,
      resolutions,
      deadlines,
      pendingReview: inputs.pendingReview,
      pendingReviewCapped: inputs.pendingReviewCapped,
      entryCount: moves.length + newEvidence.length + crossings.length + resolutions.length,
    };
  }
}
