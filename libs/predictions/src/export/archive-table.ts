import { DomainError, findUnstorableText, unstorableTextReason } from '#core';
import { Prisma, type PrismaTransaction } from '#db';

/** What an export holds, and what `POST /v1/import` accepts back: the format name and its version. */
export const ARCHIVE_FORMAT = 'bellwether-export';
export const ARCHIVE_VERSION = 1;

/** One column of an archived table, as the export writes it and the import checks it. */
export interface ArchiveColumn {
  name: string;
  type: 'uuid' | 'text' | 'number' | 'int' | 'date' | 'boolean' | 'json' | readonly string[];
  nullable?: boolean;
}

/** A row as the database gives it and as the import hands it back: column name to value. */
export type ArchiveRow = Record<string, unknown>;

/**
 * A table a library owns and lends to the export: its columns, a keyset page
 * reader in id order, and a bulk insert. The library keeps the Prisma models;
 * the export only sees rows.
 */
export interface ArchiveTable {
  /** The name in the export document and in `?table=` of the CSV export. */
  name: string;
  columns: readonly ArchiveColumn[];
  page(db: PrismaTransaction, after: string | null, take: number): Promise<ArchiveRow[]>;
  insert(tx: PrismaTransaction, rows: ArchiveRow[]): Promise<unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** ISO 8601 with an explicit offset, as the export writes them (`toISOString`). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The keyset query of one page in ascending id order. */
export function keysetPage(after: string | null, take: number): { where: { id?: { gt: string } }; orderBy: { id: 'asc' }; take: number } {
  return { where: after ? { id: { gt: after } } : {}, orderBy: { id: 'asc' }, take };
}

/** Only the declared columns, in their declared order. */
export function pickColumns(table: ArchiveTable, row: ArchiveRow): ArchiveRow {
  const picked: ArchiveRow = {};
  for (const column of table.columns) picked[column.name] = row[column.name] ?? null;
  return picked;
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid', 'import-invalid', `${field}: ${message}`, field);
}

/**
 * Checks one archived table's rows against its columns and turns them into
 * what the insert takes (timestamps as Dates, JSON null as the database's null).
 * A bad value is a 400 naming it, e.g. `tables.evidence[3].observedAt`.
 */
export function readArchiveRows(table: ArchiveTable, value: unknown, field: string): ArchiveRow[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(field, 'must be an array');
  return value.map((row: unknown, index) => {
    const rowField = `${field}[${index}]`;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw invalid(rowField, 'must be an object');
    const record = row as ArchiveRow;
    const known = new Set(table.columns.map((column) => column.name));
    const unknown = Object.keys(record).find((key) => !known.has(key));
    if (unknown !== undefined) throw invalid(`${rowField}.${unknown}`, 'is not a column of this table');
    const read: ArchiveRow = {};
    for (const column of table.columns) read[column.name] = readValue(column, record[column.name], `${rowField}.${column.name}`);
    if (typeof read.id !== 'string') throw invalid(`${rowField}.id`, 'is required');
    return read;
  });
}

function readValue(column: ArchiveColumn, value: unknown, field: string): unknown {
  if (value === null || value === undefined) {
    if (column.type === 'json') return Prisma.DbNull;
    if (column.nullable) return null;
    throw invalid(field, 'is required');
  }
  const { type } = column;
  if (Array.isArray(type)) {
    if (typeof value !== 'string' || !type.includes(value)) throw invalid(field, `must be one of ${type.join(', ')}`);
    return value;
  }
  switch (type) {
    case 'uuid':
      if (typeof value !== 'string' || !UUID.test(value)) throw invalid(field, 'must be a lowercase UUID');
      return value;
    case 'text': {
      if (typeof value !== 'string') throw invalid(field, 'must be a string');
      const reason = unstorableTextReason(value);
      if (reason) throw invalid(field, reason);
      return value;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'must be a finite number');
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, 'must be an integer');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
      return value;
    case 'date': {
      if (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) {
        throw invalid(field, 'must be an ISO 8601 timestamp with a UTC offset');
      }
      return new Date(value);
    }
    case 'json': {
      const problem = findUnstorableText(value, field);
      if (problem) throw new DomainError('invalid', 'import-invalid', problem.message, problem.field);
      return value;
    }
  }
  throw invalid(field, 'has an unknown column type');
}
