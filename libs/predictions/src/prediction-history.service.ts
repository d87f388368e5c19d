import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError, probabilityFromLogOdds } from '#core';
import { PrismaService, type AuditEntry, type AuditKind, type Prediction } from '#db';

import { PredictionsService } from './predictions.service.js';
import { isAfterTheFact } from './track-scoring.service.js';

export interface SequencePageRequest {
  cursor?: string;
  limit: number;
}

export interface SequencePage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface WhatIf {
  prediction: Prediction;
  excluded: { evidenceId: string; deltaLogOdds: number }[];
  logOdds: number;
  probability: number;
}

export interface ExplainedMove {
  entry: AuditEntry;
  evidence: { id: string; summary: string; sourceUrl: string | null; observedAt: Date; retractedAt: Date | null } | null;
  /**
   * Recorded after the event the resolution names (whatever the evidence's observedAt):
   * kept in the trail and in the probability, left out of every score.
   */
  afterTheFact: boolean;
}

export interface SeriesPoint {
  sequence: number;
  at: Date;
  probability: number;
  /** The probability had the excluded evidence not come (same as `probability` when nothing is excluded). */
  whatIfProbability: number;
}

export interface ProbabilitySeries {
  prediction: Prediction;
  /** At most about `maxPoints` entries, evenly spaced by audit sequence, always with the first and the last. */
  points: SeriesPoint[];
  /** How many audit entries the series stands for. */
  entries: number;
}

export interface Explanation {
  prediction: Prediction;
  at: Date;
  /** The probability in force at `at`; null before the prediction existed. */
  probability: number | null;
  logOdds: number | null;
  /** When the event happened, once resolved: moves recorded after it are after the fact. */
  occurredAt: Date | null;
  moves: SequencePage<ExplainedMove>;
}

/**
 * Read models over a prediction's audit trail: the probability series, the raw
 * entries, "why was it p then" and "what if this evidence had not come".
 * Pages are keyed by audit sequence, which is gap-free and total per prediction.
 */
@Injectable()
export class PredictionHistoryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly predictions: PredictionsService,
  ) {}

  async entries(idOrSlug: string, page: SequencePageRequest, until?: Date): Promise<{ prediction: Prediction; page: SequencePage<AuditEntry> }> {
    const prediction = await this.predictions.get(idOrSlug);
    const after = decodeSequenceCursor(page.cursor);
    const rows = await this.prisma.auditEntry.findMany({
      where: { predictionId: prediction.id, sequence: { gt: after }, ...(until ? { createdAt: { lte: until } } : {}) },
      orderBy: { sequence: 'asc' },
      take: page.limit + 1,
    });
    return { prediction, page: toSequencePage(rows, page.limit) };
  }

  /**
   * The probability without the chosen evidence. The trail is a sum of deltas,
   * except that an override sets the probability outright: evidence before the
   * last override no longer counts, so only excluded moves after it are taken out
   * (both the evidence's entry and any retraction of it).
   */
  async whatIf(idOrSlug: string, excludedEvidenceIds: readonly string[]): Promise<WhatIf> {
    const prediction = await this.predictions.get(idOrSlug);
    const bearing = await this.prisma.auditEntry.findMany({
      where: { predictionId: prediction.id, evidenceId: { in: [...excludedEvidenceIds] } },
      select: { evidenceId: true, sequence: true, deltaLogOdds: true },
      orderBy: { sequence: 'asc' },
    });
    excludedEvidenceIds.forEach((evidenceId, index) => {
      if (!bearing.some((entry) => entry.evidenceId === evidenceId)) {
        throw new NotFoundError('Evidence on this prediction', evidenceId, `exclude[${index}]`);
      }
    });
    const lastOverride = await this.prisma.auditEntry.findFirst({
      where: { predictionId: prediction.id, kind: 'override' },
      orderBy: { sequence: 'desc' },
      select: { sequence: true },
    });
    const since = lastOverride?.sequence ?? 0;
    let removed = 0;
    const excluded = excludedEvidenceIds.map((evidenceId) => {
      const delta = bearing
        .filter((entry) => entry.evidenceId === evidenceId && entry.sequence > since)
        .reduce((sum, entry) => sum + entry.deltaLogOdds, 0);
      removed += delta;
      return { evidenceId, deltaLogOdds: delta };
    });
    const logOdds = prediction.logOdds - removed;
    return { prediction, excluded, logOdds, probability: probabilityFromLogOdds(logOdds) };
  }

  /**
   * The probability series thinned to about `maxPoints` entries for a chart: entries are
   * picked by sequence through the (predictionId, sequence) index, so the cost does not grow
   * with the history. With `exclude`, each point also carries the what-if probability,
   * by the rule of `whatIf` (an override resets what the evidence before it did).
   */
  async series(idOrSlug: string, maxPoints: number, exclude: readonly string[] = []): Promise<ProbabilitySeries> {
    const prediction = await this.predictions.get(idOrSlug);
    const total = prediction.auditSequence;
    const step = Math.max(1, Math.ceil(total / Math.max(2, maxPoints)));
    const sequences = new Set<number>([1, total]);
    for (let sequence = 1; sequence <= total; sequence += step) sequences.add(sequence);
    const [rows, excludedMoves, overrides] = await Promise.all([
      this.prisma.auditEntry.findMany({
        where: { predictionId: prediction.id, sequence: { in: [...sequences] } },
        select: { sequence: true, createdAt: true, logOddsAfter: true, probabilityAfter: true },
        orderBy: { sequence: 'asc' },
      }),
      exclude.length === 0
        ? []
        : this.prisma.auditEntry.findMany({
            where: { predictionId: prediction.id, evidenceId: { in: [...exclude] } },
            select: { sequence: true, deltaLogOdds: true },
          }),
      exclude.length === 0
        ? []
        : this.prisma.auditEntry.findMany({ where: { predictionId: prediction.id, kind: 'override' }, select: { sequence: true } }),
    ]);
    const overrideSequences = overrides.map((entry) => entry.sequence);
    const points = rows.map((row) => {
      const since = Math.max(0, ...overrideSequences.filter((sequence) => sequence <= row.sequence));
      const removed = excludedMoves
        .filter((move) => move.sequence > since && move.sequence <= row.sequence)
        .reduce((sum, move) => sum + move.deltaLogOdds, 0);
      return {
        sequence: row.sequence,
        at: row.createdAt,
        probability: row.probabilityAfter,
        whatIfProbability: removed === 0 ? row.probabilityAfter : probabilityFromLogOdds(row.logOddsAfter - removed),
      };
    });
    return { prediction, points, entries: total };
  }

  /** The latest moves (newest first), optionally up to a time, each with its evidence: the "what moved it lately" list. */
  async recentMoves(idOrSlug: string, limit: number, until?: Date): Promise<{ prediction: Prediction; moves: ExplainedMove[] }> {
    const prediction = await this.predictions.get(idOrSlug);
    const entries = await this.prisma.auditEntry.findMany({
      where: { predictionId: prediction.id, ...(until ? { createdAt: { lte: until } } : {}) },
      orderBy: { sequence: 'desc' },
      take: limit,
    });
    const evidenceIds = [...new Set(entries.map((entry) => entry.evidenceId).filter((id): id is string => id !== null))];
    const evidence = await this.prisma.evidence.findMany({
      where: { id: { in: evidenceIds } },
      select: { id: true, summary: true, sourceUrl: true, observedAt: true, retractedAt: true },
    });
    const evidenceById = new Map(evidence.map((item) => [item.id, item]));
    return {
      prediction,
      moves: entries.map((entry) => ({
        entry,
        evidence: entry.evidenceId ? (evidenceById.get(entry.evidenceId) ?? null) : null,
        afterTheFact: isAfterTheFact(entry, prediction.outcomeOccurredAt),
      })),
    };
  }

  /** "Why was it p at that time": the prior and every move up to `at`, in order, each with its cause. */
  async explain(idOrSlug: string, at: Date, page: SequencePageRequest): Promise<Explanation> {
    const { prediction, page: entries } = await this.entries(idOrSlug, page, at);
    const lastBefore = await this.prisma.auditEntry.findFirst({
      where: { predictionId: prediction.id, createdAt: { lte: at } },
      orderBy: { sequence: 'desc' },
      select: { logOddsAfter: true, probabilityAfter: true },
    });
    const evidenceIds = [...new Set(entries.items.map((entry) => entry.evidenceId).filter((id): id is string => id !== null))];
    const evidence = await this.prisma.evidence.findMany({
      where: { id: { in: evidenceIds } },
      select: { id: true, summary: true, sourceUrl: true, observedAt: true, retractedAt: true },
    });
    const evidenceById = new Map(evidence.map((item) => [item.id, item]));
    // A prediction made before its prior's entry shared its timestamp: from creation on, the prior is in force.
    const existed = at.getTime() >= prediction.createdAt.getTime();
    return {
      prediction,
      at,
      probability: lastBefore?.probabilityAfter ?? (existed ? probabilityFromLogOdds(prediction.priorLogOdds) : null),
      logOdds: lastBefore?.logOddsAfter ?? (existed ? prediction.priorLogOdds : null),
      occurredAt: prediction.outcomeOccurredAt,
      moves: {
        items: entries.items.map((entry) => ({
          entry,
          evidence: entry.evidenceId ? (evidenceById.get(entry.evidenceId) ?? null) : null,
          afterTheFact: isAfterTheFact(entry, prediction.outcomeOccurredAt),
        })),
        nextCursor: entries.nextCursor,
      },
    };
  }
}

/** Plain-language cause of a move, for explain and history. */
export function describeMove(kind: AuditKind): string {
  switch (kind) {
    case 'prior':
      return 'the prior, set when the prediction was created';
    case 'evidence':
      return 'evidence recorded';
    case 'retraction':
      return 'evidence retracted (its effect reversed)';
    case 'override':
      return 'probability set by hand';
    case 'quiet_day':
      return 'a day passed without the event';
    case 'resolution':
      return 'resolved';
    case 'resolution_undone':
      return 'resolution undone';
  }
}

function decodeSequenceCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^seq:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new DomainError('invalid', 'invalid-cursor', 'cursor is not one this API returned', 'cursor');
  return Number(match[1]);
}

function toSequencePage<T extends { sequence: number }>(rows: T[], limit: number): SequencePage<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? Buffer.from(`seq:${last.sequence}`, 'utf8').toString('base64url') : null,
  };
}
