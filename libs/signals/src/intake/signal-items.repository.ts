import { Injectable } from '@nestjs/common';

import { canonicalUrl, searchableText, storyKeyTiers, storyTime, toStorableText, uuidV7 } from '#core';
import { PrismaService, type SignalItem, type SignalStatus, WriteTransactions } from '#db';
import { OutboxWriter } from '#events';

import type { RuleTerm } from './rule-terms.js';
import type { SignalMatch } from './signal-matches.js';
import type { SignalRoute } from './signal-routes.js';
import { StoriesRepository, STORY_JOIN_ACTOR } from './stories.repository.js';
import { StorySignatures } from './story-signatures.service.js';

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

/** What the rules and the model decided for one item. */
export interface RoutingDecision {
  id: string;
  /** pending: a rule routed it; suggested: only the model did; unmatched: neither. */
  status: Extract<SignalStatus, 'pending' | 'suggested' | 'unmatched'>;
  matches: readonly SignalMatch[];
  routes: readonly SignalRoute[];
  /** A rule accepts it without review: the item counts as routed only once that acceptance was tried. */
  autoAccept: boolean;
  /** Pending: the best ts_rank_cd among the matched rules; suggested: the model's best probability; else null. */
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

/** Rows per statement: keeps each statement's array parameters well inside Postgres limits. */
const CHUNK = 2_000;

/**
 * The insert of new items (see insertNew): one array per column, skipping
 * stored dedupe keys; each with its story (and, joining a decided story, its
 * decision) and, grouping on, its batch's id (the transaction's: the batch
 * takes its place in commit order later, in StoryGroupingBatch). Rows go in
 * dedupe-key order: two batches holding some of the same keys (a feed fetched
 * twice at once) then wait for each other in one order and never deadlock.
 * The stories the batch starts are written by the same statement, for the
 * items it stored (the foreign key is checked at the statement's end, when
 * both are there), and so are their story keys.
 */
const INSERT_ITEMS = `
  WITH stored AS (
    INSERT INTO "SignalItem" ("id", "sourceId", "dedupeKey", "externalId", "url", "title", "summary", "publishedAt", "contentHash", "status", "searchVector",
                              "canonicalUrl", "storyAt", "storySignature", "storyId", "storyBatch", "reviewedBy", "reviewedAt", "rejectionReason")
    SELECT item.id, item."sourceId", item."dedupeKey", item."externalId", item.url, item.title, item.summary, item."publishedAt", item."contentHash",
           coalesce(item.decided, 'unmatched')::"SignalStatus",
           setweight(to_tsvector('english', item."searchableTitle"), 'A') || setweight(to_tsvector('english', coalesce(item."searchableSummary", '')), 'B'),
           item."canonicalUrl", item."storyAt", item."storySignature"::jsonb, item."storyId", CASE WHEN $21::boolean THEN pg_current_xact_id()::text::bigint END,
           CASE WHEN item.decided IS NULL THEN NULL ELSE $18 END, CASE WHEN item.decided IS NULL THEN NULL ELSE now() AT TIME ZONE 'UTC' END, item.reason
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamp(3)[], $9::text[], $10::text[], $11::text[],
                $12::text[], $13::timestamp(3)[], $14::text[], $15::uuid[], $16::text[], $17::text[])
         WITH ORDINALITY AS item(id, "sourceId", "dedupeKey", "externalId", url, title, summary, "publishedAt", "contentHash", "searchableTitle", "searchableSummary",
                                 "canonicalUrl", "storyAt", "storySignature", "storyId", decided, reason, position)
    ORDER BY item."dedupeKey"
    ON CONFLICT ("dedupeKey") DO NOTHING
    RETURNING "id", "sourceId", "dedupeKey", "title", "summary", "url", "publishedAt", "storyId", "storyAt"
  ), created AS (
    INSERT INTO "Story" ("id", "status", "updatedAt")
    SELECT DISTINCT stored."storyId", 'open'::"StoryStatus", now() AT TIME ZONE 'UTC' FROM stored WHERE stored."storyId" = ANY($19::uuid[])
  ), keys AS (
    INSERT INTO "StoryKey" ("key", "storyAt", "signalItemId")
    SELECT keyed.key, stored."storyAt", stored."id" FROM unnest($20::uuid[], $22::int[]) AS keyed(id, key) JOIN stored ON stored."id" = keyed.id
    ON CONFLICT DO NOTHING
  )
  SELECT "id"::text AS "id", "sourceId"::text AS "sourceId", "dedupeKey", "title", "summary", "url", "publishedAt" FROM stored`;

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
    private readonly transactions: WriteTransactions,
    private readonly stories: StoriesRepository,
    private readonly signatures: StorySignatures,
  ) {}

  /**
   * Inserts the items not stored before and groups them into stories, in one
   * transaction per chunk: ON CONFLICT DO NOTHING on the unique dedupeKey
   * makes two workers (or two submissions) storing the same item at once
   * store it once, and RETURNING gives exactly the rows this call added (put
   * back in input order at the end). Raw SQL over unnest() binds one array
   * per column; createMany would bind one parameter per cell and take several
   * times as long (see bench/ingest.bench.ts). The search vector is written
   * here, the only place an item is stored: title (weight A) and summary
   * (weight B) as searchableText() makes them, so each run of Chinese
   * characters is indexed as its character bigrams. So are the item's story
   * signature and keys (libs/core stories), with which StoriesRepository.plan
   * puts each new item in the story of an earlier report of its event, or a
   * story of its own.
   */
  async insertNew(items: readonly NewSignalItem[]): Promise<StoredSignalItem[]> {
    const inserted: StoredSignalItem[] = [];
    const reader = await this.signatures.reader();
    for (let start = 0; start < items.length; start += CHUNK) {
      const storedAt = new Date();
      // Feeds can carry NUL or lone surrogates (JSON escapes): stored as PostgreSQL would keep them, so later hashes match.
      const storable = items.slice(start, start + CHUNK).map(storableItem);
      // Items stored before (a feed's second fetch) are not read for stories: the insert would skip them anyway.
      const known = new Set(
        (await this.prisma.$queryRaw<{ dedupeKey: string }[]>`SELECT "dedupeKey" FROM "SignalItem" WHERE "dedupeKey" = ANY(${storable.map((item) => item.dedupeKey)}::text[])`).map(
          (row) => row.dedupeKey,
        ),
      );
      const chunk = storable
        .filter((item) => !known.has(item.dedupeKey))
        .map((item) => {
          const signature = reader?.read({ title: item.title, summary: item.summary, url: item.url, publishedAt: item.publishedAt, storedAt }) ?? null;
          return {
            ...item,
            id: uuidV7(),
            signature,
            keys: signature ? storyKeyTiers(signature) : { specific: [], general: [] },
            canonicalUrl: signature ? signature.canonicalUrl : item.url ? canonicalUrl(item.url) : null,
            storyAt: new Date(storyTime({ publishedAt: item.publishedAt, storedAt })),
          };
        });
      if (chunk.length === 0) continue;
      const keyed = chunk.flatMap((item) => [...new Set([...item.keys.specific, ...item.keys.general])].map((key) => ({ id: item.id, key })));
      const rows = await this.transactions.runSql(async (sql) => {
        const plan = await this.stories.plan(sql, chunk);
        const story = (item: (typeof chunk)[number]) => plan.members.get(item.id)!;
        const stored = await sql.query<StoredSignalItem>(
          INSERT_ITEMS,
          [
            chunk.map((item) => item.id),
            chunk.map((item) => item.sourceId),
            chunk.map((item) => item.dedupeKey),
            chunk.map((item) => item.externalId),
            chunk.map((item) => item.url),
            chunk.map((item) => item.title),
            chunk.map((item) => item.summary),
            // As UTC text: pg would send a Date in the process's zone, which a timestamp column would keep as written.
            chunk.map((item) => item.publishedAt?.toISOString() ?? null),
            chunk.map((item) => item.contentHash),
            chunk.map((item) => searchableText(item.title)),
            chunk.map((item) => (item.summary === null ? null : searchableText(item.summary))),
            chunk.map((item) => item.canonicalUrl),
            chunk.map((item) => item.storyAt.toISOString()),
            chunk.map((item) => (item.signature ? JSON.stringify(item.signature) : null)),
            chunk.map((item) => story(item).storyId),
            chunk.map((item) => story(item).decided),
            chunk.map((item) => story(item).reason),
            STORY_JOIN_ACTOR,
            plan.created,
            keyed.map((entry) => entry.id),
            plan.grouped,
            keyed.map((entry) => entry.key),
          ],
          'signal-items-insert',
        );
        // The last work before the commit: the comparison with what other batches committed meanwhile, under the grouping lock.
        await plan.settle(sql, stored.map((row) => row.id));
        return stored;
      });
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
   * an item that joined a decided story when it was stored keeps the story's
   * decision but gets its matches and routes on its first routing. The answer
   * lists the items still open for review, the only ones a rule may
   * auto-accept. A story that this call gives its first pending item (and no
   * rule auto-accepts it) announces itself with `signal.pending_review`, in
   * the same transaction, through that item: once per story, since its later
   * items find it pending already, as does routing the same item again.
   */
  async applyRouting(decisions: readonly RoutingDecision[]): Promise<Set<string>> {
    const open = new Set<string>();
    for (let start = 0; start < decisions.length; start += CHUNK) {
      const chunk = decisions.slice(start, start + CHUNK);
      const byId = new Map(chunk.map((decision) => [decision.id, decision] as const));
      await this.prisma.$transaction(
        async (tx) => {
          const rows = await tx.$queryRaw<
            {
              id: string;
              reviewedAt: Date | null;
              previousStatus: SignalStatus;
              status: SignalStatus;
              title: string;
              url: string | null;
              sourceId: string | null;
              storyId: string | null;
            }[]
          >`
            UPDATE "SignalItem" AS item
            SET "status" = CASE WHEN item."reviewedAt" IS NULL THEN routed.status::"SignalStatus" ELSE item."status" END,
                "matches" = CASE WHEN item."reviewedAt" IS NULL OR joined THEN routed.matches::jsonb ELSE item."matches" END,
                "relevance" = CASE WHEN item."reviewedAt" IS NULL OR joined THEN routed.relevance ELSE item."relevance" END,
                "routes" = CASE WHEN item."reviewedAt" IS NULL OR joined THEN routed.routes::jsonb ELSE item."routes" END,
                "routedAt" = CASE WHEN item."reviewedAt" IS NULL AND routed."autoAccept" THEN NULL ELSE now() END
            FROM unnest(
              ${chunk.map((decision) => decision.id)}::uuid[],
              ${chunk.map((decision) => decision.status)}::text[],
              ${chunk.map((decision) => JSON.stringify(decision.matches))}::text[],
              ${chunk.map((decision) => JSON.stringify(decision.routes))}::text[],
              ${chunk.map((decision) => decision.autoAccept)}::boolean[],
              ${chunk.map((decision) => decision.relevance)}::float8[]
            ) AS routed(id, status, matches, routes, "autoAccept", relevance), "SignalItem" AS before,
            LATERAL (SELECT before."routedAt" IS NULL AND before."reviewedBy" = ${STORY_JOIN_ACTOR} AS joined) AS late
            WHERE item."id" = routed.id AND before."id" = item."id"
            RETURNING item."id", item."reviewedAt", before."status" AS "previousStatus", item."status", item."title", item."url", item."sourceId", item."storyId"`;
          for (const row of rows) if (row.reviewedAt === null) open.add(row.id);
          const newlyPending = rows.filter((row) => row.status === 'pending' && row.previousStatus !== 'pending' && !byId.get(row.id)!.autoAccept);
          // A story already waiting for review (an earlier item pending) was announced then.
          const announced = new Set(
            newlyPending.length === 0
              ? []
              : (
                  await tx.$queryRaw<{ storyId: string }[]>`
                    SELECT DISTINCT "storyId"::text AS "storyId" FROM "SignalItem"
                     WHERE "storyId" = ANY(${newlyPending.flatMap((row) => (row.storyId ? [row.storyId] : []))}::uuid[])
                       AND "status" = 'pending' AND NOT ("id" = ANY(${newlyPending.map((row) => row.id)}::uuid[]))`
                ).map((row) => row.storyId),
          );
          const first = newlyPending.filter((row) => {
            if (row.storyId === null) return true;
            if (announced.has(row.storyId)) return false;
            announced.add(row.storyId);
            return true;
          });
          await this.outbox.write(
            tx,
            first.map((row) => ({
              type: 'signal.pending_review' as const,
              predictionId: null,
              payload: { signalItemId: row.id, title: row.title, url: row.url, sourceId: row.sourceId, rules: byId.get(row.id)!.matches.map((match) => match.ruleName), storyId: row.storyId },
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
