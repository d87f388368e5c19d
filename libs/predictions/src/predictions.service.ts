import { Injectable } from '@nestjs/common';

import { DomainError, GENESIS_HASH, logit, NotFoundError, onLogOddsGrid, overrideDelta, probabilityFromLogOdds } from '#core';
import {
  decodeCursor,
  isReferenceTo,
  isUniqueViolation,
  PrismaService,
  recordReference,
  splitReferences,
  SqlPool,
  asSqlSession,
  type PrismaTransaction,
  type SqlSession,
  toPage,
  WriteTransactions,
  type AuditEntry,
  type Page,
  type PageRequest,
  type Prediction,
  type PredictionStatus,
} from '#db';
import { OutboxWriter } from '#events';

import { AuditTrailService } from './chain/audit-trail.service.js';
import { confidenceChangedPayload } from './chain/confidence-event.js';
import { dayNumber, PredictionDeadlinesService } from './prediction-deadlines.service.js';
import { assertOpenForMoves, isResolved, PredictionChainRepository } from './chain/prediction-chain.repository.js';
import { TEAM_FORECAST_JOIN, teamFromColumns, type TeamForecast, type TeamForecastColumns } from './forecasts/team-forecast.js';
import { TrackScoringService } from './scoring/track-scoring.service.js';

/** A prediction as lists show it: with the team forecast beside the model's. */
export type PredictionWithTeam = Prediction & { team: TeamForecast | null };

export interface NewPrediction {
  slug: string;
  title: string;
  statement: string;
  resolutionCriteria: string;
  prior: number;
  deadline: Date;
  eventByDeadline?: boolean;
}

/** The text of a prediction; the probability is never edited, only moved through the audit trail. */
export interface PredictionTextEdit {
  title?: string;
  statement?: string;
  resolutionCriteria?: string;
}

export type ResolutionOutcome = 'true' | 'false' | 'annulled';

export interface Resolution {
  outcome: ResolutionOutcome;
  note: string;
  sourceUrl?: string | null;
  /** When the event happened (or was settled), as distinct from when it was recorded. Defaults to now. */
  occurredAt?: Date | null;
}

/** A prediction as another library refers to it: who it is, where it stands. */
export interface PredictionSummary {
  id: string;
  slug: string;
  title: string;
  status: PredictionStatus;
  probability: number;
}

export interface ConfidenceMove {
  prediction: Prediction;
  entry: AuditEntry;
}

const STATUS_OF_OUTCOME: Record<ResolutionOutcome, PredictionStatus> = {
  true: 'resolved_true',
  false: 'resolved_false',
  annulled: 'annulled',
};

/** Below every UUIDv7: where the first page starts. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Every column of Prediction, as Prisma's `Prediction` type has them. */
const PREDICTION_COLUMNS = `"id"::text AS "id", "slug", "title", "statement", "resolutionCriteria", "prior", "priorLogOdds", "logOdds", "probability",
  "status"::text AS "status", "deadline", "eventByDeadline", "auditSequence", "auditHash", "revision", "resolvedAt", "outcomeOccurredAt",
  "resolutionNote", "resolutionSourceUrl", "dueAt", "createdAt", "updatedAt"`;

@Injectable()
export class PredictionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlPool,
    private readonly transactions: WriteTransactions,
    private readonly chain: PredictionChainRepository,
    private readonly auditTrail: AuditTrailService,
    private readonly outbox: OutboxWriter,
    private readonly deadlines: PredictionDeadlinesService,
    private readonly trackScoring: TrackScoringService,
  ) {}

  /** A page of predictions, each with its team forecast, read in one statement. */
  async list(request: PageRequest & { status?: PredictionStatus }): Promise<Page<PredictionWithTeam>> {
    const rows = await this.sql.query<Prediction & TeamForecastColumns>(
      `SELECT ${PREDICTION_COLUMNS}, team."teamProbabilities", team."teamAsOf" FROM "Prediction" p ${TEAM_FORECAST_JOIN}
        WHERE p."id" > $1::uuid AND ($2::text IS NULL OR p."status"::text = $2)
        ORDER BY p."id" LIMIT $3`,
      [decodeCursor(request.cursor) ?? NIL_UUID, request.status ?? null, request.limit + 1],
      'predictions-page',
    );
    const page = toPage(rows, request.limit);
    return { ...page, items: page.items.map(withTeam) };
  }

  /** Predictions are addressable by id or by slug. */
  async get(idOrSlug: string, field = 'idOrSlug'): Promise<Prediction> {
    // Read on most routes about one prediction (its scorecard, history, evidence): prepared, one per kind of reference.
    const reference = recordReference(idOrSlug);
    const [prediction] =
      'id' in reference
        ? await this.sql.query<Prediction>(`SELECT ${PREDICTION_COLUMNS} FROM "Prediction" WHERE "id" = $1::uuid`, [reference.id], 'prediction-by-id')
        : await this.sql.query<Prediction>(`SELECT ${PREDICTION_COLUMNS} FROM "Prediction" WHERE "slug" = $1`, [reference.slug], 'prediction-by-slug');
    if (!prediction) throw new NotFoundError('Prediction', idOrSlug, field);
    return prediction;
  }

  /** A prediction with its team forecast, read in one statement. */
  async getWithTeam(idOrSlug: string): Promise<PredictionWithTeam> {
    const reference = recordReference(idOrSlug);
    const byId = 'id' in reference;
    const [row] = await this.sql.query<Prediction & TeamForecastColumns>(
      `SELECT ${PREDICTION_COLUMNS}, team."teamProbabilities", team."teamAsOf" FROM "Prediction" p ${TEAM_FORECAST_JOIN}
        WHERE ${byId ? 'p."id" = $1::uuid' : 'p."slug" = $1'}`,
      [byId ? reference.id : reference.slug],
      byId ? 'prediction-with-team-by-id' : 'prediction-with-team-by-slug',
    );
    if (!row) throw new NotFoundError('Prediction', idOrSlug, 'idOrSlug');
    return withTeam(row);
  }

  /**
   * The predictions `references` (ids or slugs) name, in their order, in one
   * query; one that names none is not_found, naming `fieldOf(index)`. How other
   * libraries turn what a request names into predictions.
   */
  async lookUp(references: readonly string[], fieldOf: (index: number) => string): Promise<PredictionSummary[]> {
    return this.lookUpWithin(this.sql, references, fieldOf);
  }

  /** As lookUp, inside the caller's transaction (the embedded database serves one transaction at a time). */
  async lookUpWithin(tx: PrismaTransaction | SqlSession | SqlPool, references: readonly string[], fieldOf: (index: number) => string): Promise<PredictionSummary[]> {
    if (references.length === 0) return [];
    const { ids, slugs } = splitReferences(references);
    const rows = await (tx instanceof SqlPool ? tx : asSqlSession(tx)).query<PredictionSummary>(
      `SELECT "id"::text AS "id", "slug", "title", "status"::text AS "status", "probability" FROM "Prediction"
        WHERE "id" = ANY($1::uuid[]) OR "slug" = ANY($2::text[])`,
      [ids, slugs],
      'predictions-resolve',
    );
    return references.map((reference, index) => {
      const row = rows.find((candidate) => isReferenceTo(candidate, reference));
      if (!row) throw new NotFoundError('Prediction', reference, fieldOf(index));
      return row;
    });
  }

  /** The predictions among `ids` that exist (in no particular order). */
  async findByIds(ids: readonly string[]): Promise<Prediction[]> {
    return ids.length === 0 ? [] : this.prisma.prediction.findMany({ where: { id: { in: [...ids] } } });
  }

  /** The predictions among `slugs` that exist (in no particular order). */
  async findBySlugs(slugs: readonly string[]): Promise<Prediction[]> {
    return this.prisma.prediction.findMany({ where: { slug: { in: [...slugs] } } });
  }

  /** Creates the prediction and the first entry of its audit trail, the prior. */
  async create(input: NewPrediction, actor: string): Promise<Prediction> {
    if (!(input.deadline.getTime() > Date.now())) {
      throw new DomainError('invalid', 'deadline-in-past', 'deadline must be a time in the future', 'deadline');
    }
    // On the log-odds grid, as every later position is, so moves return to it exactly.
    const priorLogOdds = onLogOddsGrid(logit(input.prior));
    // The prediction and its prior carry one timestamp, so "the probability at t" exists from its first instant.
    const createdAt = new Date();
    try {
      return await this.transactions.run(async (tx) => {
        const created = await tx.prediction.create({
          data: {
            createdAt,
            slug: input.slug,
            title: input.title,
            statement: input.statement,
            resolutionCriteria: input.resolutionCriteria,
            prior: input.prior,
            priorLogOdds,
            logOdds: priorLogOdds,
            probability: probabilityFromLogOdds(priorLogOdds),
            deadline: input.deadline,
            eventByDeadline: input.eventByDeadline ?? false,
            auditHash: GENESIS_HASH,
            revisions: {
              create: {
                revision: 1,
                title: input.title,
                statement: input.statement,
                resolutionCriteria: input.resolutionCriteria,
                editedBy: actor,
              },
            },
          },
        });
        await this.chain.append(tx, [{ head: created, move: { kind: 'prior', deltaLogOdds: 0, actor, detail: { prior: input.prior }, at: createdAt } }]);
        return tx.prediction.findUniqueOrThrow({ where: { id: created.id } });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError('conflict', 'slug-taken', `A prediction with slug "${input.slug}" already exists`, 'slug');
      }
      throw error;
    }
  }

  /** Edits the text; each edit bumps the revision and keeps the new version beside every earlier one. */
  async updateText(idOrSlug: string, edit: PredictionTextEdit, actor: string): Promise<Prediction> {
    const fields = (['title', 'statement', 'resolutionCriteria'] as const).filter((field) => edit[field] !== undefined);
    if (fields.length === 0) {
      throw new DomainError('invalid', 'nothing-to-update', 'Send at least one of title, statement, resolutionCriteria', 'body');
    }
    return this.transactions.run(async (tx) => {
      const locked = await this.chain.lockOne(tx, idOrSlug);
      if (isResolved(locked.status)) {
        throw new DomainError('conflict', 'prediction-resolved', `Prediction "${locked.slug}" is resolved; its text is final`, 'idOrSlug');
      }
      const current = await tx.prediction.findUniqueOrThrow({ where: { id: locked.id } });
      const next = {
        title: edit.title ?? current.title,
        statement: edit.statement ?? current.statement,
        resolutionCriteria: edit.resolutionCriteria ?? current.resolutionCriteria,
      };
      const revision = current.revision + 1;
      await tx.predictionRevision.create({ data: { predictionId: locked.id, revision, ...next, editedBy: actor } });
      return tx.prediction.update({ where: { id: locked.id }, data: { ...next, revision } });
    });
  }

  async revisions(idOrSlug: string) {
    const prediction = await this.get(idOrSlug);
    return this.prisma.predictionRevision.findMany({ where: { predictionId: prediction.id }, orderBy: { revision: 'asc' } });
  }

  /** Sets the probability directly, with a written reason: an ordinary move of dL = logit(p) - L. */
  async override(idOrSlug: string, probability: number, reason: string, actor: string): Promise<ConfidenceMove> {
    return this.transactions.run(async (tx) => {
      const head = await this.chain.lockOne(tx, idOrSlug);
      assertOpenForMoves(head, 'idOrSlug');
      const entry = await this.auditTrail.append(tx, head, {
        kind: 'override',
        deltaLogOdds: overrideDelta(head.logOdds, probability),
        actor,
        reason,
        detail: { requestedProbability: probability },
      });
      await this.outbox.write(tx, [{ type: 'prediction.confidence_changed', predictionId: head.id, payload: confidenceChangedPayload(entry) }]);
      return { prediction: await tx.prediction.findUniqueOrThrow({ where: { id: head.id } }), entry };
    });
  }

  /**
   * Resolution freezes the probability (no further moves) and is itself an audit entry of dL = 0.
   * `occurredAt` (default now) is when the event happened: no earlier than the prediction's
   * creation, no later than now (with a minute of clock skew). Every quiet day before the
   * event's day that a stopped worker missed is recorded first; then, for true or false,
   * every track (the model, the team, each analyst) is scored at `occurredAt` and kept.
   */
  async resolve(idOrSlug: string, resolution: Resolution, actor: string): Promise<ConfidenceMove> {
    const recordedAt = new Date();
    const occurredAt = resolution.occurredAt ?? recordedAt;
    if (occurredAt.getTime() > recordedAt.getTime() + 60_000) {
      throw new DomainError('invalid', 'occurred-in-future', 'occurredAt cannot be in the future', 'occurredAt');
    }
    return this.transactions.run(async (tx) => {
      const head = await this.chain.lockOne(tx, idOrSlug);
      if (isResolved(head.status)) {
        throw new DomainError('conflict', 'prediction-resolved', `Prediction "${head.slug}" is already ${head.status.replace('_', ' ')}`, 'idOrSlug');
      }
      if (occurredAt.getTime() < head.createdAt.getTime()) {
        throw new DomainError(
          'invalid',
          'occurred-before-creation',
          `occurredAt must not be before the prediction was created (${head.createdAt.toISOString()})`,
          'occurredAt',
        );
      }
      await this.deadlines.appendMissedQuietDays(tx, head, Math.min(dayNumber(occurredAt), dayNumber(recordedAt)) - 1);
      const entry = await this.auditTrail.append(tx, head, {
        kind: 'resolution',
        deltaLogOdds: 0,
        actor,
        reason: resolution.note,
        detail: {
          outcome: resolution.outcome,
          occurredAt: occurredAt.toISOString(),
          sourceUrl: resolution.sourceUrl ?? null,
        },
      });
      const prediction = await tx.prediction.update({
        where: { id: head.id },
        data: {
          status: STATUS_OF_OUTCOME[resolution.outcome],
          resolvedAt: entry.createdAt,
          outcomeOccurredAt: occurredAt,
          resolutionNote: resolution.note,
          resolutionSourceUrl: resolution.sourceUrl ?? null,
        },
      });
      if (resolution.outcome !== 'annulled') {
        await this.trackScoring.record(tx, prediction, occurredAt, resolution.outcome === 'true' ? 1 : 0);
      }
      await this.outbox.write(tx, [
        {
          type: 'prediction.resolved',
          predictionId: head.id,
          payload: {
            predictionId: head.id,
            slug: head.slug,
            outcome: resolution.outcome,
            probability: prediction.probability,
            occurredAt: occurredAt.toISOString(),
            resolvedAt: entry.createdAt.toISOString(),
            note: resolution.note,
            sourceUrl: resolution.sourceUrl ?? null,
            actor,
          },
        },
      ]);
      return { prediction, entry };
    });
  }

  /**
   * Undoes a resolution with a reason: a `resolution_undone` entry, not an edit.
   * The earlier resolution stays in the trail; the prediction reopens (or is due).
   */
  async undoResolution(idOrSlug: string, reason: string, actor: string): Promise<ConfidenceMove> {
    return this.transactions.run(async (tx) => {
      const head = await this.chain.lockOne(tx, idOrSlug);
      if (!isResolved(head.status)) {
        throw new DomainError('conflict', 'prediction-not-resolved', `Prediction "${head.slug}" is not resolved`, 'idOrSlug');
      }
      const entry = await this.auditTrail.append(tx, head, {
        kind: 'resolution_undone',
        deltaLogOdds: 0,
        actor,
        reason,
        detail: { undoneStatus: head.status },
      });
      const status: PredictionStatus = head.deadline.getTime() <= entry.createdAt.getTime() ? 'due' : 'open';
      const prediction = await tx.prediction.update({
        where: { id: head.id },
        data: { status, resolvedAt: null, outcomeOccurredAt: null, resolutionNote: null, resolutionSourceUrl: null },
      });
      await this.trackScoring.forget(tx, head.id);
      await this.outbox.write(tx, [
        {
          type: 'prediction.resolution_undone',
          predictionId: head.id,
          payload: { predictionId: head.id, slug: head.slug, undoneStatus: head.status, status, reason, actor },
        },
      ]);
      return { prediction, entry };
    });
  }
}

function withTeam({ teamProbabilities, teamAsOf, ...prediction }: Prediction & TeamForecastColumns): PredictionWithTeam {
  return { ...prediction, team: teamFromColumns({ teamProbabilities, teamAsOf }) };
}
