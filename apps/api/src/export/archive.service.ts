import { Injectable } from '@nestjs/common';

import { DomainError } from '#core';
import { Prisma, PrismaService, type PrismaTransaction } from '#db';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  PredictionsArchiveService,
  pickColumns,
  readArchiveRows,
  type ArchivedChainBreak,
  type ArchiveRow,
  type ArchiveTable,
} from '#predictions';
import { IndicatorsArchiveService } from '#signals';

import { csvLine } from './csv-line.js';

/** Writes one chunk of the export and resolves when the receiver can take more. */
export type ArchiveSink = (chunk: string) => Promise<void>;

export interface ImportSummary {
  /** Rows written per table. */
  tables: Record<string, number>;
  chains: number;
  entries: number;
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
   * Loads an export into an empty database in one transaction: every row is
   * checked against its column, every audit chain is re-verified before anything
   * is written (a tampered export is refused naming the entry), and rows that
   * refer to something the export lacks roll the whole import back.
   */
  async import(document: unknown): Promise<ImportSummary> {
    const tables = this.read(document);
    const predictions = tables.get('predictions')!;
    const entries = tables.get('auditEntries')!;
    const breaks = this.predictionsArchive.verifyChains(predictions, entries);
    if (breaks.length > 0) throw chainBroken(breaks, predictions);
    await this.prisma.$transaction(async (tx) => {
      await this.predictionsArchive.lockEmptyForImport(tx);
      await this.indicatorsArchive.assertEmptyForImport(tx);
      for (const table of this.tables) await insertAll(tx, table, tables.get(table.name)!);
    }, IMPORT_TRANSACTION);
    return {
      tables: Object.fromEntries([...tables].map(([name, rows]) => [name, rows.length])),
      chains: predictions.length,
      entries: entries.length,
    };
  }

  private read(document: unknown): Map<string, ArchiveRow[]> {
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new DomainError('invalid', 'import-invalid', 'The body must be an export document (a JSON object)', 'body');
    }
    const { format, version, tables } = document as { format?: unknown; version?: unknown; tables?: unknown };
    if (format !== ARCHIVE_FORMAT) throw new DomainError('invalid', 'import-invalid', `format must be "${ARCHIVE_FORMAT}"`, 'format');
    if (version !== ARCHIVE_VERSION) throw new DomainError('invalid', 'import-invalid', `version ${String(version)} is not one this server reads (it reads ${ARCHIVE_VERSION})`, 'version');
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
    after = rows.at(-1)!.id as string;
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
