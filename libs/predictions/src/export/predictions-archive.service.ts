import { Injectable } from '@nestjs/common';

import { DomainError, GENESIS_HASH, hashAuditEntry } from '#core';
import { Prisma, type PrismaTransaction } from '#db';

import { auditEntryContent } from '../audit-trail.service.js';
import { keysetPage, type ArchiveColumn, type ArchiveRow, type ArchiveTable } from './archive-table.js';

const STATUSES = ['open', 'due', 'resolved_true', 'resolved_false', 'annulled'] as const;
const AUDIT_KINDS = ['prior', 'evidence', 'retraction', 'override', 'quiet_day', 'resolution', 'resolution_undone'] as const;
const TRACKS = ['model', 'team', 'analyst'] as const;

const column = (name: string, type: ArchiveColumn['type'], nullable = false): ArchiveColumn => ({ name, type, nullable });

const PREDICTIONS: ArchiveTable = {
  name: 'predictions',
  columns: [
    column('id', 'uuid'),
    column('slug', 'text'),
    column('title', 'text'),
    column('statement', 'text'),
    column('resolutionCriteria', 'text'),
    column('prior', 'number'),
    column('priorLogOdds', 'number'),
    column('logOdds', 'number'),
    column('probability', 'number'),
    column('status', STATUSES),
    column('deadline', 'date'),
    column('eventByDeadline', 'boolean'),
    column('auditSequence', 'int'),
    column('auditHash', 'text'),
    column('revision', 'int'),
    column('resolvedAt', 'date', true),
    column('outcomeOccurredAt', 'date', true),
    column('resolutionNote', 'text', true),
    column('resolutionSourceUrl', 'text', true),
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
    column('revision', 'int'),
    column('title', 'text'),
    column('statement', 'text'),
    column('resolutionCriteria', 'text'),
    column('editedBy', 'text'),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.predictionRevision.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.predictionRevision.createMany({ data: rows as unknown as Prisma.PredictionRevisionCreateManyInput[] }),
};

const EVIDENCE: ArchiveTable = {
  name: 'evidence',
  columns: [
    column('id', 'uuid'),
    column('summary', 'text'),
    column('sourceUrl', 'text', true),
    column('observedAt', 'date'),
    column('reliability', 'number'),
    column('actor', 'text'),
    column('indicatorReadingId', 'uuid', true),
    column('signalItemId', 'uuid', true),
    column('retractedAt', 'date', true),
    column('retractionReason', 'text', true),
    column('retractedBy', 'text', true),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.evidence.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.evidence.createMany({ data: rows as unknown as Prisma.EvidenceCreateManyInput[] }),
};

const IMPACTS: ArchiveTable = {
  name: 'impacts',
  columns: [
    column('id', 'uuid'),
    column('evidenceId', 'uuid'),
    column('predictionId', 'uuid'),
    column('likelihoodRatio', 'number'),
    column('reliability', 'number'),
    column('deltaLogOdds', 'number'),
    column('direction', 'text', true),
    column('strength', 'text', true),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.evidenceImpact.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.evidenceImpact.createMany({ data: rows as unknown as Prisma.EvidenceImpactCreateManyInput[] }),
};

const AUDIT_ENTRIES: ArchiveTable = {
  name: 'auditEntries',
  columns: [
    column('id', 'uuid'),
    column('predictionId', 'uuid'),
    column('sequence', 'int'),
    column('kind', AUDIT_KINDS),
    column('evidenceId', 'uuid', true),
    column('logOddsBefore', 'number'),
    column('deltaLogOdds', 'number'),
    column('logOddsAfter', 'number'),
    column('probabilityBefore', 'number'),
    column('probabilityAfter', 'number'),
    column('actor', 'text'),
    column('reason', 'text', true),
    column('detail', 'json', true),
    column('createdAt', 'date'),
    column('prevHash', 'text'),
    column('hash', 'text'),
  ],
  page: (db, after, take) => db.auditEntry.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.auditEntry.createMany({ data: rows as unknown as Prisma.AuditEntryCreateManyInput[] }),
};

const FORECASTS: ArchiveTable = {
  name: 'forecasts',
  columns: [
    column('id', 'uuid'),
    column('predictionId', 'uuid'),
    column('forecaster', 'text'),
    column('forecasterName', 'text'),
    column('probability', 'number'),
    column('note', 'text', true),
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
    column('forecaster', 'text'),
    column('forecasterName', 'text'),
    column('outcome', 'int'),
    column('occurredAt', 'date'),
    column('probability', 'number'),
    column('brier', 'number'),
    column('logScore', 'number'),
    column('timeAveragedBrier', 'number'),
    column('afterTheFact', 'int'),
    column('createdAt', 'date'),
  ],
  page: (db, after, take) => db.trackScore.findMany(keysetPage(after, take)),
  insert: (tx, rows) => tx.trackScore.createMany({ data: rows as unknown as Prisma.TrackScoreCreateManyInput[] }),
};

/** One entry of an archived chain that does not verify. */
export interface ArchivedChainBreak {
  predictionId: string;
  slug: string | null;
  sequence: number;
  reason: 'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch' | 'replay_mismatch' | 'head_mismatch' | 'unknown_prediction';
  /** Where it is in the document's `auditEntries`, or -1 for a head that does not match its chain. */
  index: number;
}

/**
 * The predictions library's share of an export: its tables, lent to the export
 * as rows, and the checks an import makes before anything is written.
 */
@Injectable()
export class PredictionsArchiveService {
  /** Written before the indicators' tables: predictions and their text revisions. */
  readonly headTables: readonly ArchiveTable[] = [PREDICTIONS, REVISIONS];
  /** Written after them (evidence may name an indicator reading): evidence, impacts, the audit trail, forecasts, kept scores. */
  readonly trailTables: readonly ArchiveTable[] = [EVIDENCE, IMPACTS, AUDIT_ENTRIES, FORECASTS, TRACK_SCORES];

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
   * Re-verifies every archived chain as `/v1/audit/verify` would the stored
   * ones: sequence, link to the previous hash, the entry's own hash, the replay
   * step, and the prediction's head (sequence, hash, log-odds). Entries may come
   * in any order. Returns every break, chains in prediction order.
   */
  verifyChains(predictions: readonly ArchiveRow[], entries: readonly ArchiveRow[]): ArchivedChainBreak[] {
    const heads = new Map(predictions.map((prediction) => [prediction.id as string, prediction]));
    const chains = new Map<string, { entry: ArchiveRow; index: number }[]>();
    const breaks: ArchivedChainBreak[] = [];
    entries.forEach((entry, index) => {
      const predictionId = entry.predictionId as string;
      if (!heads.has(predictionId)) {
        breaks.push({ predictionId, slug: null, sequence: entry.sequence as number, reason: 'unknown_prediction', index });
        return;
      }
      chains.set(predictionId, [...(chains.get(predictionId) ?? []), { entry, index }]);
    });
    for (const [predictionId, head] of [...heads].sort(([a], [b]) => a.localeCompare(b))) {
      const chain = (chains.get(predictionId) ?? []).sort((a, b) => (a.entry.sequence as number) - (b.entry.sequence as number));
      const slug = head.slug as string;
      let expectedSequence = 1;
      let prevHash = GENESIS_HASH;
      let logOdds = head.priorLogOdds as number;
      for (const { entry, index } of chain) {
        const at = (reason: ArchivedChainBreak['reason'], sequence = entry.sequence as number) => breaks.push({ predictionId, slug, sequence, reason, index });
        if (entry.sequence !== expectedSequence) at('sequence_gap', expectedSequence);
        else if (entry.prevHash !== prevHash) at('prev_hash_mismatch');
        else if (hashOf(prevHash, entry) !== entry.hash) at('hash_mismatch');
        else if (entry.logOddsBefore !== logOdds || entry.logOddsAfter !== logOdds + (entry.deltaLogOdds as number)) at('replay_mismatch');
        logOdds = entry.logOddsAfter as number;
        prevHash = entry.hash as string;
        expectedSequence = (entry.sequence as number) + 1;
      }
      if (expectedSequence - 1 !== head.auditSequence || prevHash !== head.auditHash || logOdds !== head.logOdds) {
        breaks.push({ predictionId, slug, sequence: expectedSequence, reason: 'head_mismatch', index: -1 });
      }
    }
    return breaks;
  }
}

function hashOf(prevHash: string, entry: ArchiveRow): string | null {
  const content = auditEntryContent({
    ...(entry as unknown as Parameters<typeof auditEntryContent>[0]),
    // The insert's database null is null in the hashed content, as it is when read back.
    detail: entry.detail === Prisma.DbNull ? null : entry.detail,
  });
  try {
    return hashAuditEntry(prevHash, content);
  } catch {
    // Content that cannot be canonicalised (a malformed previous hash) cannot be what was hashed.
    return null;
  }
}
