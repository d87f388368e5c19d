import { Injectable } from '@nestjs/common';

import { DEFAULT_SAME_STORY_MODEL, storyKeys, type StorySignature, uuidV7 } from '#core';
import { asSqlSession, type PrismaTransaction, type SqlSession, type StoryStatus } from '#db';

import { assignStories, type ComparedItems, type PairDecisions, type StoryAssignment, type StoryCandidate } from './story-grouping.js';

/** A new item as grouping needs it. `signature` null: grouping is off, the item is a story of its own. */
export interface NewStoryMember {
  id: string;
  title: string;
  summary: string | null;
  storyAt: Date;
  signature: StorySignature | null;
  /** Its keys in two tiers (storyKeyTiers): specific ones, and general ones (concepts) that a stream about one subject can share widely. */
  keys: { specific: readonly number[]; general: readonly number[] };
}

/** Who joins an item to a decided story when it is stored (it takes the story's decision). */
export const STORY_JOIN_ACTOR = 'system:story';

/**
 * The advisory lock a batch's last look at what other batches stored is taken
 * under, held to its commit, one batch at a time across the cluster (see
 * StoriesRepository.plan): so of two batches storing two reports of one event
 * at once, the one that commits second has seen the other's items.
 */
const STORY_GROUPING_LOCK = 0x5_70_27_01;

/** Per key of a new item, the latest items of the window read that carry it; of all those read, how many are compared. */
export const STORY_ITEMS_PER_KEY = 6;
export const STORY_CANDIDATES_PER_ITEM = 12;

/**
 * Per new item, the stored items of the window sharing its keys: for each key,
 * the latest STORY_ITEMS_PER_KEY items of the window that carry it (through
 * StoryKey's primary key, so a key thousands of items share costs no more than
 * a rare one), then of those the STORY_CANDIDATES_PER_ITEM sharing most of its
 * keys, then the latest. A candidate's text and signature come once, on the
 * first of its rows (`first`): the items of a batch share many candidates (a
 * batch of 100 news items asked for 1,200 and got about 350 distinct), and
 * each copy cost the database and the worker as much as the first.
 */
const CANDIDATES = `
  WITH hits AS (
    SELECT wanted.position, hit."signalItemId", count(*) AS shared, max(hit."storyAt") AS latest
      FROM unnest($1::int[], $2::int[], $3::timestamp(3)[]) AS wanted(position, key, at)
      CROSS JOIN LATERAL (
        SELECT stored."signalItemId", stored."storyAt" FROM "StoryKey" AS stored
         WHERE stored."key" = wanted.key AND stored."storyAt" BETWEEN wanted.at - make_interval(hours => $4) AND wanted.at + make_interval(hours => $4)
         ORDER BY stored."storyAt" DESC
         LIMIT $5
      ) AS hit
     GROUP BY wanted.position, hit."signalItemId"
  ), ranked AS (
    SELECT hits.*, row_number() OVER (PARTITION BY hits.position ORDER BY hits.shared DESC, hits.latest DESC, hits."signalItemId") AS rank FROM hits
  )
  SELECT picked.position, item.id::text AS id, picked.first, item."storyId"::text AS "storyId",
         CASE WHEN picked.first THEN item.title END AS title, CASE WHEN picked.first THEN item.summary END AS summary,
         CASE WHEN picked.first THEN item."storySignature" END AS signature
    FROM (SELECT ranked.position, ranked."signalItemId", row_number() OVER (PARTITION BY ranked."signalItemId") = 1 AS first FROM ranked WHERE ranked.rank <= $6) AS picked
    JOIN "SignalItem" AS item ON item.id = picked."signalItemId"
   WHERE item."storyId" IS NOT NULL AND item."storySignature" IS NOT NULL`;

/** The clock: the position of the last grouping batch committed (0 before the first). */
const CLOCK = `(SELECT coalesce(max("position"), 0) FROM "StoryGroupingBatch")`;

/**
 * The items of the batches committed after position $1, as one JSON array
 * (`since`), with the clock they were read at: one statement and so one
 * snapshot, in which every batch up to the clock is committed and read. Each
 * batch's items are found through its id (SignalItem.storyBatch, an index
 * lookup per batch).
 */
const SINCE = `
  (SELECT coalesce(json_agg(json_build_object('id', item.id, 'storyId', item."storyId", 'title', item.title, 'summary', item.summary, 'signature', item."storySignature")), '[]')
     FROM "SignalItem" AS item
    WHERE item."storyBatch" = ANY(ARRAY(SELECT "batch" FROM "StoryGroupingBatch" WHERE "position" > $1))
      AND item."storyId" IS NOT NULL AND item."storySignature" IS NOT NULL)`;

/** An item of a batch committed since. */
interface SinceItem {
  id: string;
  storyId: string;
  title: string;
  summary: string | null;
  signature: StorySignature;
}

/** A story's row, as the inbox and the story page read it. */
export interface StoryRow {
  id: string;
  status: StoryStatus;
  evidenceId: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  rejectionReason: string | null;
}

/** Where a new item goes: its story, and the decision it takes from a decided story it joins. */
export interface StoryMembership {
  storyId: string;
  decided: 'accepted' | 'rejected' | null;
  reason: string | null;
}

/** Where each new item goes, to be stored with it, and what is left to do once it is stored. */
export interface StoryPlan {
  members: Map<string, StoryMembership>;
  /** Stories this batch starts: created with the first of their items stored. */
  created: string[];
  /** Grouping is on: the items are stored with their batch's id (SignalItem.storyBatch) and must be settled. */
  grouped: boolean;
  /**
   * After the insert, in the same transaction, as its last work: compares the
   * stored items (`stored`, their ids) with those other batches committed
   * meanwhile, the last of them under the grouping lock, and moves any item
   * that now has a better match (see StoriesRepository.plan).
   */
  settle(sql: SqlSession, stored: readonly string[]): Promise<void>;
}

/**
 * The one way into the Story and StoryItemChange tables, and the item columns
 * that say which story an item is in (`storyId`: chosen here when an item is
 * stored, or changed by an analyst linking or splitting it). New stories are
 * written by the items' insert itself (SignalItemsRepository.insertNew), in
 * the same statement as their first item.
 */
@Injectable()
export class StoriesRepository {
  /**
   * Decides the stories of items about to be stored, in the transaction that
   * stores them, in two steps around the insert so that the grouping lock
   * covers only a short read and the commit:
   *
   * 1. `plan`, before the insert and with no lock: each item is compared with
   *    stored items of the window that share a key with it (the latest
   *    STORY_ITEMS_PER_KEY per key read from StoryKey, the
   *    STORY_CANDIDATES_PER_ITEM sharing most compared) and with the batch's
   *    earlier items, and joins the story of its best match or starts its own.
   *    The items are then stored with those stories and with the id of their
   *    batch (its transaction's).
   * 2. `settle`, after the insert: still with no lock, the items of the
   *    batches committed since the search are read and compared; then, under
   *    the grouping lock (held to the commit), the batch takes the next
   *    position in commit order (a row of StoryGroupingBatch), and in the same
   *    statement reads the items of the batches committed since that read.
   *    Only if one of those brings a better match, or a joined story was
   *    decided meanwhile, are the items concerned rewritten; then the stories
   *    joined are locked (in id order), which is all that is left before the
   *    commit.
   *
   * Why two fetches storing two reports of one event at once end in one story:
   * the lock is held from each batch's last read to its commit, so of two
   * batches the second to take it reads after the first committed. Its
   * position is taken under the lock too, so positions follow commit order,
   * and a statement that reads the clock (the highest position) reads every
   * batch up to it committed: the items of the batches after the position a
   * batch last read at are exactly those it has not seen, and that is what it
   * compares under the lock. Storing the items before the lock changes none of
   * this: no other batch can see them before the commit, which comes after the
   * last read. The stories joined are locked only under the grouping lock, so
   * a batch never holds a story that one waiting for the lock needs (the
   * insert's foreign-key check takes the weakest lock, KEY SHARE, which
   * decisions and analysts' changes do not wait for; see `lock`): an accept
   * or reject either commits first, and the batch takes its decision, or
   * waits and then sees the batch's items. An item joining a decided story
   * takes its decision (status, `system:story` as reviewer) and is never
   * reopened by it. Grouping off (`signature` null for every item): each
   * starts its own story, with no lock.
   */
  async plan(sql: SqlSession, members: readonly NewStoryMember[]): Promise<StoryPlan> {
    const grouped = members.filter((member) => member.signature !== null);
    const candidates = new Map<string, StoryCandidate[]>();
    const decisions: PairDecisions = new Map();
    // Each item's n-grams are worked out once for every pass.
    const compared: ComparedItems = new Map();
    const batchItems = () =>
      members.map((member) => ({
        id: member.id,
        title: member.title,
        summary: member.summary,
        signature: member.signature ?? EMPTY_SIGNATURE,
        // Grouping off: no keys, so not even the batch's own items are compared.
        keys: member.signature ? [...member.keys.specific, ...member.keys.general] : [],
        candidates: candidates.get(member.id) ?? [],
      }));
    if (grouped.length === 0) {
      const assignments = assignStories(batchItems(), () => uuidV7(), DEFAULT_SAME_STORY_MODEL, decisions, compared);
      return { members: new Map(assignments.map((assignment) => [assignment.id, { storyId: assignment.storyId, decided: null, reason: null }] as const)), created: [...new Set(assignments.map((assignment) => assignment.storyId))], grouped: false, settle: () => Promise.resolve() };
    }
    // The candidates' search must read each key's latest rows through StoryKey's primary key, newest first, and stop at
    // STORY_ITEMS_PER_KEY: a bitmap scan (which the planner picks when its statistics take every key for a rare one) reads
    // and sorts every row of the window that carries the key, thousands for a common one. So bitmap scans are off for
    // the search, and back to what they were for every statement after it.
    const [clock] = await sql.query<{ batch: string; bitmap: string }>(
      `WITH before AS MATERIALIZED (SELECT current_setting('enable_bitmapscan') AS bitmap)
       SELECT ${CLOCK}::text AS batch, before.bitmap, set_config('enable_bitmapscan', 'off', true) AS now FROM before`,
      [],
      'story-clock-read',
    );
    // What was committed up to batch `seen` (and perhaps later) is searched; what is committed after, read by position.
    let seen = Number(clock!.batch);
    const wanted = grouped.flatMap((member, position) => [...new Set([...member.keys.specific, ...member.keys.general])].map((key) => ({ position, key, at: member.storyAt.toISOString() })));
    // One row at least (all null but `bitmap` when nothing was found), so the setting is always put back.
    const rows = await sql.query<{ position: number; id: string | null; first: boolean; storyId: string; title: string; summary: string | null; signature: StorySignature; bitmap: string }>(
      `WITH found AS (${CANDIDATES}) SELECT found.*, set_config('enable_bitmapscan', $7, true) AS bitmap FROM (SELECT 1) AS once LEFT JOIN found ON true`,
      [
        wanted.map((entry) => entry.position),
        wanted.map((entry) => entry.key),
        wanted.map((entry) => entry.at),
        DEFAULT_SAME_STORY_MODEL.windowHours,
        STORY_ITEMS_PER_KEY,
        STORY_CANDIDATES_PER_ITEM,
        clock!.bitmap,
      ],
      'story-candidates',
    );
    const found = new Map<string, StoryCandidate>();
    for (const row of rows) if (row.id !== null && row.first) found.set(row.id, { id: row.id, storyId: row.storyId, title: row.title, summary: row.summary, signature: row.signature });
    for (const row of rows) {
      if (row.id === null) continue;
      const id = grouped[Number(row.position)]!.id;
      (candidates.get(id) ?? candidates.set(id, []).get(id)!).push(found.get(row.id)!);
    }
    // Per key of these items, the items that have it: an item of a batch committed since is matched to them through it.
    const holders = new Map<number, string[]>();
    for (const member of grouped) for (const key of new Set([...member.keys.specific, ...member.keys.general])) (holders.get(key) ?? holders.set(key, []).get(key)!).push(member.id);
    const known = new Map(grouped.map((member) => [member.id, new Set((candidates.get(member.id) ?? []).map((candidate) => candidate.id))] as const));
    /**
     * Adds items of batches committed since to the candidates of the items sharing a kept key with them, as the search
     * would have found them: per item, of those not compared yet, the STORY_CANDIDATES_PER_ITEM sharing most keys, then
     * the latest. One the search would have read, had it been committed before, ranks at least as high among these
     * (they are fewer, and every shared key counts), so it is compared. Answers whether any was added.
     */
    const addCommitted = (items: readonly SinceItem[]): boolean => {
      const sharing = new Map<string, Map<SinceItem, number>>();
      for (const item of items) {
        for (const key of storyKeys(item.signature)) {
          for (const member of holders.get(key) ?? []) {
            if (known.get(member)!.has(item.id)) continue;
            const shared = sharing.get(member) ?? sharing.set(member, new Map()).get(member)!;
            shared.set(item, (shared.get(item) ?? 0) + 1);
          }
        }
      }
      for (const [member, shared] of sharing) {
        const best = [...shared].sort(([a, x], [b, y]) => y - x || b.signature.at - a.signature.at || (a.id < b.id ? -1 : 1)).slice(0, STORY_CANDIDATES_PER_ITEM);
        for (const [item] of best) {
          known.get(member)!.add(item.id);
          (candidates.get(member) ?? candidates.set(member, []).get(member)!).push(item);
        }
      }
      return sharing.size > 0;
    };
    // A second pass keeps the story an item started on the first (it is stored by then); decisions and n-grams are kept too.
    const started = new Map<string, string>();
    const assign = () => assignStories(batchItems(), (id) => started.get(id) ?? started.set(id, uuidV7()).get(id)!, DEFAULT_SAME_STORY_MODEL, decisions, compared);
    let assignments = assign();
    // Decisions as they are now, unlocked: settle reads them again under the lock and rewrites the few that changed.
    const decided = await this.decisions(sql, [...new Set(assignments.filter((assignment) => assignment.joins).map((assignment) => assignment.storyId))]);
    startOwnIfGone(assignments, decided);
    const planned = memberships(assignments, decided);
    const plan: StoryPlan = {
      members: planned,
      created: [...new Set(assignments.filter((assignment) => !assignment.joins).map((assignment) => assignment.storyId))],
      grouped: true,
      settle: async (sql, stored) => {
        if (stored.length === 0) return;
        // Outside the lock, the items of the batches committed since the search (and during the insert).
        const [caughtUp] = await sql.query<{ clock: string; since: SinceItem[] }>(`SELECT ${CLOCK}::text AS clock, ${SINCE} AS since`, [seen], 'story-batches-caught-up');
        seen = Number(caughtUp!.clock);
        if (addCommitted(caughtUp!.since)) assignments = assign();
        // Under the lock (to the commit): the batch's position, and the items of the batches committed since that read.
        await sql.query(`SELECT pg_advisory_xact_lock($1)`, [STORY_GROUPING_LOCK], 'story-grouping-lock');
        const [last] = await sql.query<{ since: SinceItem[] }>(
          `WITH numbered AS (INSERT INTO "StoryGroupingBatch" ("position", "batch") SELECT ${CLOCK} + 1, pg_current_xact_id()::text::bigint)
           SELECT ${SINCE} AS since`,
          [seen],
          'story-grouping-number',
        );
        if (addCommitted(last!.since)) assignments = assign();
        await this.settleStored(sql, assignments, planned, new Set(stored), plan.created);
      },
    };
    return plan;
  }

  /**
   * The end of settle, under the grouping lock: locks the stories the stored
   * items join (in id order, as every writer of stories takes them), and
   * rewrites the items whose story or decision is not what they were stored
   * with: a better match committed meanwhile, or a joined story decided or
   * reopened since the plan read it. Stories the batch started and no longer
   * uses are removed (nothing else can have seen them); stories it starts only
   * now are created.
   */
  private async settleStored(sql: SqlSession, assignments: readonly StoryAssignment[], inserted: ReadonlyMap<string, StoryMembership>, stored: ReadonlySet<string>, created: readonly string[]): Promise<void> {
    const final = assignments.filter((assignment) => stored.has(assignment.id));
    const joined = [...new Set(final.filter((assignment) => assignment.joins).map((assignment) => assignment.storyId))].sort();
    const locked =
      joined.length === 0
        ? new Map<string, StoryDecision>()
        : new Map(
            (
              await sql.query<StoryDecision & { id: string }>(
                `WITH locked AS (SELECT "id" FROM "Story" WHERE "id" = ANY($1::uuid[]) ORDER BY "id" FOR NO KEY UPDATE)
                 UPDATE "Story" SET "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "id" IN (SELECT "id" FROM locked)
                 RETURNING "id"::text AS id, "status"::text AS status, "rejectionReason"`,
                [joined],
                'story-join-lock',
              )
            ).map((row) => [row.id, row] as const),
          );
    startOwnIfGone(final, locked);
    const now = memberships(final, locked);
    const changed = final.filter((assignment) => {
      const before = inserted.get(assignment.id)!;
      const after = now.get(assignment.id)!;
      return before.storyId !== after.storyId || before.decided !== after.decided || before.reason !== after.reason;
    });
    if (changed.length === 0) return;
    const existing = new Set(created);
    const starting = [...new Set(final.filter((assignment) => !assignment.joins && !existing.has(assignment.storyId)).map((assignment) => assignment.storyId))];
    await sql.query(
      `WITH started AS (
         INSERT INTO "Story" ("id", "status", "updatedAt") SELECT unnest($1::uuid[]), 'open', now() AT TIME ZONE 'UTC'
       )
       UPDATE "SignalItem" AS item
          SET "storyId" = moved."storyId", "status" = coalesce(moved.decided, 'unmatched')::"SignalStatus",
              "reviewedBy" = CASE WHEN moved.decided IS NULL THEN NULL ELSE $5 END,
              "reviewedAt" = CASE WHEN moved.decided IS NULL THEN NULL ELSE now() AT TIME ZONE 'UTC' END, "rejectionReason" = moved.reason
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $6::text[]) AS moved(id, "storyId", decided, reason)
        WHERE item."id" = moved.id`,
      [
        starting,
        changed.map((assignment) => assignment.id),
        changed.map((assignment) => now.get(assignment.id)!.storyId),
        changed.map((assignment) => now.get(assignment.id)!.decided),
        STORY_JOIN_ACTOR,
        changed.map((assignment) => now.get(assignment.id)!.reason),
      ],
    );
    // Stories this batch started that none of its items is in any more.
    await sql.query(`DELETE FROM "Story" WHERE "id" = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM "SignalItem" WHERE "storyId" = "Story"."id")`, [created]);
  }

  /** The decisions of stories, as they are now (unlocked). */
  private async decisions(sql: SqlSession, ids: readonly string[]): Promise<Map<string, StoryDecision>> {
    if (ids.length === 0) return new Map();
    const rows = await sql.query<StoryDecision & { id: string }>(`SELECT id::text AS id, status::text AS status, "rejectionReason" FROM "Story" WHERE id = ANY($1::uuid[])`, [ids], 'story-decisions');
    return new Map(rows.map((row) => [row.id, row] as const));
  }

  /**
   * Locks a story's row for a decision or a change of its items; null if there
   * is none. FOR NO KEY UPDATE, as an UPDATE of it would: a story's id never
   * changes and a story is never deleted once committed, and FOR UPDATE would
   * also wait for every batch storing an item that joins it (the insert's
   * foreign-key check holds KEY SHARE to the batch's commit, behind the
   * grouping lock). Batches lock the stories they join under the grouping
   * lock, after their insert; so either this sees their items or they see
   * this decision (StoriesRepository.plan).
   */
  async lock(tx: PrismaTransaction | SqlSession, storyId: string): Promise<StoryRow | null> {
    const [row] = await asSqlSession(tx).query<StoryRow>(
      `SELECT id::text AS id, status::text AS status, "evidenceId"::text AS "evidenceId", "decidedBy", "decidedAt", "rejectionReason"
         FROM "Story" WHERE id = $1::uuid FOR NO KEY UPDATE`,
      [storyId],
    );
    return row ?? null;
  }

  /** Records a story's decision (accepted with its evidence, or rejected with the reason), or takes it back (open). */
  async decide(tx: PrismaTransaction | SqlSession, storyId: string, decision: { status: StoryStatus; evidenceId?: string | null; actor: string | null; reason?: string | null }): Promise<void> {
    await asSqlSession(tx).query(
      `UPDATE "Story" SET status = $2::"StoryStatus", "evidenceId" = $3::uuid, "decidedBy" = $4, "decidedAt" = CASE WHEN $2 = 'open' THEN NULL ELSE now() AT TIME ZONE 'UTC' END,
              "rejectionReason" = $5, "updatedAt" = now() AT TIME ZONE 'UTC'
        WHERE id = $1::uuid`,
      [storyId, decision.status, decision.evidenceId ?? null, decision.status === 'open' ? null : decision.actor, decision.reason ?? null],
    );
  }

  /**
   * Gives an item that has no story (none should: stored before stories, the
   * migration gave each its own) a story of its own under its own id, decided
   * as the item is. Answers whether there was such an item.
   */
  async adopt(tx: PrismaTransaction | SqlSession, itemId: string): Promise<boolean> {
    const sql = asSqlSession(tx);
    const created = await sql.query(
      `INSERT INTO "Story" ("id", "status", "evidenceId", "decidedBy", "decidedAt", "rejectionReason", "updatedAt")
       SELECT "id", CASE "status" WHEN 'accepted' THEN 'accepted'::"StoryStatus" WHEN 'rejected' THEN 'rejected'::"StoryStatus" ELSE 'open'::"StoryStatus" END,
              "evidenceId", CASE WHEN "status" IN ('accepted', 'rejected') THEN "reviewedBy" END, CASE WHEN "status" IN ('accepted', 'rejected') THEN "reviewedAt" END,
              "rejectionReason", now() AT TIME ZONE 'UTC'
         FROM "SignalItem" WHERE "id" = $1::uuid AND "storyId" IS NULL
       ON CONFLICT ("id") DO NOTHING RETURNING "id"`,
      [itemId],
    );
    if (created.length === 0) return false;
    await sql.query(`UPDATE "SignalItem" SET "storyId" = "id" WHERE "id" = $1::uuid`, [itemId]);
    return true;
  }

  /** A new, open story with no items yet (an item split off goes there). */
  async create(tx: PrismaTransaction | SqlSession): Promise<string> {
    const id = uuidV7();
    await asSqlSession(tx).query(`INSERT INTO "Story" ("id", "status", "updatedAt") VALUES ($1::uuid, 'open', now() AT TIME ZONE 'UTC')`, [id]);
    return id;
  }

  /** Moves an item to another story and records who did it. A story left with no item stays, with its record of changes, and shows nowhere. */
  async move(tx: PrismaTransaction | SqlSession, move: { itemId: string; from: string; to: string; kind: 'linked' | 'split'; actor: string }): Promise<void> {
    const sql = asSqlSession(tx);
    await sql.query(`UPDATE "SignalItem" SET "storyId" = $2::uuid WHERE id = $1::uuid`, [move.itemId, move.to]);
    await sql.query(
      `INSERT INTO "StoryItemChange" ("id", "storyId", "signalItemId", "kind", "fromStoryId", "actor") VALUES ($1::uuid, $2::uuid, $3::uuid, $4::"StoryItemChangeKind", $5::uuid, $6)`,
      [uuidV7(), move.to, move.itemId, move.kind, move.from, move.actor],
    );
    await sql.query(`UPDATE "Story" SET "updatedAt" = now() AT TIME ZONE 'UTC' WHERE id = ANY($1::uuid[])`, [[move.from, move.to]]);
  }
}

/** A story's decision, as an item joining it takes it. */
interface StoryDecision {
  status: StoryStatus;
  rejectionReason: string | null;
}

/** A story gone since the candidates were read (never, unless removed by hand): its items start one of their own. */
function startOwnIfGone(assignments: readonly StoryAssignment[], existing: ReadonlyMap<string, StoryDecision>): void {
  for (const assignment of assignments) {
    if (assignment.joins && !existing.has(assignment.storyId)) {
      const gone = assignment.storyId;
      const replacement = uuidV7();
      for (const other of assignments) if (other.storyId === gone) Object.assign(other, { storyId: replacement, joins: false });
    }
  }
}

/** Each item's story, and the decision it takes from a decided story it joins. */
function memberships(assignments: readonly StoryAssignment[], stories: ReadonlyMap<string, StoryDecision>): Map<string, StoryMembership> {
  return new Map(
    assignments.map((assignment) => {
      const story = assignment.joins ? stories.get(assignment.storyId) : undefined;
      const decided = story && story.status !== 'open' ? story.status : null;
      return [assignment.id, { storyId: assignment.storyId, decided, reason: decided === 'rejected' ? story!.rejectionReason : null }] as const;
    }),
  );
}

/** What an item grouping is off for is compared with: nothing. */
const EMPTY_SIGNATURE: StorySignature = { canonicalUrl: null, at: 0, script: 'latin', concepts: [], numbers: [], dates: [], followUp: false };
