import type { SqlSession } from '#db';
import { outboxInsert, outboxInsertValues, type OutboxColumns } from '#events';

import type { HeadSigner } from '../audit/audit-signing-key.service.js';
import { chainWriteParts, chainWriteValues, type AuditEntryRow } from '../chain/prediction-chain.repository.js';

/**
 * The evidence transaction's write, as parameterised SQL: recording evidence is
 * the hottest write path, and Prisma's per-statement cost was most of its CPU.
 * Two statements between BEGIN and COMMIT: the chain repository's lock, and this.
 */

export interface EvidenceRow {
  id: string;
  summary: string;
  sourceUrl: string | null;
  observedAt: Date;
  reliability: number;
  actor: string;
  indicatorReadingId: string | null;
  signalItemId: string | null;
  storyId: string;
  namedStoryId: string | null;
  canonicalUrl: string | null;
  independenceReason: string | null;
}

export interface ImpactRow {
  id: string;
  predictionId: string;
  likelihoodRatio: number;
  deltaLogOdds: number;
  direction: string | null;
  strength: string | null;
}

/** The evidence's story's new standing on one prediction it bears on. */
export interface StoryStandingRow {
  /** The row's id if the story has none on this prediction yet. */
  id: string;
  predictionId: string;
  strongestEvidenceId: string | null;
  strongestDeltaLogOdds: number;
  appliedDeltaLogOdds: number;
}

export interface EvidenceWrite {
  evidence: EvidenceRow;
  impacts: readonly ImpactRow[];
  /** One per impact: the story's standing after this evidence joined it (one more live item). */
  stories: readonly StoryStandingRow[];
  /** One per impact, each hashed onto its prediction's locked head. */
  entries: readonly AuditEntryRow[];
  /** Signs each moved prediction's new head, in the same statement. */
  signer: HeadSigner;
  outbox: OutboxColumns;
  /** Creation time of every row written. */
  at: Date;
}

/** Each moved prediction's analysts' latest forecasts, read after the moves. */
export type LatestForecasts = Map<string, number[]>;

const EVIDENCE_PARAMETERS = 24;

/**
 * Writes the evidence, its impacts, its story's standing on each prediction,
 * its chain entries with the predictions' new heads, signed (the chain repository's
 * parts) and the outbox rows in one data-modifying WITH, and reads back the moved predictions' latest forecasts
 * (under the locks, so current) for the caller's divergence check. Foreign keys
 * are checked at the end of the statement, when the evidence row exists.
 */
export async function writeEvidence(sql: SqlSession, write: EvidenceWrite): Promise<LatestForecasts> {
  const { evidence, impacts, at } = write;
  const chain = chainWriteParts(EVIDENCE_PARAMETERS + 1);
  const rows = await sql.query<{ predictionId: string; probability: number }>(
    `WITH evidence AS (
       INSERT INTO "Evidence" ("id", "summary", "sourceUrl", "observedAt", "reliability", "actor", "indicatorReadingId", "signalItemId", "createdAt",
                               "storyId", "namedStoryId", "canonicalUrl", "independenceReason")
       VALUES ($1::uuid, $2, $3, $4::timestamp, $5, $6, $7::uuid, $8::uuid, $9::timestamp, $16::uuid, $17::uuid, $18, $19)
     ), impacts AS (
       INSERT INTO "EvidenceImpact" ("id", "evidenceId", "predictionId", "likelihoodRatio", "reliability", "deltaLogOdds", "direction", "strength", "createdAt")
       SELECT impact."id", $1::uuid, impact."predictionId", impact."likelihoodRatio", $5, impact."deltaLogOdds", impact."direction", impact."strength", $9::timestamp
         FROM unnest($10::uuid[], $11::uuid[], $12::float8[], $13::float8[], $14::text[], $15::text[])
           AS impact("id", "predictionId", "likelihoodRatio", "deltaLogOdds", "direction", "strength")
     ), stories AS (
       INSERT INTO "EvidenceStoryImpact" ("id", "storyId", "predictionId", "strongestEvidenceId", "strongestDeltaLogOdds", "appliedDeltaLogOdds", "liveItems", "createdAt", "updatedAt")
       SELECT story."id", $16::uuid, story."predictionId", story."strongestEvidenceId", story."strongestDeltaLogOdds", story."appliedDeltaLogOdds", 1, $9::timestamp, $9::timestamp
         FROM unnest($24::uuid[], $20::uuid[], $21::uuid[], $22::float8[], $23::float8[]) AS story("id", "predictionId", "strongestEvidenceId", "strongestDeltaLogOdds", "appliedDeltaLogOdds")
       ON CONFLICT ("storyId", "predictionId") DO UPDATE
         SET "strongestEvidenceId" = EXCLUDED."strongestEvidenceId", "strongestDeltaLogOdds" = EXCLUDED."strongestDeltaLogOdds",
             "appliedDeltaLogOdds" = EXCLUDED."appliedDeltaLogOdds", "liveItems" = "EvidenceStoryImpact"."liveItems" + 1, "updatedAt" = EXCLUDED."updatedAt"
     ), entries AS (${chain.entries}
     ), signatures AS (${chain.signatures}
     ), moved AS (${chain.heads}
     ), outbox AS (
       ${outboxInsert(EVIDENCE_PARAMETERS + chain.parameters + 1)}
     )
     SELECT DISTINCT ON (forecast."predictionId", forecast."forecaster") forecast."predictionId"::text AS "predictionId", forecast."probability"
       FROM "Forecast" AS forecast WHERE forecast."predictionId" = ANY($11::uuid[])
      ORDER BY forecast."predictionId", forecast."forecaster", forecast."createdAt" DESC, forecast."id" DESC`,
    [
      evidence.id, evidence.summary, evidence.sourceUrl, evidence.observedAt.toISOString(), evidence.reliability, evidence.actor,
      evidence.indicatorReadingId, evidence.signalItemId, at.toISOString(),
      impacts.map((impact) => impact.id), impacts.map((impact) => impact.predictionId), impacts.map((impact) => impact.likelihoodRatio),
      impacts.map((impact) => impact.deltaLogOdds), impacts.map((impact) => impact.direction), impacts.map((impact) => impact.strength),
      evidence.storyId, evidence.namedStoryId, evidence.canonicalUrl, evidence.independenceReason,
      write.stories.map((story) => story.predictionId), write.stories.map((story) => story.strongestEvidenceId),
      write.stories.map((story) => story.strongestDeltaLogOdds), write.stories.map((story) => story.appliedDeltaLogOdds),
      write.stories.map((story) => story.id),
      ...chainWriteValues(write.entries, write.signer),
      ...outboxInsertValues(write.outbox, at),
    ],
    'evidence-write',
  );
  const latest: LatestForecasts = new Map();
  for (const row of rows) latest.set(row.predictionId, [...(latest.get(row.predictionId) ?? []), row.probability]);
  return latest;
}
