import { Injectable } from '@nestjs/common';

import { type EvidenceDirection, type EvidenceStrength, NotFoundError } from '#core';
import {
  decodeCursor,
  decodeRankedCursor,
  Prisma,
  PrismaService,
  toPage,
  toRankedPage,
  type Evidence,
  type EvidenceImpact,
  type Page,
} from '#db';

import { PredictionsService } from '../predictions.service.js';

export interface EvidenceFilter {
  /** Prediction id or slug. */
  prediction?: string;
  /** Evidence derived from these indicator readings (an indicator's, as the signals library lists them). */
  indicatorReadingIds?: readonly string[];
  observedFrom?: Date;
  observedTo?: Date;
  /** The evidence of one story. */
  storyId?: string;
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

/** One impact of one evidence record, as a narrow read for other libraries (the suggestion model's labels). */
export interface EvidenceImpactSummary {
  evidenceId: string;
  predictionId: string;
  slug: string;
  likelihoodRatio: number;
  direction: EvidenceDirection | null;
  strength: EvidenceStrength | null;
}

/** What one story adds to one prediction now (its strongest live item counted once): a narrow read for the story page. */
export interface StoryStanding {
  predictionId: string;
  slug: string;
  title: string;
  /** What the story adds to the prediction's log-odds now (0 once all its evidence there is retracted). */
  deltaLogOdds: number;
  /** The evidence the story counts there (its strongest live item), or null. */
  countedEvidenceId: string | null;
  /** The prediction's probability now, and what it would be without the story. */
  probability: number;
  probabilityWithout: number;
}

const DIRECTIONS: readonly string[] = ['supports', 'contradicts'];
const STRENGTHS: readonly string[] = ['weak', 'moderate', 'strong'];

/** Marks ts_headline puts around matched words in a searched summary. */
const SEARCH_HEADLINE_OPTIONS = 'StartSel=<mark>, StopSel=</mark>, MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "';

const impactsWithSlug = {
  impacts: { include: { prediction: { select: { slug: true } } }, orderBy: { createdAt: 'asc' } },
} as const satisfies Prisma.EvidenceInclude;

/** Reads of recorded evidence: one record, pages, full-text search, and impacts for other libraries. */
@Injectable()
export class EvidenceQueriesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly predictions: PredictionsService,
  ) {}

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
    const predictionId = await this.predictionIdOf(filter);
    if (predictionId) where.impacts = { some: { predictionId } };
    if (filter.indicatorReadingIds) where.indicatorReadingId = { in: [...filter.indicatorReadingIds] };
    if (filter.storyId) where.storyId = filter.storyId;
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
    const scope = ['evidence', search.tsQuery, search.prediction, search.indicatorReadingIds?.join(','), search.observedFrom?.toISOString(), search.observedTo?.toISOString(), search.storyId].join(':');
    const after = decodeRankedCursor(search.cursor, scope, 1);
    const predictionId = await this.predictionIdOf(search);
    const ranked = await this.prisma.$queryRaw<{ id: string; rank: number; highlight: string }[]>`
      WITH q AS (SELECT to_tsquery('english', ${search.tsQuery}) AS q),
      hit AS (
        SELECT evidence."id", evidence."summary", ts_rank_cd(to_tsvector('english', evidence."summary"), q.q)::float8 AS rank
        FROM "Evidence" AS evidence, q
        WHERE to_tsvector('english', evidence."summary") @@ q.q
          ${search.observedFrom ? Prisma.sql`AND evidence."observedAt" >= ${search.observedFrom}` : Prisma.empty}
          ${search.observedTo ? Prisma.sql`AND evidence."observedAt" <= ${search.observedTo}` : Prisma.empty}
          ${predictionId ? Prisma.sql`AND EXISTS (SELECT 1 FROM "EvidenceImpact" AS impact WHERE impact."evidenceId" = evidence."id" AND impact."predictionId" = ${predictionId}::uuid)` : Prisma.empty}
          ${search.indicatorReadingIds ? Prisma.sql`AND evidence."indicatorReadingId" = ANY(${[...search.indicatorReadingIds]}::uuid[])` : Prisma.empty}
          ${search.storyId ? Prisma.sql`AND evidence."storyId" = ${search.storyId}::uuid` : Prisma.empty}
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

  /** The net move of one story on each prediction its evidence bears on, from the story ledger (EvidenceStoryImpact). */
  async storyStandings(storyId: string): Promise<StoryStanding[]> {
    const rows = await this.prisma.evidenceStoryImpact.findMany({
      where: { storyId },
      select: { predictionId: true, appliedDeltaLogOdds: true, strongestEvidenceId: true, prediction: { select: { slug: true, title: true, logOdds: true, probability: true } } },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((row) => ({
      predictionId: row.predictionId,
      slug: row.prediction.slug,
      title: row.prediction.title,
      deltaLogOdds: row.appliedDeltaLogOdds,
      countedEvidenceId: row.strongestEvidenceId,
      probability: row.prediction.probability,
      probabilityWithout: 1 / (1 + Math.exp(-(row.prediction.logOdds - row.appliedDeltaLogOdds))),
    }));
  }

  private async predictionIdOf(filter: EvidenceFilter): Promise<string | undefined> {
    if (filter.prediction === undefined) return undefined;
    return (await this.predictions.lookUp([filter.prediction], () => 'prediction'))[0]!.id;
  }
}
