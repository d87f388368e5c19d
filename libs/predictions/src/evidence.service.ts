import { Injectable } from '@nestjs/common';

import {
  deltaLogOdds,
  DomainError,
  isAcceptedLikelihoodRatio,
  isUuid,
  likelihoodRatioFor,
  MAX_LIKELIHOOD_RATIO,
  MIN_LIKELIHOOD_RATIO,
  NotFoundError,
  retractionDelta,
  uuidV7,
  type EvidenceDirection,
  type EvidenceStrength,
} from '#core';
import {
  asSqlSession,
  Prisma,
  PrismaService,
  SqlPool,
  type SqlSession,
  IdempotencyKeysRepository,
  toPage,
  decodeCursor,
  decodeRankedCursor,
  toRankedPage,
  type Evidence,
  type EvidenceImpact,
  type Page,
  type PrismaTransaction,
} from '#db';
import { OutboxWriter, outboxColumns, type OutboxEventInput } from '#events';

import { AuditTrailService, chainedAuditEntry } from './audit-trail.service.js';
import { confidenceChangedPayload } from './confidence-event.js';
import { headFor, lockPredictionsByReference, writeEvidence } from './evidence-statements.js';
import { ForecastDivergenceService, teamForecastOf } from './forecast-divergence.service.js';
import {
  assertOpenForMoves,
  CONFIDENCE_TRANSACTION_OPTIONS,
  lockPredictionsForUpdate,
  resolvePredictionIds,
} from './prediction-row-lock.js';

export interface EvidenceImpactInput {
  /** Prediction id or slug. */
  prediction: string;
  likelihoodRatio?: number;
  direction?: 'supports' | 'contradicts';
  strength?: 'weak' | 'moderate' | 'strong';
}

export interface RecordEvidenceInput {
  summary: string;
  sourceUrl?: string | null;
  observedAt: Date;
  /** In [0, 1]; defaults to 1. */
  reliability?: number;
  impacts: EvidenceImpactInput[];
  indicatorReadingId?: string | null;
  signalItemId?: string | null;
}

export interface EvidenceMove {
  predictionId: string;
  slug: string;
  likelihoodRatio: number;
  deltaLogOdds: number;
  probabilityBefore: number;
  probabilityAfter: number;
}

export interface RecordedEvidence {
  id: string;
  impacts: EvidenceMove[];
}

export interface RetractedEvidence {
  id: string;
  retractedAt: Date;
  impacts: EvidenceMove[];
}

export interface EvidenceFilter {
  /** Prediction id or slug. */
  prediction?: string;
  /** Indicator id or slug: evidence derived from that indicator's readings. */
  indicator?: string;
  observedFrom?: Date;
  observedTo?: Date;
  cursor?: string;
  limit: number;
}

export type EvidenceWithImpacts = Evidence & { impacts: (EvidenceImpact & { prediction: { slug: string } })[] };

/** Evidence a full-text search found: its rank and its summary with the matched words marked. */
export type EvidenceSearchHit = EvidenceWithImpacts & { rank: number; highlight: string };

/** What a search asks: a compiled `to_tsquery('english', ...)` text, with the list's filters and a ranked cursor. */
export interface EvidenceSearch extends EvidenceFilter {
  tsQuery: string;
}

/** Evidence that came from a signal item was retracted; runs in the retraction's transaction. */
export interface SignalEvidenceRetraction {
  evidenceId: string;
  signalItemId: string;
  reason: string;
  actor: string;
}

/**
 * The port through which the signals library hears of retractions without
 * this library knowing it: a listener registered at start-up runs inside the
 * retraction's transaction, so the retraction and its consequences commit or
 * fail together.
 */
export type SignalEvidenceRetractionListener = (tx: PrismaTransaction, retraction: SignalEvidenceRetraction) => Promise<void>;

/** One impact of one evidence record, as a narrow read for other libraries (the suggestion model's labels). */
export interface EvidenceImpactSummary {
  evidenceId: string;
  predictionId: string;
  slug: string;
  likelihoodRatio: number;
  direction: EvidenceDirection | null;
  strength: EvidenceStrength | null;
}

const DIRECTIONS: readonly string[] = ['supports', 'contradicts'];
const STRENGTHS: readonly string[] = ['weak', 'moderate', 'strong'];
const MAX_IMPACTS = 50;
/** How far ahead of the server's clock a reported observedAt may be. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

interface CheckedImpact {
  prediction: string;
  likelihoodRatio: number;
  direction: EvidenceDirection | null;
  strength: EvidenceStrength | null;
}

const invalid = (code: string, message: string, field: string) => new DomainError('invalid', code, message, field);

/** What one audit entry did to one prediction, as evidence responses and events report it. */
function evidenceMove(
  prediction: { id: string; slug: string },
  likelihoodRatio: number,
  entry: { deltaLogOdds: number; probabilityBefore: number; probabilityAfter: number },
): EvidenceMove {
  return {
    predictionId: prediction.id,
    slug: prediction.slug,
    likelihoodRatio,
    deltaLogOdds: entry.deltaLogOdds,
    probabilityBefore: entry.probabilityBefore,
    probabilityAfter: entry.probabilityAfter,
  };
}

/**
 * Records evidence and moves every prediction it bears on, in one transaction:
 * lock the predictions (ascending id), compute each dL = r * ln(LR), insert the
 * evidence, its impacts and one audit entry per prediction, and the outbox events.
 */
@Injectable()
export class EvidenceService {
  private readonly retractionListeners: SignalEvidenceRetractionListener[] = [];

  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlPool,
    private readonly auditTrail: AuditTrailService,
    private readonly divergence: ForecastDivergenceService,
    private readonly outbox: OutboxWriter,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
  ) {}

  /** Registers what must happen, in the same transaction, when evidence that came from a signal item is retracted. */
  onSignalEvidenceRetracted(listener: SignalEvidenceRetractionListener): void {
    this.retractionListeners.push(listener);
  }

  /** With `tx`, runs inside the caller's transaction (the caller commits); otherwise in its own. */
  async record(input: RecordEvidenceInput, actor: string, tx?: PrismaTransaction): Promise<RecordedEvidence> {
    const reliability = checkReliability(input.reliability);
    const impacts = checkImpacts(input.impacts);
    checkSummaryAndSource(input);
    if (tx) return this.recordIn(asSqlSession(tx), input, reliability, impacts, actor);
    return this.sql.transaction((own) => this.recordIn(own, input, reliability, impacts, actor));
  }

  /**
   * The confidence transaction in as few statements as it takes: lock (ids and
   * slugs resolved in the same statement), compute every entry here, write
   * everything in one statement, and only when a move parts the model from the
   * team forecast, one more for that event.
   */
  private async recordIn(sql: SqlSession, input: RecordEvidenceInput, reliability: number, impacts: CheckedImpact[], actor: string): Promise<RecordedEvidence> {
    // An Idempotency-Key request records its claim as part of this transaction: both commit, or neither.
    await this.idempotencyKeys.takePart(sql);
    const locked = await lockPredictionsByReference(sql, impacts.map((impact) => impact.prediction));
    const heads = impacts.map((impact, index) => {
      const head = headFor(locked, impact.prediction);
      if (!head) throw new NotFoundError('Prediction', impact.prediction, `impacts[${index}].prediction`);
      return head;
    });
    heads.forEach((head, index) => {
      const first = heads.indexOf(head);
      if (first !== index) throw invalid('duplicate-impact', `impacts[${index}].prediction names the same prediction as impacts[${first}]`, `impacts[${index}].prediction`);
    });
    heads.forEach((head, index) => assertOpenForMoves(head, `impacts[${index}].prediction`));

    const at = new Date();
    const evidenceId = uuidV7(at.getTime());
    const deltas = impacts.map((impact) => deltaLogOdds(impact.likelihoodRatio, reliability));
    const entries = impacts.map((impact, index) => ({
      id: uuidV7(at.getTime()),
      ...chainedAuditEntry(heads[index]!, {
        kind: 'evidence',
        deltaLogOdds: deltas[index]!,
        actor,
        evidenceId,
        detail: { likelihoodRatio: impact.likelihoodRatio, reliability },
        at,
      }),
    }));
    const moves = entries.map((entry, index) => evidenceMove(heads[index]!, impacts[index]!.likelihoodRatio, entry));
    const events: OutboxEventInput[] = [
      {
        type: 'evidence.recorded',
        predictionId: null,
        payload: {
          evidenceId,
          summary: input.summary,
          sourceUrl: input.sourceUrl ?? null,
          observedAt: input.observedAt.toISOString(),
          reliability,
          actor,
          impacts: moves.map((move) => ({ ...move })),
        },
      },
      ...entries.map((entry) => ({ type: 'prediction.confidence_changed' as const, predictionId: entry.predictionId, payload: confidenceChangedPayload(entry) })),
    ];
    const latestForecasts = await writeEvidence(sql, {
      evidence: {
        id: evidenceId,
        summary: input.summary,
        sourceUrl: input.sourceUrl ?? null,
        observedAt: input.observedAt,
        reliability,
        actor,
        indicatorReadingId: input.indicatorReadingId ?? null,
        signalItemId: input.signalItemId ?? null,
      },
      impacts: impacts.map((impact, index) => ({
        id: uuidV7(at.getTime()),
        predictionId: heads[index]!.id,
        likelihoodRatio: impact.likelihoodRatio,
        deltaLogOdds: deltas[index]!,
        direction: impact.direction,
        strength: impact.strength,
      })),
      entries,
      outbox: outboxColumns(events),
      at,
    });

    const crossings = entries
      .map((entry, index) =>
        this.divergence.crossingAfterModelMove(heads[index]!, entry.probabilityBefore, entry.probabilityAfter, teamForecastOf(latestForecasts.get(entry.predictionId) ?? []), actor),
      )
      .filter((event): event is OutboxEventInput => event !== null);
    await this.outbox.write(sql, crossings);
    return { id: evidenceId, impacts: moves };
  }

  /**
   * Retraction deletes nothing: each prediction the evidence moved gets a
   * compensating entry of -dL, and the evidence is marked retracted.
   */
  async retract(evidenceId: string, reason: string, actor: string): Promise<RetractedEvidence> {
    if (reason.trim().length === 0) throw invalid('reason-required', 'reason must say why the evidence is retracted', 'reason');
    return this.prisma.$transaction(async (tx) => {
      await this.idempotencyKeys.takePart(tx);
      // The evidence row first, then the predictions: every retraction takes its locks in that order.
      const [row] = await tx.$queryRaw<{ retractedAt: Date | null; signalItemId: string | null }[]>`
        SELECT "retractedAt", "signalItemId" FROM "Evidence" WHERE "id" = ${evidenceId}::uuid FOR UPDATE`;
      if (!row) throw new NotFoundError('Evidence', evidenceId, 'id');
      if (row.retractedAt) throw new DomainError('conflict', 'evidence-retracted', `Evidence "${evidenceId}" was already retracted`, 'id');
      const impacts = await tx.evidenceImpact.findMany({ where: { evidenceId }, orderBy: { predictionId: 'asc' } });
      const locked = await lockPredictionsForUpdate(tx, impacts.map((impact) => impact.predictionId));
      for (const impact of impacts) assertOpenForMoves(locked.get(impact.predictionId)!, 'id');

      const moves: EvidenceMove[] = [];
      const events: OutboxEventInput[] = [];
      for (const impact of impacts) {
        const head = locked.get(impact.predictionId)!;
        const entry = await this.auditTrail.append(tx, head, {
          kind: 'retraction',
          deltaLogOdds: retractionDelta(impact.deltaLogOdds),
          actor,
          evidenceId,
          reason,
        });
        moves.push(evidenceMove(head, impact.likelihoodRatio, entry));
        events.push({ type: 'prediction.confidence_changed', predictionId: head.id, payload: confidenceChangedPayload(entry) });
      }
      const retractedAt = new Date();
      await tx.evidence.update({ where: { id: evidenceId }, data: { retractedAt, retractionReason: reason, retractedBy: actor } });
      events.unshift({
        type: 'evidence.retracted',
        predictionId: null,
        payload: { evidenceId, reason, actor, impacts: moves.map((move) => ({ ...move })) },
      });
      await this.outbox.write(tx, events);
      if (row.signalItemId) {
        for (const listener of this.retractionListeners) await listener(tx, { evidenceId, signalItemId: row.signalItemId, reason, actor });
      }
      return { id: evidenceId, retractedAt, impacts: moves };
    }, CONFIDENCE_TRANSACTION_OPTIONS);
  }

  async get(id: string): Promise<EvidenceWithImpacts> {
    const evidence = await this.prisma.evidence.findUnique({ where: { id }, include: impactsWithSlug });
    if (!evidence) throw new NotFoundError('Evidence', id, 'id');
    return evidence;
  }

  /** Newest-last keyset pages over evidence ids (UUIDv7, so creation order). */
  async list(filter: EvidenceFilter): Promise<Page<EvidenceWithImpacts>> {
    const after = decodeCursor(filter.cursor);
    const where: Prisma.EvidenceWhereInput = {};
    if (after) where.id = { gt: after };
    if (filter.prediction !== undefined) {
      const [predictionId] = await resolvePredictionIds(this.prisma, [filter.prediction], () => 'prediction');
      where.impacts = { some: { predictionId: predictionId! } };
    }
    if (filter.indicator !== undefined) {
      // Read-only look-up of the signals lib's table: evidence only keeps the reading's id.
      const indicator = await this.prisma.indicator.findFirst({
        where: isUuid(filter.indicator) ? { id: filter.indicator.toLowerCase() } : { slug: filter.indicator },
        select: { id: true },
      });
      if (!indicator) throw new NotFoundError('Indicator', filter.indicator, 'indicator');
      where.indicatorReading = { indicatorId: indicator.id };
    }
    if (filter.observedFrom || filter.observedTo) {
      where.observedAt = { ...(filter.observedFrom ? { gte: filter.observedFrom } : {}), ...(filter.observedTo ? { lte: filter.observedTo } : {}) };
    }
    const rows = await this.prisma.evidence.findMany({ where, include: impactsWithSlug, orderBy: { id: 'asc' }, take: filter.limit + 1 });
    return toPage(rows, filter.limit);
  }

  /**
   * Evidence whose summary matches a compiled full-text query, best first
   * (ts_rank_cd, newer first among equals), with the list's filters, in
   * keyset pages on (rank, id); the cursor holds only for the query and
   * filters that gave it. The summary's expression index serves the match.
   */
  async search(search: EvidenceSearch): Promise<Page<EvidenceSearchHit>> {
    const scope = ['evidence', search.tsQuery, search.prediction, search.indicator, search.observedFrom?.toISOString(), search.observedTo?.toISOString()].join(':');
    const after = decodeRankedCursor(search.cursor, scope, 1);
    const predictionId = search.prediction === undefined ? undefined : (await resolvePredictionIds(this.prisma, [search.prediction], () => 'prediction'))[0]!;
    let indicatorId: string | undefined;
    if (search.indicator !== undefined) {
      // Read-only look-up of the signals lib's table, as in list().
      const indicator = await this.prisma.indicator.findFirst({
        where: isUuid(search.indicator) ? { id: search.indicator.toLowerCase() } : { slug: search.indicator },
        select: { id: true },
      });
      if (!indicator) throw new NotFoundError('Indicator', search.indicator, 'indicator');
      indicatorId = indicator.id;
    }
    const ranked = await this.prisma.$queryRaw<{ id: string; rank: number; highlight: string }[]>`
      WITH q AS (SELECT to_tsquery('english', ${search.tsQuery}) AS q),
      hit AS (
        SELECT evidence."id", evidence."summary", ts_rank_cd(to_tsvector('english', evidence."summary"), q.q)::float8 AS rank
        FROM "Evidence" AS evidence, q
        WHERE to_tsvector('english', evidence."summary") @@ q.q
          ${search.observedFrom ? Prisma.sql`AND evidence."observedAt" >= ${search.observedFrom}` : Prisma.empty}
          ${search.observedTo ? Prisma.sql`AND evidence."observedAt" <= ${search.observedTo}` : Prisma.empty}
          ${predictionId ? Prisma.sql`AND EXISTS (SELECT 1 FROM "EvidenceImpact" AS impact WHERE impact."evidenceId" = evidence."id" AND impact."predictionId" = ${predictionId}::uuid)` : Prisma.empty}
          ${indicatorId ? Prisma.sql`AND EXISTS (SELECT 1 FROM "IndicatorReading" AS reading WHERE reading."id" = evidence."indicatorReadingId" AND reading."indicatorId" = ${indicatorId}::uuid)` : Prisma.empty}
      )
      SELECT hit."id", hit.rank, ts_headline('english', hit."summary", q.q, ${SEARCH_HEADLINE_OPTIONS}) AS highlight
      FROM hit, q
      ${after ? Prisma.sql`WHERE (hit.rank, hit."id") < (${after.values[0]!}::float8, ${after.id}::uuid)` : Prisma.empty}
      ORDER BY hit.rank DESC, hit."id" DESC
      LIMIT ${search.limit + 1}`;
    const rows = new Map((await this.prisma.evidence.findMany({ where: { id: { in: ranked.map((hit) => hit.id) } }, include: impactsWithSlug })).map((row) => [row.id, row]));
    const hits = ranked.filter((hit) => rows.has(hit.id)).map((hit) => ({ ...rows.get(hit.id)!, rank: hit.rank, highlight: hit.highlight }));
    return toRankedPage(hits, search.limit, scope, (hit) => [hit.rank]);
  }

  /** The impacts of the given evidence records, for other libraries; direction and strength as recorded, or null when a number was given. */
  async impactsOf(evidenceIds: readonly string[]): Promise<EvidenceImpactSummary[]> {
    if (evidenceIds.length === 0) return [];
    const impacts = await this.prisma.evidenceImpact.findMany({
      where: { evidenceId: { in: [...evidenceIds] } },
      select: { evidenceId: true, predictionId: true, likelihoodRatio: true, direction: true, strength: true, prediction: { select: { slug: true } } },
    });
    return impacts.map((impact) => ({
      evidenceId: impact.evidenceId,
      predictionId: impact.predictionId,
      slug: impact.prediction.slug,
      likelihoodRatio: impact.likelihoodRatio,
      direction: DIRECTIONS.includes(impact.direction ?? '') ? (impact.direction as EvidenceDirection) : null,
      strength: STRENGTHS.includes(impact.strength ?? '') ? (impact.strength as EvidenceStrength) : null,
    }));
  }
}

/** Marks ts_headline puts around matched words in a searched summary. */
const SEARCH_HEADLINE_OPTIONS = 'StartSel=<mark>, StopSel=</mark>, MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "';

const impactsWithSlug = {
  impacts: { include: { prediction: { select: { slug: true } } }, orderBy: { createdAt: 'asc' } },
} as const satisfies Prisma.EvidenceInclude;

function checkReliability(reliability: number | undefined): number {
  if (reliability === undefined) return 1;
  if (typeof reliability !== 'number' || !(reliability >= 0 && reliability <= 1)) {
    throw invalid('reliability-out-of-range', `reliability must be a number within [0, 1], got ${String(reliability)}`, 'reliability');
  }
  return reliability;
}

function checkSummaryAndSource(input: RecordEvidenceInput): void {
  if (typeof input.summary !== 'string' || input.summary.trim().length === 0) {
    throw invalid('summary-required', 'summary must say what was observed', 'summary');
  }
  if (!(input.observedAt instanceof Date) || Number.isNaN(input.observedAt.getTime())) {
    throw invalid('invalid-observed-at', 'observedAt must be a valid time', 'observedAt');
  }
  // Reported evidence may not claim a time ahead of the clock; evidence derived from a reading or a
  // feed item carries the time its source was checked for. Scoring goes by recording time regardless.
  if (input.indicatorReadingId == null && input.signalItemId == null && input.observedAt.getTime() > Date.now() + MAX_CLOCK_SKEW_MS) {
    throw invalid('observed-in-future', `observedAt may be at most ${MAX_CLOCK_SKEW_MS / 60_000} minutes ahead of the server's clock`, 'observedAt');
  }
  if (input.sourceUrl != null && !/^https?:\/\/\S+$/i.test(input.sourceUrl)) {
    throw invalid('invalid-source-url', 'sourceUrl must be an http(s) URL', 'sourceUrl');
  }
}

/** Each impact gives either a likelihood ratio or a direction with a strength, never both. */
function checkImpacts(impacts: readonly EvidenceImpactInput[]): CheckedImpact[] {
  // Internal callers are typed, but the shape still arrives from JSON somewhere upstream.
  if (!Array.isArray(impacts as unknown) || impacts.length === 0) {
    throw invalid('impacts-required', 'impacts must name at least one prediction', 'impacts');
  }
  if (impacts.length > MAX_IMPACTS) {
    throw invalid('too-many-impacts', `impacts may hold at most ${MAX_IMPACTS} predictions`, 'impacts');
  }
  return impacts.map((impact, index) => {
    const field = (name: string) => `impacts[${index}].${name}`;
    if (typeof impact.prediction !== 'string' || impact.prediction.trim().length === 0) {
      throw invalid('invalid-impact', `${field('prediction')} must be a prediction id or slug`, field('prediction'));
    }
    if (impact.likelihoodRatio !== undefined) {
      if (impact.direction !== undefined || impact.strength !== undefined) {
        throw invalid('invalid-impact', `${field('likelihoodRatio')} and direction/strength are alternatives; give one`, field('likelihoodRatio'));
      }
      if (typeof impact.likelihoodRatio !== 'number' || !isAcceptedLikelihoodRatio(impact.likelihoodRatio)) {
        throw invalid(
          'likelihood-ratio-out-of-range',
          `${field('likelihoodRatio')} must be within [${MIN_LIKELIHOOD_RATIO}, ${MAX_LIKELIHOOD_RATIO}], got ${String(impact.likelihoodRatio)}`,
          field('likelihoodRatio'),
        );
      }
      return { prediction: impact.prediction, likelihoodRatio: impact.likelihoodRatio, direction: null, strength: null };
    }
    if (impact.direction === undefined || !DIRECTIONS.includes(impact.direction)) {
      throw invalid('invalid-impact', `${field('direction')} must be supports or contradicts when no likelihoodRatio is given`, field('direction'));
    }
    if (impact.strength === undefined || !STRENGTHS.includes(impact.strength)) {
      throw invalid('invalid-impact', `${field('strength')} must be weak, moderate or strong when no likelihoodRatio is given`, field('strength'));
    }
    return {
      prediction: impact.prediction,
      likelihoodRatio: likelihoodRatioFor(impact.direction, impact.strength),
      direction: impact.direction,
      strength: impact.strength,
    };
  });
}
