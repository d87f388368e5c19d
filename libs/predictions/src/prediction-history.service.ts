import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError, probabilityFromLogOdds, storyRemoval, type StoryEvent } from '#core';
import { PrismaService, type AuditEntry, type AuditKind, type Prediction } from '#db';

import { PredictionsService } from './predictions.service.js';
import { isAfterTheFact } from './scoring/track-scoring.service.js';

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
  /**
   * What leaving out each excluded evidence takes out of the log-odds, in the order given (each
   * on top of those before it, so they add up): a repeat its story does not count takes out
   * nothing, the counted item of a story with others takes out the difference to the next strongest.
   */
  excluded: { evidenceId: string; storyId: string; deltaLogOdds: number }[];
  logOdds: number;
  probability: number;
}

/** Evidence as a move names it. */
export interface EvidenceReference {
  id: string;
  summary: string;
}

/** The story an evidence or retraction entry moved, as its detail records it. */
export interface MoveStory {
  id: string;
  /** The evidence the story counted on this prediction after the move (null once none of it was live). */
  counted: EvidenceReference | null;
  /** Recorded but not counted: counted once with this evidence of the same story. */
  countedOnceWith: EvidenceReference | null;
}

export interface ExplainedMove {
  entry: AuditEntry;
  evidence: { id: string; summary: string; sourceUrl: string | null; observedAt: Date; retractedAt: Date | null } | null;
  /** For evidence and retractions recorded since stories: the story's part in the move. */
  story: MoveStory | null;
  /**
   * Recorded after the event the resolution names (whatever the evidence's observedAt):
   * kept in the trail and in the probability, left out of every score.
   */
  afterTheFact: boolean;
}

/** An entry of a story of excluded evidence, as the what-if reads it. */
interface StoryEntryRow {
  sequence: number;
  kind: string;
  evidenceId: string;
  storyId: string;
  moved: number;
  itemDeltaLogOdds: number;
}

/** The story facts an entry's detail keeps (evidence.service.ts storyDetail), read defensively: older entries have none. */
export function storyOfEntry(entry: Pick<AuditEntry, 'kind' | 'detail'>): { id: string; counted: string | null; countedOnceWith: string | null } | null {
  if (entry.kind !== 'evidence' && entry.kind !== 'retraction') return null;
  const story = (entry.detail as { story?: unknown } | null)?.story as { id?: unknown; counted?: unknown; countedOnceWith?: unknown } | undefined;
  if (!story || typeof story.id !== 'string') return null;
  const idOrNull = (value: unknown) => (typeof value === 'string' ? value : null);
  return { id: story.id, counted: idOrNull(story.counted), countedOnceWith: idOrNull(story.countedOnceWith) };
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
   * The probability without the chosen evidence. A story counts once, as its
   * strongest live item: each story of the excluded evidence is replayed
   * without it (excluding a repeat changes nothing, excluding the counted item
   * falls back to the next strongest). An override sets the probability
   * outright: what moved before the last override no longer counts, so only
   * the story's moves after it are taken out.
   */
  async whatIf(idOrSlug: string, excludedEvidenceIds: readonly string[]): Promise<WhatIf> {
    const prediction = await this.predictions.get(idOrSlug);
    const [stories, lastOverride] = await Promise.all([
      this.storiesOf(prediction.id, excludedEvidenceIds),
      this.prisma.auditEntry.findFirst({ where: { predictionId: prediction.id, kind: 'override' }, orderBy: { sequence: 'desc' }, select: { sequence: true } }),
    ]);
    const storyOfEvidence = new Map([...stories.values()].flatMap((events) => events.map((event) => [event.evidenceId, event.storyId] as const)));
    excludedEvidenceIds.forEach((evidenceId, index) => {
      if (!storyOfEvidence.has(evidenceId)) throw new NotFoundError('Evidence on this prediction', evidenceId, `exclude[${index}]`);
    });
    const since = lastOverride?.sequence ?? 0;
    const removedWithout = (excluded: ReadonlySet<string>) =>
      [...stories.values()].reduce((sum, events) => sum + storyRemoval(events, excluded, since, Number.MAX_SAFE_INTEGER), 0);
    let removed = 0;
    const excluded = excludedEvidenceIds.map((evidenceId, index) => {
      const total = removedWithout(new Set(excludedEvidenceIds.slice(0, index + 1)));
      const delta = total - removed;
      removed = total;
      return { evidenceId, storyId: storyOfEvidence.get(evidenceId)!, deltaLogOdds: delta };
    });
    const logOdds = prediction.logOdds - removed;
    return { prediction, excluded, logOdds, probability: probabilityFromLogOdds(logOdds) };
  }

  /** Every evidence and retraction entry, on this prediction, of the stories of the given evidence, grouped by story in sequence order. */
  private async storiesOf(predictionId: string, evidenceIds: readonly string[]): Promise<Map<string, (StoryEvent & { storyId: string })[]>> {
    if (evidenceIds.length === 0) return new Map();
    const rows = await this.prisma.$queryRaw<StoryEntryRow[]>`
      SELECT entry."sequence", entry."kind"::text AS "kind", entry."evidenceId"::text AS "evidenceId", evidence."storyId"::text AS "storyId",
             entry."deltaLogOdds" AS "moved", impact."deltaLogOdds" AS "itemDeltaLogOdds"
        FROM "Evidence" AS evidence
        JOIN "AuditEntry" AS entry ON entry."evidenceId" = evidence."id" AND entry."predictionId" = ${predictionId}::uuid
        JOIN "EvidenceImpact" AS impact ON impact."evidenceId" = evidence."id" AND impact."predictionId" = ${predictionId}::uuid
       WHERE evidence."storyId" IN (SELECT "storyId" FROM "Evidence" WHERE "id" = ANY(${[...evidenceIds]}::uuid[]))
         AND entry."kind" IN ('evidence', 'retraction')
       ORDER BY entry."sequence"`;
    const stories = new Map<string, (StoryEvent & { storyId: string })[]>();
    for (const row of rows) {
      const event = {
        sequence: row.sequence,
        kind: row.kind === 'evidence' ? ('record' as const) : ('retract' as const),
        evidenceId: row.evidenceId,
        storyId: row.storyId,
        deltaLogOdds: row.itemDeltaLogOdds,
        moved: row.moved,
      };
      stories.set(row.storyId, [...(stories.get(row.storyId) ?? []), event]);
    }
    return stories;
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
    const [rows, stories, overrides] = await Promise.all([
      this.prisma.auditEntry.findMany({
        where: { predictionId: prediction.id, sequence: { in: [...sequences] } },
        select: { sequence: true, createdAt: true, logOddsAfter: true, probabilityAfter: true },
        orderBy: { sequence: 'asc' },
      }),
      this.storiesOf(prediction.id, exclude),
      exclude.length === 0
        ? []
        : this.prisma.auditEntry.findMany({ where: { predictionId: prediction.id, kind: 'override' }, select: { sequence: true } }),
    ]);
    const overrideSequences = overrides.map((entry) => entry.sequence);
    const excluded = new Set(exclude);
    const points = rows.map((row) => {
      const since = Math.max(0, ...overrideSequences.filter((sequence) => sequence <= row.sequence));
      const removed = [...stories.values()].reduce((sum, events) => sum + storyRemoval(events, excluded, since, row.sequence), 0);
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
    return { prediction, moves: await this.explained(prediction, entries) };
  }

  /** Entries with their cause: the evidence behind each, and the story it counted in. */
  private async explained(prediction: Prediction, entries: readonly AuditEntry[]): Promise<ExplainedMove[]> {
    const stories = entries.map(storyOfEntry);
    const evidenceIds = new Set(entries.map((entry) => entry.evidenceId).filter((id): id is string => id !== null));
    for (const story of stories) for (const id of [story?.counted, story?.countedOnceWith]) if (id) evidenceIds.add(id);
    const evidence = await this.prisma.evidence.findMany({
      where: { id: { in: [...evidenceIds] } },
      select: { id: true, summary: true, sourceUrl: true, observedAt: true, retractedAt: true },
    });
    const evidenceById = new Map(evidence.map((item) => [item.id, item]));
    const reference = (id: string | null): EvidenceReference | null => {
      const found = id === null ? undefined : evidenceById.get(id);
      return found ? { id: found.id, summary: found.summary } : null;
    };
    return entries.map((entry, index) => {
      const story = stories[index];
      return {
        entry,
        evidence: entry.evidenceId ? (evidenceById.get(entry.evidenceId) ?? null) : null,
        story: story ? { id: story.id, counted: reference(story.counted), countedOnceWith: reference(story.countedOnceWith) } : null,
        afterTheFact: isAfterTheFact(entry, prediction.outcomeOccurredAt),
      };
    });
  }

  /** "Why was it p at that time": the prior and every move up to `at`, in order, each with its cause. */
  async explain(idOrSlug: string, at: Date, page: SequencePageRequest): Promise<Explanation> {
    const { prediction, page: entries } = await this.entries(idOrSlug, page, at);
    const lastBefore = await this.prisma.auditEntry.findFirst({
      where: { predictionId: prediction.id, createdAt: { lte: at } },
      orderBy: { sequence: 'desc' },
      select: { logOddsAfter: true, probabilityAfter: true },
    });
    const moves = await this.explained(prediction, entries.items);
    // A prediction made before its prior's entry shared its timestamp: from creation on, the prior is in force.
    const existed = at.getTime() >= prediction.createdAt.getTime();
    return {
      prediction,
      at,
      probability: lastBefore?.probabilityAfter ?? (existed ? probabilityFromLogOdds(prediction.priorLogOdds) : null),
      logOdds: lastBefore?.logOddsAfter ?? (existed ? prediction.priorLogOdds : null),
      occurredAt: prediction.outcomeOccurredAt,
      moves: { items: moves, nextCursor: entries.nextCursor },
    };
  }
}

/**
 * The story's part in a move in words, or null when there is nothing to add:
 * a repeat "counted once with" the evidence its story counts, a retraction
 * that leaves the story counting another item.
 */
export function describeStory(move: Pick<ExplainedMove, 'entry' | 'story'>): string | null {
  const story = move.story;
  if (!story) return null;
  if (move.entry.kind === 'evidence' && story.countedOnceWith) return `counted once with "${story.countedOnceWith.summary}"`;
  if (move.entry.kind === 'retraction' && story.counted && move.entry.evidenceId !== story.counted.id) return `its story counts "${story.counted.summary}"`;
  return null;
}

/** Plain-language cause of a move, for explain and history. */
export function describeMove(kind: AuditKind): string {
  switch (kind) {
    case 'prior':
      return 'the prior, set when the prediction was created';
    case 'evidence':
      return 'evidence recorded';
    case 'retraction':
      return 'evidence retracted (its story recounted without it)';
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
