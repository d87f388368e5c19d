import { Injectable } from '@nestjs/common';

import { archiveProblemField, describeArchiveVerification, DomainError, readPublicKey, verifyArchive, type ArchiveTrust } from '#core';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ARCHIVE_VERSIONS_READ,
  pickColumns,
  Prisma,
  PrismaService,
  readArchiveRows,
  type ArchiveRow,
  type ArchiveTable,
  type PrismaTransaction,
} from '#db';
import { PredictionsArchiveService, type ArchivedChainBreak } from '#predictions';
import { IndicatorsArchiveService } from '#signals';

import { csvLine } from './csv-line.js';

/** Writes one chunk of the export and resolves when the receiver can take more. */
export type ArchiveSink = (chunk: string) => Promise<void>;

export interface ImportSummary {
  /** Rows written per table. */
  tables: Record<string, number>;
  chains: number;
  entries: number;
  /** How the signatures were checked, and what that proves. */
  signatures: {
    trust: ArchiveTrust;
    signedHeads: number;
    checkpoints: number;
    /** The export's keys, and whether the keys you trust (or the export's own) vouch for each. */
    keys: { keyId: string; publicKey: string; trusted: boolean }[];
    /** What the verification proved, in plain words. */
    proved: string[];
  };
}

const PAGE = 1000;
/** A consistent snapshot for the whole export, however long the receiver takes to read it. */
const EXPORT_TRANSACTION = { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, maxWait: 20_000, timeout: 30 * 60_000 } as const;
const IMPORT_TRANSACTION = { maxWait: 20_000, timeout: 10 * 60_000 } as const;

/**
 * Export and import of the record: predictions, revisions, indicators and their
 * links and readings, evidence, impacts, the audit trail, forecasts and kept
 * scores. Each library lends its own tables (`PredictionsArchiveService`,
 * `IndicatorsArchiveService`); this service orders them, streams them out page
 * by page from one snapshot, and writes an import in one transaction after
 * re-verifying every audit chain.
 */
@Injectable()
export class ArchiveService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly predictionsArchive: PredictionsArchiveService,
    private readonly indicatorsArchive: IndicatorsArchiveService,
  ) {}

  /** Every table in the order an import writes them (each only refers to earlier ones). */
  get tables(): readonly ArchiveTable[] {
    return [...this.predictionsArchive.headTables, ...this.indicatorsArchive.tables, ...this.predictionsArchive.trailTables];
  }

  tableNames(): string[] {
    return this.tables.map((table) => table.name);
  }

  /** The whole export as one JSON document, written a page at a time. */
  async writeJson(sink: ArchiveSink): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await sink(`{"format":${JSON.stringify(ARCHIVE_FORMAT)},"version":${ARCHIVE_VERSION},"exportedAt":${JSON.stringify(new Date().toISOString())},"tables":{`);
      let firstTable = true;
      for (const table of this.tables) {
        await sink(`${firstTable ? '' : ','}\n${JSON.stringify(table.name)}:[`);
        firstTable = false;
        let firstRow = true;
        for await (const rows of pages(tx, table)) {
          await sink(`${firstRow ? '' : ','}\n${rows.map((row) => JSON.stringify(pickColumns(table, row))).join(',\n')}`);
          firstRow = false;
        }
        await sink(']');
      }
      await sink('\n}}\n');
    }, EXPORT_TRANSACTION);
  }

  /** One table as CSV (RFC 4180), a header line then one line per row. */
  async writeCsv(tableName: string, sink: ArchiveSink): Promise<void> {
    const table = this.tables.find((candidate) => candidate.name === tableName);
    if (!table) throw new DomainError('invalid', 'validation-failed', `table must be one of ${this.tableNames().join(', ')}`, 'table');
    await this.prisma.$transaction(async (tx) => {
      await sink(csvLine(table.columns.map((column) => column.name)));
      for await (const rows of pages(tx, table)) {
        await sink(rows.map((row) => csvLine(table.columns.map((column) => row[column.name] ?? null), table.columns)).join(''));
      }
    }, EXPORT_TRANSACTION);
  }

  /**
   * Loads an export into an empty database in one transaction. Before anything
   * is written: every row is checked against its column as the API checks a
   * request, every audit chain is re-verified (a tampered export is refused
   * naming the entry), every signature is checked against the keys the importer
   * names as trusted (else the export's own, which proves consistency, not
   * origin), and every derived value is recomputed (#core verifyArchive); the
   * first that does not hold refuses the import, naming its table, row and
   * field. Rows that refer to something the export lacks roll it all back. The
   * signed heads, checkpoints and keys are kept, and this deployment's key
   * endorses the export's keys.
   */
  async import(document: unknown, trustedKeys: readonly string[] = []): Promise<ImportSummary> {
    trustedKeys.forEach((key, index) => {
      if (!readPublicKey(key)) throw new DomainError('invalid', 'validation-failed', `trustedKey[${index}] is not an Ed25519 public key (base64 SPKI DER)`, `trustedKey[${index}]`);
    });
    const tables = this.read(document);
    const predictions = tables.get('predictions')!;
    const entries = tables.get('auditEntries')!;
    const breaks = this.predictionsArchive.verifyChains(predictions, entries);
    if (breaks.length > 0) throw chainBroken(breaks, predictions);
    const verification = verifyArchive((document as { tables: Record<string, unknown> }).tables, { trustedKeys });
    const problem = verification.problems[0];
    if (problem) {
      const code = /signature|untrusted|unsigned|key_/.test(problem.reason) ? 'import-signature-invalid' : 'import-inconsistent';
      const more = verification.problems.length > 1 ? `; ${verification.problems.length - 1} more problem(s) follow` : '';
      throw new DomainError('invalid', code, `${archiveProblemField(problem)}: ${problem.message} (${problem.reason})${more}; nothing was imported`, archiveProblemField(problem));
    }
    await this.prisma.$transaction(async (tx) => {
      await this.predictionsArchive.lockEmptyForImport(tx);
      await this.indicatorsArchive.assertEmptyForImport(tx);
      for (const table of this.tables) await insertAll(tx, table, tables.get(table.name)!);
      await this.predictionsArchive.verifyStoriesAfterImport(tx);
      await this.predictionsArchive.endorseImportedKeys(tx, verification.keys.filter((key) => key.trusted));
    }, IMPORT_TRANSACTION);
    return {
      tables: Object.fromEntries([...tables].map(([name, rows]) => [name, rows.length])),
      chains: predictions.length,
      entries: entries.length,
      signatures: {
        trust: verification.trust,
        signedHeads: verification.signedHeads,
        checkpoints: verification.checkpoints,
        keys: verification.keys,
        proved: describeArchiveVerification(verification),
      },
    };
  }

  private read(document: unknown): Map<string, ArchiveRow[]> {
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new DomainError('invalid', 'import-invalid', 'The body must be an export document (a JSON object)', 'body');
    }
    const { format, version, tables } = document as { format?: unknown; version?: unknown; tables?: unknown };
    if (format !== ARCHIVE_FORMAT) throw new DomainError('invalid', 'import-invalid', `format must be "${ARCHIVE_FORMAT}"`, 'format');
    if (!ARCHIVE_VERSIONS_READ.includes(version as number)) {
      throw new DomainError('invalid', 'import-invalid', `version ${String(version)} is not one this server reads (it reads ${ARCHIVE_VERSIONS_READ.join(' and ')})`, 'version');
    }
    if (typeof tables !== 'object' || tables === null || Array.isArray(tables)) {
      throw new DomainError('invalid', 'import-invalid', 'tables must be an object of table name to rows', 'tables');
    }
    const names = this.tableNames();
    const unknown = Object.keys(tables).find((name) => !names.includes(name));
    if (unknown !== undefined) throw new DomainError('invalid', 'import-invalid', `tables.${unknown} is not a table this server imports`, `tables.${unknown}`);
    const record = tables as Record<string, unknown>;
    return new Map(this.tables.map((table) => [table.name, readArchiveRows(table, record[table.name], `tables.${table.name}`)]));
  }
}

async function* pages(tx: PrismaTransaction, table: ArchiveTable): AsyncGenerator<ArchiveRow[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await table.page(tx, after, PAGE);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    const last = rows.at(-1)!;
    after = table.cursorOf ? table.cursorOf(last) : (last.id as string);
  }
}

async function insertAll(tx: PrismaTransaction, table: ArchiveTable, rows: ArchiveRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += PAGE) {
    try {
      await table.insert(tx, rows.slice(start, start + PAGE));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2002' || error.code === 'P2003')) {
        const what = error.code === 'P2002' ? 'repeats a row (a duplicate id or unique value)' : 'refers to a row the export does not hold';
        throw new DomainError('invalid', 'import-inconsistent', `tables.${table.name} ${what}; nothing was imported`, `tables.${table.name}`);
      }
      throw error;
    }
  }
}

function chainBroken(breaks: readonly ArchivedChainBreak[], predictions: readonly ArchiveRow[]): DomainError {
  const first = breaks[0]!;
  const where = first.slug ? `prediction ${first.predictionId} (${first.slug})` : `prediction ${first.predictionId}, which the export does not hold`;
  const more = breaks.length > 1 ? `; ${breaks.length - 1} more break(s) follow` : '';
  const field =
    first.index >= 0 ? `tables.auditEntries[${first.index}]` : `tables.predictions[${predictions.findIndex((prediction) => prediction.id === first.predictionId)}]`;
  return new DomainError(
    'invalid',
    'import-audit-chain-broken',
    `The audit trail does not verify at entry ${first.sequence} of ${where}: ${first.reason}${more}; nothing was imported`,
    field,
  );
}
