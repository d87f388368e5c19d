import { DomainError, findUnstorableText, unstorableTextReason } from '#core';
import { Prisma } from './generated/prisma/client.js';
import type { PrismaTransaction } from './prisma.service.js';

/** What an export holds, and what `POST /v1/import` accepts back: the format name and its version. */
export const ARCHIVE_FORMAT = 'bellwether-export';
/** 2: the signed heads, checkpoints, keys and their endorsements travel with the record. */
export const ARCHIVE_VERSION = 2;
/** Versions an import reads: 1 (before signed heads) is read as a record whose origin nothing proves. */
export const ARCHIVE_VERSIONS_READ: readonly number[] = [1, 2];

/** One column of an archived table, as the export writes it and the import checks it: as the API checks a request's field. */
export interface ArchiveColumn {
  name: string;
  type: 'uuid' | 'text' | 'number' | 'int' | 'date' | 'boolean' | 'json' | readonly string[];
  nullable?: boolean;
  /** The least and greatest value a number may take (inclusive). */
  min?: number;
  max?: number;
  /** Exclusive bounds, for a probability derived from log-odds: strictly inside (0, 1). */
  above?: number;
  below?: number;
  /** The longest text, in characters, as the API's `@Length`/`@MaxLength`. */
  maxLength?: number;
  /** A text's shape (slugs, hashes, key ids), with what it must look like. */
  pattern?: { test: RegExp; message: string };
}

/** Limits shared by column definitions. */
export const ARCHIVE_LIMITS = {
  /** A PostgreSQL integer column. */
  maxInt: 2_147_483_647,
  hash: { test: /^[0-9a-f]{64}$/, message: 'must be 64 lowercase hex characters' },
  keyId: { test: /^[0-9a-f]{32}$/, message: 'must be 32 lowercase hex characters' },
  base64: { test: /^[A-Za-z0-9+/]+={0,2}$/, message: 'must be base64' },
  slug: { test: /^[a-z0-9]+(?:-[a-z0-9]+)*$/, message: 'must be lower-case words joined by hyphens' },
} as const;

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
  /** Where the next page starts after `row`; default its `id`. */
  cursorOf?(row: ArchiveRow): string;
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
      if (column.maxLength !== undefined && value.length > column.maxLength) throw invalid(field, `must be at most ${column.maxLength} characters`);
      if (column.pattern && !column.pattern.test.test(value)) throw invalid(field, column.pattern.message);
      return value;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'must be a finite number');
      return inRange(column, value, field);
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, 'must be an integer');
      return inRange(column, value, field);
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

/** A number within its column's bounds, as the API's `@Min`/`@Max` would have it. */
function inRange(column: ArchiveColumn, value: number, field: string): number {
  if (column.min !== undefined && value < column.min) throw invalid(field, `must be at least ${column.min}`);
  if (column.max !== undefined && value > column.max) throw invalid(field, `must be at most ${column.max}`);
  if (column.above !== undefined && !(value > column.above)) throw invalid(field, `must be greater than ${column.above}`);
  if (column.below !== undefined && !(value < column.below)) throw invalid(field, `must be less than ${column.below}`);
  if (column.type === 'int' && column.min === undefined && column.max === undefined && Math.abs(value) > ARCHIVE_LIMITS.maxInt) {
    throw invalid(field, `must be at most ${ARCHIVE_LIMITS.maxInt} in magnitude`);
  }
  return value;
}
