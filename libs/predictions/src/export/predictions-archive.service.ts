import { Injectable } from '@nestjs/common';

import { DomainError, uuidV7, verifyArchivedChains, type ArchivedChainBreak } from '#core';
import { ARCHIVE_LIMITS, type ArchiveColumn, type ArchiveRow, type ArchiveTable, keysetPage, Prisma, type PrismaTransaction } from '#db';

import { AuditSigningKeyService } from '../audit/audit-signing-key.service.js';

export type { ArchivedChainBreak } from '#core';

const STATUSES = ['open', 'due', 'resolved_true', 'resolved_false', 'annulled'] as const;
const AUDIT_KINDS = ['prior', 'evidence', 'retraction', 'override', 'quiet_day', 'resolution', 'resolution_undone'] as const;
const TRACKS = ['model', 'team', 'analyst'] as const;
const DIRECTIONS = ['supports', 'contradicts'] as const;
const STRENGTHS = ['weak', 'moderate', 'strong'] as const;
const KEY_ORIGINS = ['local', 'imported'] as const;
const KEY_RELATIONS = ['successor', 'predecessor', 'imported'] as const;

/** A column, with the limits the API puts on the field it comes from: an import checks each value as the API checks a request. */
const column = (name: string, type: ArchiveColumn['type'], nullable = false, limits: Omit<ArchiveColumn, 'name' | 'type' | 'nullable'> = {}): ArchiveColumn => ({
  name,
  type,
  nullable,
  ...limits,
});
const { maxInt, hash, keyId, base64, slug } = ARCHIVE_LIMITS;
const PROBABILITY = { min: 0.001, max: 0.999 };
/** A probability derived from log-odds: never 0 or 1. */
const DERIVED_PROBABILITY = { above: 0, below: 1 };
const SEQUENCE = { min: 1, max: maxInt };
const ACTOR = { maxLength: 200 };

const PREDICTIONS: ArchiveTable = {
  name: 'predictions',
  columns: [
    column('id', 'uuid'),
    column('slug', 'text', false, { maxLength: 100, pattern: slug }),
    column('title', 'text', false, { maxLength: 300 }),
    column('statement', 'text', false, { maxLength: 5000 }),
    column('resolutionCriteria', 'text', false, { maxLength: 5000 }),
    column('prior', 'number', false, PROBABILITY),
    column('priorLogOdds', 'number'),
    column('logOdds', 'number'),
    column('probability', 'number', false, DERIVED_PROBABILITY),
    column('status', STATUSES),
    column('deadline', 'date'),
    column('eventByDeadline', 'boolean'),
    column('auditSequence', 'int', false, { min: 0, max: maxInt }),
    column('auditHash', 'text', false, { pattern: hash }),
    column('revision', 'int', false, { min: 1, max: maxInt }),
    column('resolvedAt', 'date', true),
    column('outcomeOccurredAt', 'date', true),
    column('resolutionNote', 'text', true, { maxLength: 5000 }),
    column('resolutionSourceUrl', 'text', true, { maxLength: 2000 }),
    column('dueAt', 'date', true),
    column('createdAt', 'date'),
    column('updatedAt', 'date'),
  ],
  page: (db, after, take) => db.prediction.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.prediction.createMany({ data: rows as unknown as Prisma.PredictionCreateManyInput[] }),
};

const REVISIONS: ArchiveTable = {
  name: 'revisions',
  columns: [
    column('id', 'uuid'),
    column('predictionId', 'uuid'),
    column('revision', 'int', false, { min: 1, max: maxInt }),
    column('title', 'text', false, { maxLength: 300 }),
    column('statement', 'text', false, { maxLength: 5000 }),
    column('resolutionCriteria', 'text', false, { maxLength: 5000 }),
    column('editedBy', 'text', false, ACTOR),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.predictionRevision.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.predictionRevision.createMany({ data: rows as unknown as Prisma.PredictionRevisionCreateManyInput[] }),
};

const EVIDENCE: ArchiveTable = {
  name: 'evidence',
  columns: [
    column('id', 'uuid'),
    column('summary', 'text', false, { maxLength: 2000 }),
    column('sourceUrl', 'text', true, { maxLength: 2000 }),
    column('observedAt', 'date'),
    column('reliability', 'number', false, { min: 0, max: 1 }),
    column('actor', 'text', false, ACTOR),
    column('indicatorReadingId', 'uuid', true),
    column('signalItemId', 'uuid', true),
    column('retractedAt', 'date', true),
    column('retractionReason', 'text', true, { maxLength: 2000 }),
    column('retractedBy', 'text', true, ACTOR),
    column('createdAt', 'date'),
    // Exports from before stories have none: each evidence is then a story of its own, as the migration made it.
    column('storyId', 'uuid', true),
    column('namedStoryId', 'uuid', true),
    column('canonicalUrl', 'text', true, { maxLength: 4000 }),
    column('independenceReason', 'text', true, { maxLength: 2000 }),
  ],
  page: (db, after, take) => db.evidence.findMany(keysetPage(after, take)),
  insert: (tx, rows) =>
    tx.evidence.createMany({ data: rows.map((row) => ({ ...row, storyId: row.storyId ?? row.id })) as unknown as Prisma.EvidenceCreateManyInput[] }),
};

const IMPACTS: ArchiveTable = {
  name: 'impacts',
  columns: [
    column('id', 'uuid'),
    column('evidenceId', 'uuid'),
    column('predictionId', 'uuid'),
    column('likelihoodRatio', 'number', false, { min: 1 / 100, max: 100 }),
    column('reliability', 'number', false, { min: 0, max: 1 }),
    column('deltaLogOdds', 'number'),
    column('direction', DIRECTIONS, true),
    column('strength', STRENGTHS, true),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.evidenceImpact.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.evidenceImpact.createMany({ data: rows as unknown as Prisma.EvidenceImpactCreateManyInput[] }),
};

/** Derived from the evidence and the trail; an import checks it against them (#core verifyArchive, and `verifyStoriesAfterImport`). */
const STORY_IMPACTS: ArchiveTable = {
  name: 'storyImpacts',
  columns: [
    column('id', 'uuid'),
    column('storyId', 'uuid'),
    column('predictionId', 'uuid'),
    column('strongestEvidenceId', 'uuid', true),
    column('strongestDeltaLogOdds', 'number'),
    column('appliedDeltaLogOdds', 'number'),
    column('liveItems', 'int', false, { min: 0, max: maxInt }),
    column('createdAt', 'date'),
    column('updatedAt', 'date'),
  ],
  page: (db, after, take) => db.evidenceStoryImpact.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.evidenceStoryImpact.createMany({ data: rows as unknown as Prisma.EvidenceStoryImpactCreateManyInput[] }),
};

/** A story's standing on a prediction as the evidence and the trail imply it. */
interface DerivedStanding {
  storyId: string;
  predictionId: string;
  strongestEvidenceId: string | null;
  strongestDeltaLogOdds: number;
  appliedDeltaLogOdds: number;
  liveItems: number;
  createdAt: Date;
  updatedAt: Date;
}

const AUDIT_ENTRIES: ArchiveTable = {
  name: 'auditEntries',
  columns: [
    column('id', 'uuid'),
    column('predictionId', 'uuid'),
    column('sequence', 'int', false, SEQUENCE),
    column('kind', AUDIT_KINDS),
    column('evidenceId', 'uuid', true),
    column('logOddsBefore', 'number'),
    column('deltaLogOdds', 'number'),
    column('logOddsAfter', 'number'),
    column('probabilityBefore', 'number', false, DERIVED_PROBABILITY),
    column('probabilityAfter', 'number', false, DERIVED_PROBABILITY),
    column('actor', 'text', false, ACTOR),
    column('reason', 'text', true, { maxLength: 5000 }),
    column('detail', 'json', true),
    column('createdAt', 'date'),
    column('prevHash', 'text', false, { pattern: hash }),
    column('hash', 'text', false, { pattern: hash }),
  ],
  page: (db, after, take) => db.auditEntry.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.auditEntry.createMany({ data: rows as unknown as Prisma.AuditEntryCreateManyInput[] }),
};

/** What a signed head and a checkpoint both state: which chain, how far, its hash and when. */
const SIGNED_STATEMENT_COLUMNS = [
  column('id', 'uuid'),
  column('predictionId', 'uuid'),
  column('sequence', 'int', false, SEQUENCE),
  column('hash', 'text', false, { pattern: hash }),
  column('signedAt', 'date'),
];

/** Each head as it was signed when it moved. */
const CHAIN_HEADS: ArchiveTable = {
  name: 'chainHeads',
  columns: [
    ...SIGNED_STATEMENT_COLUMNS,
    column('keyId', 'text', false, { pattern: keyId }),
    column('signature', 'text', false, { maxLength: 200, pattern: base64 }),
  ],
  page: (db, after, take) => db.chainHeadSignature.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.chainHeadSignature.createMany({ data: rows as unknown as Prisma.ChainHeadSignatureCreateManyInput[] }),
};

const AUDIT_CHECKPOINTS: ArchiveTable = {
  name: 'auditCheckpoints',
  columns: [
    ...SIGNED_STATEMENT_COLUMNS,
    column('publicKey', 'text', false, { maxLength: 200, pattern: base64 }),
    column('signature', 'text', false, { maxLength: 200, pattern: base64 }),
  ],
  page: (db, after, take) => db.auditCheckpoint.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.auditCheckpoint.createMany({ data: rows as unknown as Prisma.AuditCheckpointCreateManyInput[] }),
};

/** The exporter's public keys: kept as imported keys (one the target already holds stays as it is). */
const AUDIT_KEYS: ArchiveTable = {
  name: 'auditKeys',
  columns: [
    column('id', 'text', false, { pattern: keyId }),
    column('publicKey', 'text', false, { maxLength: 200, pattern: base64 }),
    column('origin', KEY_ORIGINS),
    column('activatedAt', 'date'),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.auditSigningKey.findMany(keysetPage(after, take)),
  insert: (tx, rows) =>
    tx.auditSigningKey.createMany({ data: rows.map((row) => ({ ...row, origin: 'imported' })) as unknown as Prisma.AuditSigningKeyCreateManyInput[], skipDuplicates: true }),
};

const AUDIT_KEY_ENDORSEMENTS: ArchiveTable = {
  name: 'auditKeyEndorsements',
  columns: [
    column('id', 'uuid'),
    column('endorserKeyId', 'text', false, { pattern: keyId }),
    column('subjectKeyId', 'text', false, { pattern: keyId }),
    column('subjectPublicKey', 'text', false, { maxLength: 200, pattern: base64 }),
    column('relation', KEY_RELATIONS),
    column('at', 'date'),
    column('signature', 'text', false, { maxLength: 200, pattern: base64 }),
  ],
  page: (db, after, take) => db.auditKeyEndorsement.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.auditKeyEndorsement.createMany({ data: rows as unknown as Prisma.AuditKeyEndorsementCreateManyInput[], skipDuplicates: true }),
};

const FORECASTS: ArchiveTable = {
  name: 'forecasts',
  columns: [
    column('id', 'uuid'),
    column('predictionId', 'uuid'),
    column('forecaster', 'text', false, ACTOR),
    column('forecasterName', 'text', false, ACTOR),
    column('probability', 'number', false, PROBABILITY),
    column('note', 'text', true, { maxLength: 2000 }),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.forecast.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.forecast.createMany({ data: rows as unknown as Prisma.ForecastCreateManyInput[] }),
};

const TRACK_SCORES: ArchiveTable = {
  name: 'trackScores',
  columns: [
    column('id', 'uuid'),
    column('predictionId', 'uuid'),
    column('track', TRACKS),
    column('forecaster', 'text', false, ACTOR),
    column('forecasterName', 'text', false, ACTOR),
    column('outcome', 'int', false, { min: 0, max: 1 }),
    column('occurredAt', 'date'),
    column('probability', 'number', false, DERIVED_PROBABILITY),
    column('brier', 'number', false, { min: 0, max: 1 }),
    column('logScore', 'number', false, { max: 0 }),
    column('timeAveragedBrier', 'number', false, { min: 0, max: 1 }),
    column('afterTheFact', 'int', false, { min: 0, max: maxInt }),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.trackScore.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.trackScore.createMany({ data: rows as unknown as Prisma.TrackScoreCreateManyInput[] }),
};

/**
 * The predictions library's share of an export: its tables, lent to the export
 * as rows, and the checks an import makes before anything is written.
 */
@Injectable()
export class PredictionsArchiveService {
  /** Written before the indicators' tables: predictions and their text revisions. */
  readonly headTables: readonly ArchiveTable[] = [PREDICTIONS, REVISIONS];
  /**
   * Written after them (evidence may name an indicator reading): evidence, impacts, the audit trail, its
   * signed heads, checkpoints and signing keys, forecasts, kept scores.
   */
  readonly trailTables: readonly ArchiveTable[] = [
    EVIDENCE,
    IMPACTS,
    AUDIT_ENTRIES,
    STORY_IMPACTS,
    CHAIN_HEADS,
    AUDIT_CHECKPOINTS,
    AUDIT_KEYS,
    AUDIT_KEY_ENDORSEMENTS,
    FORECASTS,
    TRACK_SCORES,
  ];

  constructor(private readonly keys: AuditSigningKeyService) {}

  /**
   * After the import's rows are written, in its transaction: this deployment's
   * key endorses every key the export was signed with (checked against the keys
   * the importer trusts, or the export's own), so its own verification can
   * vouch for the imported heads as it does for its own.
   */
  async endorseImportedKeys(tx: PrismaTransaction, keys: readonly { keyId: string; publicKey: string }[], at = new Date()): Promise<void> {
    for (const key of keys) if (key.keyId !== this.keys.keyId) await this.keys.endorseImported(tx, key, at);
  }

  /**
   * Holds the import lock for the rest of the transaction, so two imports run
   * one after the other, and refuses (409) unless this library's tables are empty.
   */
  async lockEmptyForImport(tx: PrismaTransaction): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('bellwether:import'))`;
    const [predictions, forecasts] = await Promise.all([tx.prediction.count(), tx.forecast.count()]);
    if (predictions + forecasts > 0) {
      throw new DomainError(
        'conflict',
        'import-target-not-empty',
        `An import goes into an empty database; this one holds ${predictions} prediction(s) (start it with SEED=false to import)`,
      );
    }
  }

  /**
   * After the import's rows are written, in its transaction: every story's
   * standing on every prediction must be what the imported evidence and trail
   * imply (the item it counts, what it adds, its live items). Each evidence
   * or retraction entry records its story's contribution and counted item
   * after it; evidence from before stories is a story of its own. A standing
   * the export lacks (an export from before stories) is written; one that
   * differs refuses the import (400), naming it.
   */
  async verifyStoriesAfterImport(tx: PrismaTransaction): Promise<void> {
    const derived = await tx.$queryRaw<DerivedStanding[]>`
      WITH pair AS (
        SELECT evidence."storyId", impact."predictionId", count(*) FILTER (WHERE evidence."retractedAt" IS NULL)::int AS "liveItems",
               min(impact."createdAt") AS "createdAt", max(greatest(impact."createdAt", evidence."retractedAt")) AS "updatedAt"
          FROM "Evidence" AS evidence JOIN "EvidenceImpact" AS impact ON impact."evidenceId" = evidence."id"
         GROUP BY evidence."storyId", impact."predictionId"
      ), last AS (
        SELECT DISTINCT ON (evidence."storyId", entry."predictionId") evidence."storyId", entry."predictionId", entry."detail"->'story' AS "story",
               evidence."id" AS "evidenceId", evidence."retractedAt"
          FROM "AuditEntry" AS entry JOIN "Evidence" AS evidence ON evidence."id" = entry."evidenceId"
         WHERE entry."kind" IN ('evidence', 'retraction')
         ORDER BY evidence."storyId", entry."predictionId", entry."sequence" DESC
      ), standing AS (
        SELECT pair.*,
               CASE WHEN jsonb_typeof(last."story") = 'object' THEN (last."story"->>'counted')::uuid
                    WHEN last."retractedAt" IS NULL THEN last."evidenceId" END AS "strongestEvidenceId",
               CASE WHEN jsonb_typeof(last."story") = 'object' THEN (last."story"->>'after')::float8
                    WHEN last."retractedAt" IS NULL THEN own."deltaLogOdds" ELSE 0 END AS "appliedDeltaLogOdds"
          FROM pair
          LEFT JOIN last ON last."storyId" = pair."storyId" AND last."predictionId" = pair."predictionId"
          LEFT JOIN "EvidenceImpact" AS own ON own."evidenceId" = last."evidenceId" AND own."predictionId" = pair."predictionId"
      )
      SELECT standing."storyId"::text AS "storyId", standing."predictionId"::text AS "predictionId", standing."strongestEvidenceId"::text AS "strongestEvidenceId",
             coalesce(counted."deltaLogOdds", 0) AS "strongestDeltaLogOdds", coalesce(standing."appliedDeltaLogOdds", 0) AS "appliedDeltaLogOdds",
             standing."liveItems", standing."createdAt", standing."updatedAt"
        FROM standing
        LEFT JOIN "EvidenceImpact" AS counted ON counted."evidenceId" = standing."strongestEvidenceId" AND counted."predictionId" = standing."predictionId"`;
    const stored = await tx.evidenceStoryImpact.findMany();
    const key = (row: { storyId: string; predictionId: string }) => `${row.storyId}/${row.predictionId}`;
    const implied = new Map(derived.map((row) => [key(row), row]));
    for (const row of stored) {
      const expected = implied.get(key(row));
      const differs =
        !expected ||
        expected.strongestEvidenceId !== row.strongestEvidenceId ||
        expected.strongestDeltaLogOdds !== row.strongestDeltaLogOdds ||
        expected.appliedDeltaLogOdds !== row.appliedDeltaLogOdds ||
        expected.liveItems !== row.liveItems;
      if (differs) {
        throw new DomainError(
          'invalid',
          'import-inconsistent',
          `tables.storyImpacts: story ${row.storyId} on prediction ${row.predictionId} is not what the evidence and the audit trail imply; nothing was imported`,
          'tables.storyImpacts',
        );
      }
      implied.delete(key(row));
    }
    const missing = [...implied.values()];
    if (missing.length > 0) {
      await tx.evidenceStoryImpact.createMany({ data: missing.map((row) => ({ id: uuidV7(row.createdAt.getTime()), ...row })) });
    }
  }

  /**
   * Re-verifies every archived chain as `/v1/audit/verify` would the stored
   * ones (#core verifyArchivedChains): sequence, link to the previous hash, the
   * entry's own hash, the replay step, and the prediction's head. Entries may
   * come in any order. Returns every break, chains in prediction order.
   */
  verifyChains(predictions: readonly ArchiveRow[], entries: readonly ArchiveRow[]): ArchivedChainBreak[] {
    return verifyArchivedChains(
      predictions,
      // The insert's database null is null in the hashed content, as it is when read back.
      entries.map((entry) => (entry.detail === Prisma.DbNull ? { ...entry, detail: null } : entry)),
    );
  }
}
