import { Injectable } from '@nestjs/common';

import { toStorableText } from '#core';
import { PrismaService, type SignalItem, type SignalStatus } from '#db';
import { OutboxWriter } from '#events';

import type { SignalMatch } from './signal-matches.js';
import { uuidV7 } from './uuid-v7.js';

/** A signal item as routing sees it. */
export type StoredSignalItem = Pick<SignalItem, 'id' | 'sourceId' | 'dedupeKey' | 'title' | 'summary' | 'url' | 'publishedAt'>;

/** An item to store; `dedupeKey` says what counts as the same item (per source, or for manual items). */
export interface NewSignalItem {
  dedupeKey: string;
  sourceId: string | null;
  externalId: string | null;
  url: string | null;
  title: string;
  summary: string | null;
  publishedAt: Date | null;
  contentHash: string;
}

/** What the rules decided for one item. */
export interface RoutingDecision {
  id: string;
  status: Extract<SignalStatus, 'pending' | 'unmatched'>;
  matches: readonly SignalMatch[];
  /** A rule accepts it without review: the item counts as routed only once that acceptance was tried. */
  autoAccept: boolean;
}

function storableItem(item: NewSignalItem): NewSignalItem {
  const text = (value: string | null) => (value === null ? null : toStorableText(value));
  return { ...item, dedupeKey: toStorableText(item.dedupeKey), externalId: text(item.externalId), url: text(item.url), title: toStorableText(item.title), summary: text(item.summary) };
}

/** A rule as the matching statement needs it. */
export interface MatchableRule {
  id: string;
  /** `to_tsquery('english', ...)` text. */
  tsQuery: string;
}

/** One item a rule matched. */
export interface RuleHit {
  itemId: string;
  ruleId: string;
}

/** Rows per statement: keeps each statement's array parameters well inside Postgres limits. */
const CHUNK = 2_000;

/**
 * Every write of a SignalItem row outside the review inbox: storing new
 * items (fetched or submitted) and recording what routing decided. An item is
 * stored with `routedAt` null and routed after; the null marks an item a crash
 * left between the two steps, which `unrouted` finds again.
 */
@Injectable()
export class SignalItemsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * Inserts the items not stored before, in one statement per chunk: ON
   * CONFLICT DO NOTHING on the unique dedupeKey makes two workers (or two
   * submissions) storing the same item at once store it once, and RETURNING
   * gives exactly the rows this call added, in input order. Raw SQL over
   * unnest() binds one array per column; createMany would bind one parameter
   * per cell and take several times as long (see bench/ingest.bench.ts).
   */
  async insertNew(items: readonly NewSignalItem[]): Promise<StoredSignalItem[]> {
    const inserted: StoredSignalItem[] = [];
    for (let start = 0; start < items.length; start += CHUNK) {
      // Feeds can carry NUL or lone surrogates (JSON escapes): stored as PostgreSQL would keep them, so later hashes match.
      const chunk = items.slice(start, start + CHUNK).map(storableItem);
      const rows = await this.prisma.$queryRaw<StoredSignalItem[]>`
        INSERT INTO "SignalItem" ("id", "sourceId", "dedupeKey", "externalId", "url", "title", "summary", "publishedAt", "contentHash", "status")
        SELECT item.id, item."sourceId", item."dedupeKey", item."externalId", item.url, item.title, item.summary, item."publishedAt", item."contentHash", 'unmatched'::"SignalStatus"
        FROM unnest(
          ${chunk.map(() => uuidV7())}::uuid[],
          ${chunk.map((item) => item.sourceId)}::uuid[],
          ${chunk.map((item) => item.dedupeKey)}::text[],
          ${chunk.map((item) => item.externalId)}::text[],
          ${chunk.map((item) => item.url)}::text[],
          ${chunk.map((item) => item.title)}::text[],
          ${chunk.map((item) => item.summary)}::text[],
          ${chunk.map((item) => item.publishedAt?.toISOString() ?? null)}::timestamp(3)[],
          ${chunk.map((item) => item.contentHash)}::text[]
        ) WITH ORDINALITY AS item(id, "sourceId", "dedupeKey", "externalId", url, title, summary, "publishedAt", "contentHash", position)
        ORDER BY item.position
        ON CONFLICT ("dedupeKey") DO NOTHING
        RETURNING "id", "sourceId", "dedupeKey", "title", "summary", "url", "publishedAt"`;
      inserted.push(...rows);
    }
    const order = new Map(items.map((item, index) => [toStorableText(item.dedupeKey), index] as const));
    return inserted.sort((a, b) => order.get(a.dedupeKey)! - order.get(b.dedupeKey)!);
  }

  /**
   * Items stored but not yet routed, oldest first: of one source (`sourceId`),
   * or of every source and manual submission (`sourceId` undefined).
   * `createdBefore` leaves alone the items a running fetch or submission is
   * routing right now.
   */
  async unrouted(filter: { sourceId?: string; createdBefore: Date; limit: number }): Promise<StoredSignalItem[]> {
    return this.prisma.signalItem.findMany({
      where: { routedAt: null, createdAt: { lt: filter.createdBefore }, ...(filter.sourceId === undefined ? {} : { sourceId: filter.sourceId }) },
      select: { id: true, sourceId: true, dedupeKey: true, title: true, summary: true, url: true, publishedAt: true },
      orderBy: { createdAt: 'asc' },
      take: filter.limit,
    });
  }

  /** Stored items no rule matched, never reviewed, created since a time, in id order after `after`. */
  async unmatchedSince(filter: { since: Date; after?: string; limit: number }): Promise<StoredSignalItem[]> {
    return this.prisma.signalItem.findMany({
      where: { status: 'unmatched', reviewedAt: null, routedAt: { not: null }, createdAt: { gte: filter.since }, ...(filter.after ? { id: { gt: filter.after } } : {}) },
      select: { id: true, sourceId: true, dedupeKey: true, title: true, summary: true, url: true, publishedAt: true },
      orderBy: { id: 'asc' },
      take: filter.limit,
    });
  }

  /**
   * Every (item, rule) pair where the rule's query matches the item, in one
   * statement per chunk of items: each query is parsed once (a materialised
   * CTE), each item's stored tsvector is tested against all of them.
   */
  async matchRules(itemIds: readonly string[], rules: readonly MatchableRule[]): Promise<RuleHit[]> {
    if (itemIds.length === 0 || rules.length === 0) return [];
    const hits: RuleHit[] = [];
    for (let start = 0; start < itemIds.length; start += CHUNK) {
      const chunk = itemIds.slice(start, start + CHUNK);
      hits.push(
        ...(await this.prisma.$queryRaw<RuleHit[]>`
          WITH rule AS MATERIALIZED (
            SELECT r.id, to_tsquery('english', r.q) AS q FROM unnest(${rules.map((rule) => rule.id)}::uuid[], ${rules.map((rule) => rule.tsQuery)}::text[]) AS r(id, q)
          )
          SELECT item."id" AS "itemId", rule.id AS "ruleId"
          FROM "SignalItem" AS item JOIN rule ON item."searchVector" @@ rule.q
          WHERE item."id" = ANY(${chunk}::uuid[])`),
      );
    }
    return hits;
  }

  /**
   * Records what routing decided, one transaction per chunk. An item someone
   * has reviewed keeps its status (routing the same item twice is harmless);
   * the answer lists the items still open for review, the only ones a rule may
   * auto-accept. An item this call makes pending (and no rule auto-accepts)
   * announces itself with `signal.pending_review`, in the same transaction:
   * once per item, since routing it again finds it pending already.
   */
  async applyRouting(decisions: readonly RoutingDecision[]): Promise<Set<string>> {
    const open = new Set<string>();
    for (let start = 0; start < decisions.length; start += CHUNK) {
      const chunk = decisions.slice(start, start + CHUNK);
      const byId = new Map(chunk.map((decision) => [decision.id, decision] as const));
      await this.prisma.$transaction(
        async (tx) => {
          const rows = await tx.$queryRaw<
            { id: string; reviewedAt: Date | null; previousStatus: SignalStatus; status: SignalStatus; title: string; url: string | null; sourceId: string | null }[]
          >`
            UPDATE "SignalItem" AS item
            SET "status" = CASE WHEN item."reviewedAt" IS NULL THEN routed.status::"SignalStatus" ELSE item."status" END,
                "matches" = CASE WHEN item."reviewedAt" IS NULL THEN routed.matches::jsonb ELSE item."matches" END,
                "routedAt" = CASE WHEN item."reviewedAt" IS NULL AND routed."autoAccept" THEN NULL ELSE now() END
            FROM unnest(
              ${chunk.map((decision) => decision.id)}::uuid[],
              ${chunk.map((decision) => decision.status)}::text[],
              ${chunk.map((decision) => JSON.stringify(decision.matches))}::text[],
              ${chunk.map((decision) => decision.autoAccept)}::boolean[]
            ) AS routed(id, status, matches, "autoAccept"), "SignalItem" AS before
            WHERE item."id" = routed.id AND before."id" = item."id"
            RETURNING item."id", item."reviewedAt", before."status" AS "previousStatus", item."status", item."title", item."url", item."sourceId"`;
          for (const row of rows) if (row.reviewedAt === null) open.add(row.id);
          const newlyPending = rows.filter((row) => row.status === 'pending' && row.previousStatus !== 'pending' && !byId.get(row.id)!.autoAccept);
          await this.outbox.write(
            tx,
            newlyPending.map((row) => ({
              type: 'signal.pending_review' as const,
              predictionId: null,
              payload: { signalItemId: row.id, title: row.title, url: row.url, sourceId: row.sourceId, rules: byId.get(row.id)!.matches.map((match) => match.ruleName) },
            })),
          );
        },
        { maxWait: 20_000, timeout: 60_000 },
      );
    }
    return open;
  }

  /** An auto-accepted item (or one whose acceptance the engine refused) is routed once the attempt is over. */
  async markRouted(id: string): Promise<void> {
    await this.prisma.signalItem.updateMany({ where: { id, routedAt: null }, data: { routedAt: new Date() } });
  }
}
