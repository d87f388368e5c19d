import { Injectable } from '@nestjs/common';

import { isNearSameSummary, summarySimilarity, uuidV7, type StoryItem, type StoryState } from '#core';
import { asSqlSession, type PrismaTransaction, type SqlSession } from '#db';

/** How earlier evidence was found to tell the same story: named the same story, linked the same page, or said nearly the same. */
export type SameStoryMatch = 'story' | 'url' | 'summary';

/** Earlier evidence the new evidence looks like the same story as. */
export interface SameStoryEvidence {
  evidenceId: string;
  storyId: string;
  summary: string;
  recordedAt: Date;
  matchedBy: SameStoryMatch;
  /** It bears on one of the predictions the new evidence bears on (only those are warned about). */
  sharesPrediction: boolean;
  retracted: boolean;
  /** For a summary match, how alike the summaries are (0..1); 1 otherwise. */
  similarity: number;
}

/** What identifies the story of evidence about to be recorded. */
export interface StoryClues {
  predictionIds: readonly string[];
  /** The story the caller names (an accepted signal item's), if any. */
  storyId: string | null;
  canonicalUrl: string | null;
  /** Compared with recent evidence of the same predictions; null when summaries say nothing (a reading's crossing). */
  summary: string | null;
  observedAt: Date;
}

/** A near-same summary counts within this many days of the other's observedAt, either way. */
export const SAME_SUMMARY_WINDOW_DAYS = 7;
/** On each prediction, the latest evidence recorded whose summaries are compared (those observed within the window). */
export const SUMMARY_CANDIDATES = 100;
/** The most evidence one story or one link is read back with. */
const MATCH_CANDIDATES = 50;

const MATCH_RANK: Record<SameStoryMatch, number> = { story: 0, url: 1, summary: 2 };

interface CandidateRow {
  evidenceId: string;
  storyId: string;
  summary: string;
  recordedAt: Date;
  matchedBy: SameStoryMatch;
  sharesPrediction: boolean;
  retracted: boolean;
}

interface LedgerRow {
  predictionId: string;
  strongestEvidenceId: string | null;
  strongestDeltaLogOdds: number;
  appliedDeltaLogOdds: number;
  liveItems: number;
}

/** A story's standing on one prediction, as the ledger keeps it. */
export interface StoryStanding extends StoryState {
  liveItems: number;
}

/**
 * The SQL of evidence stories: finding the story new evidence belongs to, and
 * the story ledger (EvidenceStoryImpact: per story and prediction, the item
 * counted and what it adds). Every read here runs under the predictions' row
 * locks, which serialise the writers of one prediction's stories.
 */
@Injectable()
export class EvidenceStoriesRepository {
  /**
   * Earlier evidence that looks like the same story, best match first (by
   * story, then link, then summary, the most alike and then the latest first):
   * evidence of the named story (any prediction, retracted too: the story
   * goes on), live evidence of the same predictions with the same canonical
   * link, and live evidence among the latest SUMMARY_CANDIDATES recorded on
   * each of the predictions, observed within a week, whose summary is nearly
   * the same. One statement.
   */
  async sameStory(tx: SqlSession | PrismaTransaction, clues: StoryClues): Promise<SameStoryEvidence[]> {
    if (clues.storyId === null && clues.canonicalUrl === null && clues.summary === null) return [];
    const rows = await asSqlSession(tx).query<CandidateRow>(
      // The plan's shape must not hang on the planner's estimates: with statistics of a small or new table (a new
      // install, or a busy week that analysis has not caught up with) it ran the latest-entries read once per
      // Evidence row, or scanned every live row once per candidate, and recording grew with the table instead of
      // with SUMMARY_CANDIDATES. So both CTEs are materialized, and each candidate and whether it shares a prediction
      // are read by key (LATERAL ... LIMIT 1 is never flattened into a join or hashed into a scan of every impact).
      `WITH recent AS MATERIALIZED (
         -- The latest evidence recorded on each prediction, read backwards on the (predictionId, createdAt) index:
         -- bounded whatever the history, and whatever other predictions hold.
         SELECT DISTINCT latest."evidenceId" AS "id" FROM unnest($1::uuid[]) AS prediction("id")
           CROSS JOIN LATERAL (
             SELECT entry."evidenceId" FROM "AuditEntry" AS entry
              WHERE entry."predictionId" = prediction."id" AND entry."kind" = 'evidence'
              ORDER BY entry."createdAt" DESC LIMIT ${SUMMARY_CANDIDATES}
           ) AS latest
          WHERE $4::boolean
       ), candidate AS MATERIALIZED (
         (SELECT evidence."id", 'story' AS "matchedBy" FROM "Evidence" AS evidence
           WHERE $2::uuid IS NOT NULL
             AND (evidence."storyId" = $2::uuid OR (evidence."namedStoryId" = $2::uuid AND evidence."independenceReason" IS NULL))
           ORDER BY evidence."id" DESC LIMIT ${MATCH_CANDIDATES})
         UNION ALL
         (SELECT evidence."id", 'url' FROM "Evidence" AS evidence
           WHERE $3::text IS NOT NULL AND evidence."canonicalUrl" = $3 AND evidence."retractedAt" IS NULL AND evidence."indicatorReadingId" IS NULL
             AND EXISTS (SELECT 1 FROM "EvidenceImpact" AS impact WHERE impact."evidenceId" = evidence."id" AND impact."predictionId" = ANY($1::uuid[]))
           ORDER BY evidence."id" DESC LIMIT ${MATCH_CANDIDATES})
         UNION ALL
         (SELECT evidence."id", 'summary' FROM recent
           CROSS JOIN LATERAL (SELECT * FROM "Evidence" AS stored WHERE stored."id" = recent."id" LIMIT 1) AS evidence
           WHERE evidence."retractedAt" IS NULL AND evidence."indicatorReadingId" IS NULL
             AND evidence."observedAt" BETWEEN $5::timestamp - make_interval(days => ${SAME_SUMMARY_WINDOW_DAYS}) AND $5::timestamp + make_interval(days => ${SAME_SUMMARY_WINDOW_DAYS}))
       )
       SELECT evidence."id"::text AS "evidenceId", evidence."storyId"::text AS "storyId", evidence."summary", evidence."createdAt" AS "recordedAt",
              candidate."matchedBy", evidence."retractedAt" IS NOT NULL AS "retracted",
              shared."id" IS NOT NULL AS "sharesPrediction"
         FROM candidate CROSS JOIN LATERAL (SELECT * FROM "Evidence" AS stored WHERE stored."id" = candidate."id" LIMIT 1) AS evidence
         LEFT JOIN LATERAL (
           SELECT impact."id" FROM "EvidenceImpact" AS impact WHERE impact."evidenceId" = evidence."id" AND impact."predictionId" = ANY($1::uuid[]) LIMIT 1
         ) AS shared ON true`,
      [clues.predictionIds, clues.storyId, clues.canonicalUrl, clues.summary !== null, clues.observedAt.toISOString()],
      'evidence-same-story',
    );
    const best = new Map<string, SameStoryEvidence>();
    for (const row of rows) {
      let similarity = 1;
      if (row.matchedBy === 'summary') {
        if (!isNearSameSummary(clues.summary!, row.summary)) continue;
        similarity = summarySimilarity(clues.summary!, row.summary);
      }
      const found = { ...row, similarity };
      const known = best.get(row.evidenceId);
      if (!known || MATCH_RANK[found.matchedBy] < MATCH_RANK[known.matchedBy]) best.set(row.evidenceId, found);
    }
    return [...best.values()].sort(
      (a, b) =>
        MATCH_RANK[a.matchedBy] - MATCH_RANK[b.matchedBy] ||
        b.similarity - a.similarity ||
        b.recordedAt.getTime() - a.recordedAt.getTime() ||
        (a.evidenceId < b.evidenceId ? 1 : -1),
    );
  }

  /** The story's standing on each of the predictions (those it has one on). */
  async standings(tx: SqlSession | PrismaTransaction, storyId: string, predictionIds: readonly string[]): Promise<Map<string, StoryStanding>> {
    const rows = await asSqlSession(tx).query<LedgerRow>(
      `SELECT "predictionId"::text AS "predictionId", "strongestEvidenceId"::text AS "strongestEvidenceId", "strongestDeltaLogOdds", "appliedDeltaLogOdds", "liveItems"
         FROM "EvidenceStoryImpact" WHERE "storyId" = $1::uuid AND "predictionId" = ANY($2::uuid[])`,
      [storyId, predictionIds],
      'evidence-story-standings',
    );
    return new Map(rows.map(({ predictionId, ...standing }) => [predictionId, standing]));
  }

  /** The story's live items on one prediction other than `except`, in recording order, each with its own dL there. */
  async liveItems(tx: SqlSession | PrismaTransaction, storyId: string, predictionId: string, except: string): Promise<StoryItem[]> {
    return asSqlSession(tx).query<StoryItem>(
      `SELECT evidence."id"::text AS "evidenceId", impact."deltaLogOdds"
         FROM "Evidence" AS evidence JOIN "EvidenceImpact" AS impact ON impact."evidenceId" = evidence."id" AND impact."predictionId" = $2::uuid
        WHERE evidence."storyId" = $1::uuid AND evidence."retractedAt" IS NULL AND evidence."id" <> $3::uuid
        ORDER BY evidence."createdAt", evidence."id"`,
      [storyId, predictionId, except],
      'evidence-story-live-items',
    );
  }

  /** Writes the story's new standing on one prediction (a retraction's; recording writes its own in the evidence statement). */
  async saveStanding(tx: SqlSession | PrismaTransaction, storyId: string, predictionId: string, standing: StoryStanding, at: Date): Promise<void> {
    await asSqlSession(tx).query(
      `INSERT INTO "EvidenceStoryImpact" ("id", "storyId", "predictionId", "strongestEvidenceId", "strongestDeltaLogOdds", "appliedDeltaLogOdds", "liveItems", "createdAt", "updatedAt")
       VALUES ($8::uuid, $1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::timestamp, $7::timestamp)
       ON CONFLICT ("storyId", "predictionId") DO UPDATE
         SET "strongestEvidenceId" = EXCLUDED."strongestEvidenceId", "strongestDeltaLogOdds" = EXCLUDED."strongestDeltaLogOdds",
             "appliedDeltaLogOdds" = EXCLUDED."appliedDeltaLogOdds", "liveItems" = EXCLUDED."liveItems", "updatedAt" = EXCLUDED."updatedAt"`,
      [storyId, predictionId, standing.strongestEvidenceId, standing.strongestDeltaLogOdds, standing.appliedDeltaLogOdds, standing.liveItems, at.toISOString(), uuidV7(at.getTime())],
      'evidence-story-save',
    );
  }
}
