import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { AppConfig } from '#config';

import { DatabaseConnection } from './database-connection.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { applyMigrations } from './migrations.js';

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

export interface OpenDatabase {
  connection: DatabaseConnection;
  close(): Promise<void>;
}

/**
 * Opens the configured database (PostgreSQL, or the embedded PGlite when
 * DATABASE_URL is unset) and brings its schema up to date.
 */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  if (config.DATABASE_URL) {
    await applyMigrations(config.DATABASE_URL, MIGRATIONS_DIRECTORY);
    return { connection: new DatabaseConnection(config.DATABASE_URL, 'postgres'), close: () => Promise.resolve() };
  }
  const embedded = await startEmbeddedPostgres(config.DATA_DIR);
  try {
    await applyMigrations(embedded.url, MIGRATIONS_DIRECTORY);
  } catch (error) {
    await embedded.close();
    throw error;
  }
  return { connection: new DatabaseConnection(embedded.url, 'pglite'), close: () => embedded.close() };
}
