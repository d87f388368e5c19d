import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

/** The same key `prisma migrate` takes, so our runner and Prisma's never migrate at once. */
const MIGRATION_ADVISORY_LOCK = 72707369;
/** SQLSTATE of a query on a table that does not exist: a database never migrated. */
const UNDEFINED_TABLE = '42P01';

/** The folder holding `prisma/`, found from this file whether it runs from dist/ or from source. */
function projectRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'prisma', 'migrations'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('Cannot find prisma/migrations above ' + import.meta.url);
    directory = parent;
  }
  return directory;
}

export const MIGRATIONS_DIRECTORY = join(projectRoot(), 'prisma', 'migrations');

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(directory: string): Promise<MigrationFile[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(directory, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies the SQL migrations under `prisma/migrations` that the database has not
 * seen, each in its own transaction, and records them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does (same table, same checksum), so Prisma's
 * own tooling can take over wherever its schema engine is available.
 * Returns the names of the migrations it applied.
 */
export async function applyMigrations(databaseUrl: string, directory: string): Promise<string[]> {
  const migrations = await readMigrations(directory);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // The usual start: everything applied already, seen in one query with no lock taken.
  const upToDate = await allApplied(client, migrations).catch(async (error: unknown) => {
    await client.end();
    throw error;
  });
  if (upToDate) {
    await client.end();
    return [];
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_ADVISORY_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS public."_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
    const applied = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM public."_prisma_migrations"
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const appliedByName = new Map(applied.rows.map((row) => [row.migration_name, row.checksum]));
    const newlyApplied: string[] = [];
    for (const migration of migrations) {
      const checksum = appliedByName.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was changed after it was applied (checksum differs)`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        // PGlite shares one session between all connections, and BullMQ's schema is on its search_path.
        await client.query('SET LOCAL search_path TO public');
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO public."_prisma_migrations"
             (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      newlyApplied.push(migration.name);
    }
    return newlyApplied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/**
 * Whether every migration file is recorded as applied with its checksum, in one
 * query (false when the table does not exist yet). Anything else, a changed
 * file included, goes the locked way, which applies what is missing or says
 * what was changed.
 */
async function allApplied(client: pg.Client, migrations: readonly MigrationFile[]): Promise<boolean> {
  let applied: { migration_name: string; checksum: string }[];
  try {
    ({ rows: applied } = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM public."_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    ));
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return false;
    throw error;
  }
  const checksums = new Map(applied.map((row) => [row.migration_name, row.checksum]));
  return migrations.every((migration) => checksums.get(migration.name) === migration.checksum);
}
