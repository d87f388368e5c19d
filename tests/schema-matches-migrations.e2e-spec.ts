import { join } from 'node:path';

import pg from 'pg';

import { MIGRATIONS_DIRECTORY, readMigrations } from '#db';
import { readPrismaSchema, type PrismaSchemaSummary, type SchemaField } from '#test/prisma-schema-reader.js';
import { createTestDatabase, type TestDatabase } from '#test/test-database.js';

/** What information_schema reports for each Prisma scalar type (native type first). */
function expectedDataType(field: SchemaField, enums: PrismaSchemaSummary['enums']): { dataType: string; udt: string } {
  if (field.list) return { dataType: 'ARRAY', udt: `_${expectedDataType({ ...field, list: false }, enums).udt}` };
  if (enums.has(field.type)) return { dataType: 'USER-DEFINED', udt: field.type };
  if (field.nativeType === 'Uuid') return { dataType: 'uuid', udt: 'uuid' };
  if (field.type === 'Unsupported') return { dataType: field.nativeType!, udt: field.nativeType! };
  switch (field.type) {
    case 'String':
      return { dataType: 'text', udt: 'text' };
    case 'Int':
      return { dataType: 'integer', udt: 'int4' };
    case 'BigInt':
      return { dataType: 'bigint', udt: 'int8' };
    case 'Float':
      return { dataType: 'double precision', udt: 'float8' };
    case 'Boolean':
      return { dataType: 'boolean', udt: 'bool' };
    case 'DateTime':
      return { dataType: 'timestamp without time zone', udt: 'timestamp' };
    case 'Json':
      return { dataType: 'jsonb', udt: 'jsonb' };
    default:
      throw new Error(`No mapping for Prisma type ${field.type}`);
  }
}

describe('the migrated database matches prisma/schema.prisma', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let schema: PrismaSchemaSummary;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    schema = await readPrismaSchema(join(MIGRATIONS_DIRECTORY, '..', 'schema.prisma'));
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('records every migration in _prisma_migrations with its checksum, as Prisma does', async () => {
    const files = await readMigrations(MIGRATIONS_DIRECTORY);
    const rows = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.rows.map((row) => [row.migration_name, row.checksum])).toEqual(files.map((file) => [file.name, file.checksum]));
    expect(rows.rows.every((row) => row.finished_at !== null)).toBe(true);
  });

  it('has a table for every model and a model for every table', async () => {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    expect(tables.rows.map((row) => row.table_name).sort()).toEqual(schema.models.map((model) => model.table).sort());
  });

  it('has every column with a compatible type and nullability, and no column the schema lacks', async () => {
    const columns = await client.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const problems: string[] = [];
    for (const model of schema.models) {
      const actual = columns.rows.filter((row) => row.table_name === model.table);
      for (const field of model.fields) {
        const column = actual.find((row) => row.column_name === field.column);
        if (!column) {
          problems.push(`${model.table}.${field.column} is missing`);
          continue;
        }
        const expected = expectedDataType(field, schema.enums);
        if (column.data_type !== expected.dataType || column.udt_name !== expected.udt) {
          problems.push(`${model.table}.${field.column} is ${column.data_type}/${column.udt_name}, expected ${expected.dataType}/${expected.udt}`);
        }
        // Prisma creates list columns without NOT NULL; scalars follow the `?`.
        if (!field.list && (column.is_nullable === 'YES') !== field.optional) {
          problems.push(`${model.table}.${field.column} nullable=${column.is_nullable}, schema optional=${field.optional}`);
        }
      }
      for (const column of actual) {
        if (!model.fields.some((field) => field.column === column.column_name)) problems.push(`${model.table}.${column.column_name} is not in the schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has every enum with the same values', async () => {
    const labels = await client.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
         JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
        GROUP BY t.typname`,
    );
    expect(Object.fromEntries(labels.rows.map((row) => [row.typname, row.labels]))).toEqual(Object.fromEntries(schema.enums));
  });

  it('has a unique index for every @unique/@@unique/@id and an index for every @@index', async () => {
    const indexes = await client.query<{ table_name: string; columns: string[]; is_unique: boolean }>(
      `SELECT t.relname AS table_name, ix.indisunique AS is_unique,
              array_agg(a.attname ORDER BY k.ordinality)::text[] AS columns
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
         JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ordinality) ON true
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        GROUP BY t.relname, ix.indexrelid, ix.indisunique`,
    );
    const has = (table: string, columns: string[], unique: boolean) =>
      indexes.rows.some((row) => row.table_name === table && (!unique || row.is_unique) && row.columns.join(',') === columns.join(','));
    const problems: string[] = [];
    for (const model of schema.models) {
      const column = (name: string) => model.fields.find((field) => field.name === name)?.column ?? name;
      for (const unique of model.uniques) if (!has(model.table, unique.map(column), true)) problems.push(`${model.table}: no unique index on (${unique})`);
      for (const index of model.indexes) if (!has(model.table, index.map(column), false)) problems.push(`${model.table}: no index on (${index})`);
    }
    expect(problems).toEqual([]);
  });

  it('applies nothing the second time', async () => {
    const { applyMigrations } = await import('#db');
    expect(await applyMigrations(database.url, MIGRATIONS_DIRECTORY)).toEqual([]);
  });
});
