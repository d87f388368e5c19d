/**
 * The one source of truth for what Bellwether announces: every event type and
 * the payload it carries, like the job catalogue in #jobs. A change writes its
 * events through the OutboxWriter in the same transaction; the notify lib reads
 * them back typed by this map.
 */

/** One prediction's move, as evidence and retractions report it. */
export interface PredictionMovePayload {
  predictionId: string;
  slug: string;
  likelihoodRatio: number;
  /** What the prediction moved: the change of the story's contribution (0 for a repeat the story does not count). */
  deltaLogOdds: number;
  probabilityBefore: number;
  probabilityAfter: number;
  /**
   * The story the evidence counts in on this prediction (a story counts once, as its strongest live item):
   * the evidence it counts after the move, and, for evidence recorded but not counted, the evidence it was
   * counted once with. Absent from events written before stories.
   */
  story?: { id: string; counted: string | null; countedOnceWith: string | null };
}

export interface EventPayloads {
  /** Evidence was recorded; each prediction it moved, with before and after. */
  'evidence.recorded': {
    evidenceId: string;
    summary: string;
    sourceUrl: string | null;
    observedAt: string;
    reliability: number;
    actor: string;
    impacts: PredictionMovePayload[];
  };
  /** Evidence was retracted: each prediction moved back by the compensating entry. */
  'evidence.retracted': { evidenceId: string; reason: string; actor: string; impacts: PredictionMovePayload[] };
  /** A prediction's probability moved, for any cause (evidence, retraction, override, quiet day). */
  'prediction.confidence_changed': {
    predictionId: string;
    sequence: number;
    kind: string;
    evidenceId: string | null;
    deltaLogOdds: number;
    probabilityBefore: number;
    probabilityAfter: number;
    actor: string;
  };
  'prediction.resolved': {
    predictionId: string;
    slug: string;
    outcome: 'true' | 'false' | 'annulled';
    probability: number;
    occurredAt: string;
    resolvedAt: string;
    note: string;
    sourceUrl: string | null;
    actor: string;
  };
  'prediction.resolution_undone': { predictionId: string; slug: string; undoneStatus: string; status: string; reason: string; actor: string };
  /**
   * The model's probability and the team forecast (geometric mean of the odds of each analyst's latest forecast)
   * came more than FORECAST_DIVERGENCE_POINTS apart: sent once per crossing, by the move or forecast that crossed.
   */
  'prediction.forecasts_diverge': {
    predictionId: string;
    slug: string;
    modelProbability: number;
    teamProbability: number;
    /** |model - team| in percentage points. */
    differencePoints: number;
    thresholdPoints: number;
    forecasters: number;
    /** What moved across the line: the model (a move in the audit trail) or the team (a forecast). */
    cause: 'model' | 'team';
    actor: string;
  };
  /** An open prediction passed its deadline and waits for resolution. */
  'prediction.due': { predictionId: string; slug: string; deadline: string; probability: number; actor: string };
  /** An indicator reading crossed a link's threshold; `evidenceId` is null when the prediction takes no more evidence. */
  'indicator.threshold_crossed': {
    indicatorId: string;
    indicatorSlug: string;
    indicatorName: string;
    unit: string;
    readingId: string;
    previousValue: number;
    value: number;
    observedAt: string;
    threshold: number;
    direction: 'up' | 'down';
    predictionId: string;
    predictionSlug: string;
    likelihoodRatio: number;
    evidenceId: string | null;
  };
  /** A signal item matched a rule and waits in the review inbox. */
  'signal.pending_review': {
    signalItemId: string;
    title: string;
    url: string | null;
    sourceId: string | null;
    rules: string[];
    /** The story the item reports: announced once per story, by its first item to wait for review. */
    storyId?: string | null;
    /** Set when an accepted item is back for review because its evidence was retracted: the retraction's reason. */
    reopenReason?: string;
  };
  /** A webhook endpoint was disabled: it answered 410 Gone, or failed without a success for too long. */
  'webhook.endpoint_disabled': { endpointId: string; url: string; reason: string };
  /** A recurring job scheduler missed its run by more than SCHEDULER_LATE_AFTER_SECONDS (sent once per stall). */
  'system.scheduler_stalled': { schedulerId: string; job: string; everySeconds: number; lastRunAt: string | null; lateBySeconds: number };
  /** A source has not fetched successfully for two days (SOURCE_FAILING_AFTER_SECONDS): sent once per failing stretch, with the cause of the last failure. */
  'source.failing': { sourceId: string; name: string; url: string; lastError: string; failureStreak: number; failingSince: string };
  /** Chain heads of the audit trail were signed: keep a copy to check the trail against later (POST /v1/audit/verify). */
  'audit.checkpoints_signed': {
    publicKey: string;
    /** The signing key's id (libs/core/src/audit-keys.ts): what a witness file records beside each head. */
    keyId: string;
    checkpoints: { predictionId: string; sequence: number; hash: string; signedAt: string; signature: string }[];
  };
  /** A ping sent by `POST /v1/webhooks/:id/test`; never fanned out. */
  'webhook.test': { endpointId: string; message: string };
}

export type EventType = keyof EventPayloads;

/** Every type, for validation and the OpenAPI document. */
export const EVENT_TYPES = [
  'evidence.recorded',
  'evidence.retracted',
  'prediction.confidence_changed',
  'prediction.resolved',
  'prediction.resolution_undone',
  'prediction.forecasts_diverge',
  'prediction.due',
  'indicator.threshold_crossed',
  'signal.pending_review',
  'webhook.endpoint_disabled',
  'system.scheduler_stalled',
  'audit.checkpoints_signed',
  'source.failing',
  'webhook.test',
] as const satisfies readonly EventType[];

/** Event types a webhook endpoint may subscribe to by name (`["*"]` means all of them). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((type) => type !== 'webhook.test');

/** One event to write, its payload checked against its type at compile time. */
export type OutboxEventInput = {
  [Type in EventType]: { type: Type; predictionId: string | null; payload: EventPayloads[Type] };
}[EventType];

/** An event read back from the outbox. */
export type OutboxEventRecord = {
  [Type in EventType]: { id: string; createdAt: Date; type: Type; predictionId: string | null; payload: EventPayloads[Type] };
}[EventType];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
