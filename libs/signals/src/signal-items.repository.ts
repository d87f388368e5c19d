import { Injectable } from '@nestjs/common';

import { toStorableText, uuidV7 } from '#core';
import { PrismaService, type SignalItem, type SignalStatus } from '#db';
import { OutboxWriter } from '#events';

import type { RuleTerm } from './rule-terms.js';
import type { SignalMatch } from './signal-matches.js';
import type { SignalSuggestion } from './signal-suggestion-model.js';

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
  /** The best ts_rank_cd among the matched rules; null when none matched. */
  relevance: number | null;
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
  /** The words and phrases it asks for, each compiled alone, to name the ones an item contains. */
  terms: readonly RuleTerm[];
}

/** One item a rule matched: how well (ts_rank_cd) and through which of the rule's terms. */
export interface RuleHit {
  itemId: string;
  ruleId: string;
  rank: number;
  terms: string[];
}

/** Suggestions for an item no rule matched; an empty list makes a suggested item plain unmatched again. */
export interface SuggestionDecision {
  id: string;
  suggestions: readonly SignalSuggestion[];
  /** The best suggestion's probability. */
  relevance: number | null;
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

  /** Stored items no rule matched (suggested ones included), never reviewed, created since a time, in id order after `after`. */
  async unmatchedSince(filter: { since: Date; after?: string; limit: number }): Promise<StoredSignalItem[]> {
    return this.prisma.signalItem.findMany({
      where: { status: { in: ['unmatched', 'suggested'] }, reviewedAt: null, routedAt: { not: null }, createdAt: { gte: filter.since }, ...(filter.after ? { id: { gt: filter.after } } : {}) },
      select: { id: true, sourceId: true, dedupeKey: true, title: true, summary: true, url: true, publishedAt: true },
      orderBy: { id: 'asc' },
      take: filter.limit,
    });
  }

  /**
   * Every (item, rule) pair where the rule's query matches the item, in one
   * statement per chunk of items: each query is parsed once (a materialised
   * CTE), each item's stored tsvector is tested against all of them. Only for
   * the pairs that match, the rank (ts_rank_cd) and which of the rule's terms
   * the item holds are worked out, so their cost grows with the hits, not with
   * items times rules.
   */
  async matchRules(itemIds: readonly string[], rules: readonly MatchableRule[]): Promise<RuleHit[]> {
    if (itemIds.length === 0 || rules.length === 0) return [];
    // Each rule's terms travel as one JSON array, parsed once per statement into arrays beside the rule.
    const terms = rules.map((rule) => JSON.stringify(rule.terms.map((term) => [term.label, term.tsQuery])));
    const hits: RuleHit[] = [];
    for (let start = 0; start < itemIds.length; start += CHUNK) {
      const chunk = itemIds.slice(start, start + CHUNK);
      hits.push(
        ...(await this.prisma.$queryRaw<RuleHit[]>`
          WITH rule AS MATERIALIZED (
            SELECT r.id, to_tsquery('english', r.q) AS q,
                   ARRAY(SELECT t.term->>0 FROM jsonb_array_elements(r.terms::jsonb) WITH ORDINALITY AS t(term, n) ORDER BY t.n) AS labels,
                   ARRAY(SELECT to_tsquery('english', t.term->>1) FROM jsonb_array_elements(r.terms::jsonb) WITH ORDINALITY AS t(term, n) ORDER BY t.n) AS "termQueries"
            FROM unnest(${rules.map((rule) => rule.id)}::uuid[], ${rules.map((rule) => rule.tsQuery)}::text[], ${terms}::text[]) AS r(id, q, terms)
          )
          SELECT item."id" AS "itemId", rule.id AS "ruleId", ts_rank_cd(item."searchVector", rule.q)::float8 AS rank,
                 ARRAY(SELECT u.label FROM unnest(rule.labels, rule."termQueries") WITH ORDINALITY AS u(label, q, n) WHERE item."searchVector" @@ u.q ORDER BY u.n) AS terms
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
                "relevance" = CASE WHEN item."reviewedAt" IS NULL THEN routed.relevance ELSE item."relevance" END,
                "suggestions" = CASE WHEN item."reviewedAt" IS NULL THEN '[]'::jsonb ELSE item."suggestions" END,
                "routedAt" = CASE WHEN item."reviewedAt" IS NULL AND routed."autoAccept" THEN NULL ELSE now() END
            FROM unnest(
              ${chunk.map((decision) => decision.id)}::uuid[],
              ${chunk.map((decision) => decision.status)}::text[],
              ${chunk.map((decision) => JSON.stringify(decision.matches))}::text[],
              ${chunk.map((decision) => decision.autoAccept)}::boolean[],
              ${chunk.map((decision) => decision.relevance)}::float8[]
            ) AS routed(id, status, matches, "autoAccept", relevance), "SignalItem" AS before
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

  /**
   * Makes unmatched items `suggested` with what the model proposes, or a
   * suggested item no longer resembling anything plain `unmatched` again.
   * Only items still unreviewed and not matched by a rule change.
   */
  async applySuggestions(decisions: readonly SuggestionDecision[]): Promise<number> {
    let changed = 0;
    for (let start = 0; start < decisions.length; start += CHUNK) {
      const chunk = decisions.slice(start, start + CHUNK);
      changed += await this.prisma.$executeRaw`
        UPDATE "SignalItem" AS item
        SET "status" = CASE WHEN jsonb_array_length(decided.suggestions::jsonb) > 0 THEN 'suggested' ELSE 'unmatched' END::"SignalStatus",
            "suggestions" = decided.suggestions::jsonb,
            "relevance" = decided.relevance
        FROM unnest(
          ${chunk.map((decision) => decision.id)}::uuid[],
          ${chunk.map((decision) => JSON.stringify(decision.suggestions))}::text[],
          ${chunk.map((decision) => decision.relevance)}::float8[]
        ) AS decided(id, suggestions, relevance)
        WHERE item."id" = decided.id AND item."reviewedAt" IS NULL AND item."status" IN ('unmatched', 'suggested')`;
    }
    return changed;
  }

  /** An auto-accepted item (or one whose acceptance the engine refused) is routed once the attempt is over. */
  async markRouted(id: string): Promise<void> {
    await this.prisma.signalItem.updateMany({ where: { id, routedAt: null }, data: { routedAt: new Date() } });
  }
}
