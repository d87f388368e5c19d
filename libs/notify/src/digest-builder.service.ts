import { Injectable } from '@nestjs/common';

import { OutboxEventsRepository, SUBSCRIBABLE_EVENT_TYPES, type EventPayloads, type OutboxEventRecord } from '#events';
import { AuditSigningKeyService, PredictionsService, ScorecardService, SignedHeadsService, type PredictionWithTeam, type SignedHeadView } from '#predictions';
import { SignalInboxService } from '#signals';

import type { DigestPeriod } from './digest-period.js';

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

/** A prediction that changed in the period but did not move: resolved, or back where it started. */
export interface DigestSettled {
  slug: string;
  title: string;
  probability: number;
  /** e.g. "resolved true", "back where it started after 2 moves". */
  note: string;
}

export interface DigestContent {
  period: DigestPeriod;
  /** Open predictions whose probability moved over the period (a net change of at least a point). */
  moves: DigestMove[];
  /** Resolved predictions and those that moved and came back: listed apart, not counted as moves. */
  settled: DigestSettled[];
  /** The model and the team forecast came apart (prediction.forecasts_diverge) in the period. */
  divergences: { slug: string; title: string; model: number; team: number; forecasters: number; differencePoints: number }[];
  /** One entry per story (evidence of one story counts once): its first evidence's summary, and how many sources reported it, when known. */
  newEvidence: { summary: string; sourceUrl: string | null; sources: number | null; moves: { slug: string; title: string; before: number; after: number }[] }[];
  crossings: { indicator: string; indicatorSlug: string; unit: string; threshold: number; direction: 'up' | 'down'; previousValue: number; value: number; prediction: string; predictionSlug: string }[];
  resolutions: { slug: string; title: string; outcome: string; probability: number; brier: number | null; logScore: number | null }[];
  deadlines: { slug: string; title: string; deadline: Date; daysLeft: number; probability: number }[];
  /** Stories waiting in the review inbox; `pendingReviewCapped` when there are more than this many. */
  pendingReview: number;
  pendingReviewCapped: boolean;
  /** What happened: moves, settled predictions, evidence, crossings, resolutions and divergences. Zero means nothing did. */
  entryCount: number;
  /**
   * The signed head of each followed prediction's audit chain as the digest was built, each as a witness line
   * (`bellwether audit witness`'s format): kept in a mailbox, a copy of the trail's state outside the database.
   */
  auditHeads?: DigestAuditHead[];
  /** The key that signed them. */
  auditKey?: { keyId: string; publicKey: string };
}

export interface DigestAuditHead {
  slug: string;
  sequence: number;
  /** One JSON line, as a witness file holds it. */
  line: string;
}

/** What every subscriber's digest of one period is built from, read once per period however many subscribers share it. */
export interface DigestInputs {
  period: DigestPeriod;
  events: OutboxEventRecord[];
  predictions: Map<string, PredictionWithTeam>;
  scores: Map<string, { brier: number; logScore: number } | null>;
  pendingReview: number;
  pendingReviewCapped: boolean;
  /** Sources that reported each signal story evidence of the period was recorded from. */
  storySources: Map<string, number>;
  /** The current signed head of every prediction's audit chain, and the key that signs. */
  heads?: SignedHeadView[];
  auditKey?: { keyId: string; publicKey: string };
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
    private readonly events: OutboxEventsRepository,
    private readonly predictions: PredictionsService,
    private readonly scorecards: ScorecardService,
    private readonly inbox: SignalInboxService,
    private readonly signedHeads: SignedHeadsService,
    private readonly keys: AuditSigningKeyService,
  ) {}

  async inputs(period: DigestPeriod, now = new Date()): Promise<DigestInputs> {
    const events = await this.events.createdBetween(period.start, period.end, SUBSCRIBABLE_EVENT_TYPES);
    const predictions = new Map<string, PredictionWithTeam>();
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
    const waiting = await this.inbox.count('pending');
    const storyIds = [...new Set(events.flatMap((event) => (event.type === 'evidence.recorded' ? event.payload.impacts.flatMap((impact) => (impact.story ? [impact.story.id] : [])) : [])))];
    const storySources = new Map([...(await this.inbox.storySummaries(storyIds))].filter(([, story]) => story.items.length > 0).map(([id, story]) => [id, story.sourceCount] as const));
    const heads = await this.signedHeads.currentHeads([...predictions.keys()]);
    const auditKey = { keyId: this.keys.keyId, publicKey: this.keys.publicKeyText };
    return { period, events, predictions, scores, pendingReview: Math.min(waiting, INBOX_COUNT_CAP), pendingReviewCapped: waiting > INBOX_COUNT_CAP, storySources, heads, auditKey, now };
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
    const changed: (DigestMove & { id: string; changes: number })[] = [...changes].map(([id, list]) => {
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
      return { id, changes: list.length, slug: prediction?.slug ?? id, title: title(id, id), before: first.probabilityBefore, after: last.probabilityAfter, points: points(first.probabilityBefore, last.probabilityAfter), reasons };
    });
    // A resolved prediction, or one that moved and came back, did not move: it is told apart, briefly.
    const closed = (id: string): boolean => /^(resolved|annulled)/.test(inputs.predictions.get(id)?.status ?? 'open');
    const isSettled = (move: (typeof changed)[number]): boolean => closed(move.id) || move.points === 0;
    const moves: DigestMove[] = changed
      .filter((move) => !isSettled(move))
      .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before))
      .map(({ id: _id, changes: _changes, ...move }) => move);
    const settled: DigestSettled[] = changed.filter(isSettled).map((move) => {
      const status = inputs.predictions.get(move.id)?.status ?? 'open';
      const note = !closed(move.id) ? `back where it started after ${move.changes} move${move.changes === 1 ? '' : 's'}` : status === 'annulled' ? 'annulled' : status.replace('resolved_', 'resolved ');
      return { slug: move.slug, title: move.title, probability: move.after, note };
    });

    type ListedEvidence = Omit<DigestContent['newEvidence'][number], 'moves'> & { moves: (DigestContent['newEvidence'][number]['moves'][number] & { id: string })[] };
    const newEvidence: ListedEvidence[] = [];
    const byStory = new Map<string, (typeof newEvidence)[number]>();
    const crossings: DigestContent['crossings'] = [];
    const resolutions: DigestContent['resolutions'] = [];
    const divergences: DigestContent['divergences'] = [];
    for (const event of inputs.events) {
      if (event.type === 'evidence.recorded') {
        const followed = event.payload.impacts.filter((impact) => follows(impact.predictionId));
        if (followed.length === 0) continue;
        // A story is listed once: later evidence of it moves the same entry on.
        const story = event.payload.impacts.find((impact) => impact.story)?.story?.id ?? event.payload.evidenceId;
        const listed = byStory.get(story);
        if (listed) {
          for (const impact of followed) {
            const move = listed.moves.find((entry) => entry.id === impact.predictionId);
            if (move) move.after = impact.probabilityAfter;
            else listed.moves.push({ id: impact.predictionId, slug: impact.slug, title: title(impact.predictionId, impact.slug), before: impact.probabilityBefore, after: impact.probabilityAfter });
          }
          continue;
        }
        const entry = {
          summary: event.payload.summary,
          sourceUrl: event.payload.sourceUrl,
          sources: inputs.storySources.get(story) ?? null,
          moves: followed.map((impact) => ({ id: impact.predictionId, slug: impact.slug, title: title(impact.predictionId, impact.slug), before: impact.probabilityBefore, after: impact.probabilityAfter })),
        };
        byStory.set(story, entry);
        newEvidence.push(entry);
      } else if (event.type === 'indicator.threshold_crossed' && follows(event.payload.predictionId)) {
        const { payload } = event;
        crossings.push({
          indicator: payload.indicatorName,
          indicatorSlug: payload.indicatorSlug,
          unit: payload.unit,
          threshold: payload.threshold,
          direction: payload.direction,
          previousValue: payload.previousValue,
          value: payload.value,
          prediction: title(payload.predictionId, payload.predictionSlug),
          predictionSlug: payload.predictionSlug,
        });
      } else if (event.type === 'prediction.resolved' && follows(event.payload.predictionId)) {
        const scores = inputs.scores.get(event.payload.predictionId) ?? null;
        resolutions.push({ slug: event.payload.slug, title: title(event.payload.predictionId, event.payload.slug), outcome: event.payload.outcome, probability: event.payload.probability, brier: scores?.brier ?? null, logScore: scores?.logScore ?? null });
      } else if (event.type === 'prediction.forecasts_diverge' && follows(event.payload.predictionId)) {
        const { payload } = event;
        // The latest word per prediction: a later crossing of the same pair replaces the earlier one.
        const entry = { slug: payload.slug, title: title(payload.predictionId, payload.slug), model: payload.modelProbability, team: payload.teamProbability, forecasters: payload.forecasters, differencePoints: payload.differencePoints };
        const index = divergences.findIndex((listed) => listed.slug === payload.slug);
        if (index >= 0) divergences[index] = entry;
        else divergences.push(entry);
      }
    }

    const horizon = inputs.now.getTime() + DEADLINE_HORIZON_DAYS * 86_400_000;
    const deadlines = [...inputs.predictions.values()]
      .filter((prediction) => prediction.status === 'open' && follows(prediction.id) && prediction.deadline.getTime() >= inputs.now.getTime() && prediction.deadline.getTime() <= horizon)
      .sort((a, b) => a.deadline.getTime() - b.deadline.getTime())
      .map((prediction) => ({ slug: prediction.slug, title: prediction.title, deadline: prediction.deadline, daysLeft: Math.ceil((prediction.deadline.getTime() - inputs.now.getTime()) / 86_400_000), probability: prediction.probability }));

    return {
      period: inputs.period,
      moves,
      settled,
      divergences,
      newEvidence: newEvidence.map((entry) => ({ ...entry, moves: entry.moves.map(({ slug, title: name, before, after }) => ({ slug, title: name, before, after })) })),
      crossings,
      resolutions,
      deadlines,
      pendingReview: inputs.pendingReview,
      pendingReviewCapped: inputs.pendingReviewCapped,
      entryCount: moves.length + settled.length + newEvidence.length + crossings.length + resolutions.length + divergences.length,
      auditHeads: (inputs.heads ?? [])
        .filter((head) => follows(head.predictionId))
        .map(({ predictionId, sequence, hash, signedAt, keyId, signature }) => ({
          slug: inputs.predictions.get(predictionId)?.slug ?? predictionId,
          sequence,
          line: JSON.stringify({ type: 'head', predictionId, sequence, hash, signedAt, keyId, signature, witnessedAt: inputs.period.end.toISOString() }),
        })),
      ...(inputs.auditKey ? { auditKey: inputs.auditKey } : {}),
    };
  }
}
