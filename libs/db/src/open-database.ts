import type { AppConfig } from '#config';

import { claimDataDir } from './embedded/data-dir-claim.js';
import { DatabaseConnection } from './database-connection.js';
import { type EmbeddedPostgres } from './embedded/embedded-postgres.js';
import { startEmbeddedPostgresThread } from './embedded/embedded-postgres-thread.js';
import { applyMigrations, MIGRATIONS_DIRECTORY } from './migrations.js';

export interface OpenDatabase {
  connection: DatabaseConnection;
  close(): Promise<void>;
}

/**
 * Opens the configured database (PostgreSQL, or the embedded PGlite when
 * DATABASE_URL is unset, on a thread of its own, once this process has claimed
 * DATA_DIR, with a umask that keeps what it writes from other local users) and
 * brings its schema up to date.
 */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  if (config.DATABASE_URL) {
    await applyMigrations(config.DATABASE_URL, MIGRATIONS_DIRECTORY);
    return { connection: new DatabaseConnection(config.DATABASE_URL, 'postgres'), close: () => Promise.resolve() };
  }
  // What the embedded database writes (its WAL, pg_control, the catalogs) is this user's alone: files 0600, directories
  // 0700. Set here, on the main thread, before the database's thread starts: a worker thread cannot set the umask.
  process.umask(0o077);
  const release = await claimDataDir(config.DATA_DIR);
  let embedded: EmbeddedPostgres | undefined;
  try {
    embedded = await startEmbeddedPostgresThread(config.DATA_DIR);
    await applyMigrations(embedded.url, MIGRATIONS_DIRECTORY);
  } catch (error) {
    await embedded?.close();
    await release();
    throw error;
  }
  const opened = embedded;
  return {
    connection: new DatabaseConnection(opened.url, 'pglite'),
    async close() {
      await opened.close();
      await release();
    },
  };
}
