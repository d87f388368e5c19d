import { Injectable } from '@nestjs/common';

import { decodeRankedCursor, Prisma, PrismaService, toRankedPage, type Page, type PageRequest, type SignalStatus } from '#db';

import { RulesService } from './rules.service.js';
import { toSignalItemView, type SignalItemView } from './signal-inbox.service.js';

/** One stored item a query matches, ranked, with the matched words marked. */
export interface SignalSearchHit {
  id: string;
  title: string;
  highlight: string;
  status: SignalStatus;
  rank: number;
  createdAt: Date;
}

/** A stored item a search found, whole, with its rank and highlight. */
export interface RankedSignalItem extends SignalItemView {
  rank: number;
  highlight: string;
}

/** What a query would match among the stored items, and how that agrees with the analysts' decisions. */
export interface RulePreview {
  count: number;
  items: SignalSearchHit[];
  accepted: number;
  rejected: number;
  precision: number | null;
  acceptedMissed: number;
}

/** Stored items a query matches, and how many of them analysts accepted or rejected. */
export interface MatchDecisions {
  count: number;
  accepted: number;
  rejected: number;
}

/** One query against another over the stored items: what each matches, and what the second adds and drops. */
export interface QueryComparison {
  current: MatchDecisions;
  proposed: MatchDecisions;
  added: MatchDecisions & { items: SignalSearchHit[] };
  dropped: MatchDecisions & { items: SignalSearchHit[] };
}

/** Items a comparison lists of those added and of those dropped; the counts cover all. */
const COMPARISON_ITEMS = 10;

/** Items a preview lists; the counts cover every match. */
const PREVIEW_ITEMS = 50;

/** Marks ts_headline puts around matched words, and how much text it shows. */
export const HEADLINE_OPTIONS = 'StartSel=<mark>, StopSel=</mark>, MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "';

/** Title and summary as one text, the way highlights show them. */
export const ITEM_TEXT = Prisma.sql`item."title" || ' — ' || coalesce(item."summary", '')`;

/**
 * Full-text search over stored signal items with the rule query language:
 * the preview of a rule before it is saved (a backtest against the analysts'
 * decisions) and ranked search of the items.
 */
@Injectable()
export class SignalSearchService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly rules: RulesService,
  ) {}

  async preview(query: string, since: Date | null): Promise<RulePreview> {
    const tsQuery = await this.rules.compile(query);
    const from = since ?? new Date(0);
    const [counts] = await this.prisma.$queryRaw<[{ count: number; accepted: number; rejected: number; acceptedMissed: number }]>`
      WITH q AS (SELECT to_tsquery('english', ${tsQuery}) AS q)
      SELECT count(*) FILTER (WHERE item."searchVector" @@ q.q)::int AS count,
             count(*) FILTER (WHERE item."searchVector" @@ q.q AND item."status" = 'accepted')::int AS accepted,
             count(*) FILTER (WHERE item."searchVector" @@ q.q AND item."status" = 'rejected')::int AS rejected,
             count(*) FILTER (WHERE NOT (item."searchVector" @@ q.q) AND item."status" = 'accepted')::int AS "acceptedMissed"
      FROM "SignalItem" AS item, q WHERE item."createdAt" >= ${from}`;
    const items = await this.search(tsQuery, { since: from, limit: PREVIEW_ITEMS, offset: 0 });
    const decided = counts.accepted + counts.rejected;
    return { ...counts, items, precision: decided === 0 ? null : counts.accepted / decided };
  }

  /**
   * Two compiled queries over the stored items since a time, as a rule's
   * preview judges one: what each matches, what the proposed one adds and
   * drops, and how analysts decided those items (agreement with past decisions).
   */
  async compare(currentTsQuery: string, proposedTsQuery: string, since: Date | null): Promise<QueryComparison> {
    const from = since ?? new Date(0);
    const [row] = await this.prisma.$queryRaw<[Record<string, number>]>`
      WITH q AS (SELECT to_tsquery('english', ${currentTsQuery}) AS current, to_tsquery('english', ${proposedTsQuery}) AS proposed),
      item AS (
        SELECT item."status", item."searchVector" @@ q.current AS was, item."searchVector" @@ q.proposed AS will
        FROM "SignalItem" AS item, q
        WHERE item."createdAt" >= ${from} AND (item."searchVector" @@ q.current OR item."searchVector" @@ q.proposed)
      )
      SELECT count(*) FILTER (WHERE was)::int AS "currentCount",
             count(*) FILTER (WHERE was AND "status" = 'accepted')::int AS "currentAccepted",
             count(*) FILTER (WHERE was AND "status" = 'rejected')::int AS "currentRejected",
             count(*) FILTER (WHERE will)::int AS "proposedCount",
             count(*) FILTER (WHERE will AND "status" = 'accepted')::int AS "proposedAccepted",
             count(*) FILTER (WHERE will AND "status" = 'rejected')::int AS "proposedRejected",
             count(*) FILTER (WHERE will AND NOT was)::int AS "addedCount",
             count(*) FILTER (WHERE will AND NOT was AND "status" = 'accepted')::int AS "addedAccepted",
             count(*) FILTER (WHERE will AND NOT was AND "status" = 'rejected')::int AS "addedRejected",
             count(*) FILTER (WHERE was AND NOT will)::int AS "droppedCount",
             count(*) FILTER (WHERE was AND NOT will AND "status" = 'accepted')::int AS "droppedAccepted",
             count(*) FILTER (WHERE was AND NOT will AND "status" = 'rejected')::int AS "droppedRejected"
      FROM item`;
    const decisions = (prefix: string): MatchDecisions => ({ count: row[`${prefix}Count`]!, accepted: row[`${prefix}Accepted`]!, rejected: row[`${prefix}Rejected`]! });
    const list = async (tsQuery: string, count: number) => (count === 0 ? [] : this.search(tsQuery, { since: from, limit: COMPARISON_ITEMS, offset: 0 }));
    const added = decisions('added');
    const dropped = decisions('dropped');
    return {
      current: decisions('current'),
      proposed: decisions('proposed'),
      added: { ...added, items: await list(`(${proposedTsQuery}) & !(${currentTsQuery})`, added.count) },
      dropped: { ...dropped, items: await list(`(${currentTsQuery}) & !(${proposedTsQuery})`, dropped.count) },
    };
  }

  /**
   * `GET /v1/signals?q=`: the items a query in the rule language matches,
   * best first (ts_rank_cd, title words weighing more; newest first among
   * equals), with the list's filters. Pages are keyset pages on (rank, id);
   * the cursor holds only for the query and filters that gave it.
   */
  async find(q: string, request: PageRequest & { status?: SignalStatus; sourceId?: string }): Promise<Page<RankedSignalItem>> {
    const tsQuery = await this.rules.compile(q, 'q');
    const scope = `signals:${tsQuery}:${request.status ?? ''}:${request.sourceId ?? ''}`;
    const after = decodeRankedCursor(request.cursor, scope, 1);
    const hits = await this.prisma.$queryRaw<{ id: string; rank: number; highlight: string }[]>`
      WITH q AS (SELECT to_tsquery('english', ${tsQuery}) AS q),
      hit AS (
        SELECT item."id", ${ITEM_TEXT} AS text, ts_rank_cd(item."searchVector", q.q)::float8 AS rank
        FROM "SignalItem" AS item, q
        WHERE item."searchVector" @@ q.q
          ${request.status ? Prisma.sql`AND item."status" = ${request.status}::"SignalStatus"` : Prisma.empty}
          ${request.sourceId ? Prisma.sql`AND item."sourceId" = ${request.sourceId}::uuid` : Prisma.empty}
      )
      SELECT hit."id", hit.rank, ts_headline('english', hit.text, q.q, ${HEADLINE_OPTIONS}) AS highlight
      FROM hit, q
      ${after ? Prisma.sql`WHERE (hit.rank, hit."id") < (${after.values[0]!}::float8, ${after.id}::uuid)` : Prisma.empty}
      ORDER BY hit.rank DESC, hit."id" DESC
      LIMIT ${request.limit + 1}`;
    const rows = new Map((await this.prisma.signalItem.findMany({ where: { id: { in: hits.map((hit) => hit.id) } } })).map((row) => [row.id, row]));
    const items = hits.filter((hit) => rows.has(hit.id)).map((hit) => ({ ...toSignalItemView(rows.get(hit.id)!), rank: hit.rank, highlight: hit.highlight }));
    return toRankedPage(items, request.limit, scope, (item) => [item.rank]);
  }

  /** Items matching a compiled query, best first: ts_rank_cd (title words weigh more), newer first among equals. */
  async search(tsQuery: string, options: { since?: Date; status?: SignalStatus; sourceId?: string; limit: number; offset: number }): Promise<SignalSearchHit[]> {
    return this.prisma.$queryRaw<SignalSearchHit[]>`
      WITH q AS (SELECT to_tsquery('english', ${tsQuery}) AS q)
      SELECT item."id", item."title", item."status", item."createdAt",
             ts_headline('english', ${ITEM_TEXT}, q.q, ${HEADLINE_OPTIONS}) AS highlight,
             ts_rank_cd(item."searchVector", q.q)::float8 AS rank
      FROM "SignalItem" AS item, q
      WHERE item."searchVector" @@ q.q
        AND item."createdAt" >= ${options.since ?? new Date(0)}
        ${options.status ? Prisma.sql`AND item."status" = ${options.status}::"SignalStatus"` : Prisma.empty}
        ${options.sourceId ? Prisma.sql`AND item."sourceId" = ${options.sourceId}::uuid` : Prisma.empty}
      ORDER BY rank DESC, item."createdAt" DESC, item."id" DESC
      LIMIT ${options.limit} OFFSET ${options.offset}`;
  }
}
