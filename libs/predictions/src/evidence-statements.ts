import { isUuid } from '#core';
import type { SqlSession } from '#db';
import { outboxInsert, outboxInsertValues, type OutboxColumns } from '#events';

import type { ChainedAuditEntry } from './audit-trail.service.js';
import type { LockedPrediction } from './prediction-row-lock.js';

/**
 * The statements of the evidence transaction, as parameterised SQL: recording
 * evidence is the hottest write path, and Prisma's per-statement cost was most
 * of its CPU. Two statements between BEGIN and COMMIT: one locks, one writes.
 */

/** A prediction row held FOR UPDATE, as the evidence path reads it: the lock's row without the times it does not need. */
export type LockedHead = Omit<LockedPrediction, 'deadline' | 'createdAt'>;

/**
 * Resolves ids and slugs and locks the predictions they name, in one
 * statement, in ascending id order like every other path that moves more
 * than one prediction (no deadlocks). References that match nothing are
 * simply absent from the result.
 */
export async function lockPredictionsByReference(sql: SqlSession, references: readonly string[]): Promise<LockedHead[]> {
  const ids = references.filter((reference) => isUuid(reference)).map((reference) => reference.toLowerCase());
  const slugs = references.filter((reference) => !isUuid(reference));
  return sql.query<LockedHead>(
    `SELECT "id"::text AS "id", "slug", "status"::text AS "status", "logOdds", "auditSequence", "auditHash"
       FROM "Prediction" WHERE "id" = ANY($1::uuid[]) OR "slug" = ANY($2::text[])
      ORDER BY "id" FOR UPDATE`,
    [ids, slugs],
    'evidence-lock-predictions',
  );
}

/** Which locked row a reference (id or slug) names. */
export function headFor(heads: readonly LockedHead[], reference: string): LockedHead | undefined {
  const id = isUuid(reference) ? reference.toLowerCase() : undefined;
  return heads.find((head) => (id ? head.id === id : head.slug === reference));
}

export interface EvidenceRow {
  id: string;
  summary: string;
  sourceUrl: string | null;
  observedAt: Date;
  reliability: number;
  actor: string;
  indicatorReadingId: string | null;
  signalItemId: string | null;
}

export interface ImpactRow {
  id: string;
  predictionId: string;
  likelihoodRatio: number;
  deltaLogOdds: number;
  direction: string | null;
  strength: string | null;
}

export interface EvidenceWrite {
  evidence: EvidenceRow;
  impacts: readonly ImpactRow[];
  /** One per impact, each hashed onto its prediction's locked head; ids made by the caller. */
  entries: readonly (ChainedAuditEntry & { id: string })[];
  outbox: OutboxColumns;
  /** Creation time of every row written. */
  at: Date;
}

/** Each moved prediction's analysts' latest forecasts, read after the moves. */
export type LatestForecasts = Map<string, number[]>;

/**
 * Writes the evidence, its impacts, one audit entry per prediction, the
 * predictions' new heads and the outbox rows in one data-modifying WITH, and
 * reads back the moved predictions' latest forecasts (under the locks, so
 * current) for the caller's divergence check. Foreign keys are checked at the
 * end of the statement, when the evidence row exists.
 */
export async function writeEvidence(sql: SqlSession, write: EvidenceWrite): Promise<LatestForecasts> {
  const { evidence, impacts, entries, at } = write;
  const rows = await sql.query<{ predictionId: string; probability: number }>(
    `WITH evidence AS (
       INSERT INTO "Evidence" ("id", "summary", "sourceUrl", "observedAt", "reliability", "actor", "indicatorReadingId", "signalItemId", "createdAt")
       VALUES ($1::uuid, $2, $3, $4::timestamp, $5, $6, $7::uuid, $8::uuid, $9::timestamp)
     ), impacts AS (
       INSERT INTO "EvidenceImpact" ("id", "evidenceId", "predictionId", "likelihoodRatio", "reliability", "deltaLogOdds", "direction", "strength", "createdAt")
       SELECT impact."id", $1::uuid, impact."predictionId", impact."likelihoodRatio", $5, impact."deltaLogOdds", impact."direction", impact."strength", $9::timestamp
         FROM unnest($10::uuid[], $11::uuid[], $12::float8[], $13::float8[], $14::text[], $15::text[])
           AS impact("id", "predictionId", "likelihoodRatio", "deltaLogOdds", "direction", "strength")
     ), entries AS (
       INSERT INTO "AuditEntry" ("id", "predictionId", "sequence", "kind", "evidenceId", "logOddsBefore", "deltaLogOdds", "logOddsAfter",
                                 "probabilityBefore", "probabilityAfter", "actor", "reason", "detail", "createdAt", "prevHash", "hash")
       SELECT entry."id", entry."predictionId", entry."sequence", 'evidence'::"AuditKind", $1::uuid, entry."logOddsBefore", entry."deltaLogOdds", entry."logOddsAfter",
              entry."probabilityBefore", entry."probabilityAfter", $6, NULL, entry."detail"::jsonb, $9::timestamp, entry."prevHash", entry."hash"
         FROM unnest($16::uuid[], $17::uuid[], $18::int[], $19::float8[], $20::float8[], $21::float8[], $22::float8[], $23::float8[], $24::text[], $25::text[], $26::text[])
           AS entry("id", "predictionId", "sequence", "logOddsBefore", "deltaLogOdds", "logOddsAfter", "probabilityBefore", "probabilityAfter", "detail", "prevHash", "hash")
     ), moved AS (
       UPDATE "Prediction" AS prediction
          SET "logOdds" = head."logOddsAfter", "probability" = head."probabilityAfter", "auditSequence" = head."sequence", "auditHash" = head."hash", "updatedAt" = $9::timestamp
         FROM unnest($17::uuid[], $18::int[], $21::float8[], $23::float8[], $26::text[]) AS head("predictionId", "sequence", "logOddsAfter", "probabilityAfter", "hash")
        WHERE prediction."id" = head."predictionId"
     ), outbox AS (
       ${outboxInsert(27)}
     )
     SELECT DISTINCT ON (forecast."predictionId", forecast."forecaster") forecast."predictionId"::text AS "predictionId", forecast."probability"
       FROM "Forecast" AS forecast WHERE forecast."predictionId" = ANY($11::uuid[])
      ORDER BY forecast."predictionId", forecast."forecaster", forecast."createdAt" DESC, forecast."id" DESC`,
    [
      evidence.id, evidence.summary, evidence.sourceUrl, evidence.observedAt.toISOString(), evidence.reliability, evidence.actor,
      evidence.indicatorReadingId, evidence.signalItemId, at.toISOString(),
      impacts.map((impact) => impact.id), impacts.map((impact) => impact.predictionId), impacts.map((impact) => impact.likelihoodRatio),
      impacts.map((impact) => impact.deltaLogOdds), impacts.map((impact) => impact.direction), impacts.map((impact) => impact.strength),
      entries.map((entry) => entry.id), entries.map((entry) => entry.predictionId), entries.map((entry) => entry.sequence),
      entries.map((entry) => entry.logOddsBefore), entries.map((entry) => entry.deltaLogOdds), entries.map((entry) => entry.logOddsAfter),
      entries.map((entry) => entry.probabilityBefore), entries.map((entry) => entry.probabilityAfter),
      entries.map((entry) => (entry.detail === null ? null : JSON.stringify(entry.detail))), entries.map((entry) => entry.prevHash), entries.map((entry) => entry.hash),
      ...outboxInsertValues(write.outbox, at),
    ],
    'evidence-write',
  );
  const latest: LatestForecasts = new Map();
  for (const row of rows) latest.set(row.predictionId, [...(latest.get(row.predictionId) ?? []), row.probability]);
  return latest;
}
