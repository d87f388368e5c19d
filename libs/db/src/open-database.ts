import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { AppConfig } from '#config';

import { claimDataDir } from './data-dir-claim.js';
import { DatabaseConnection } from './database-connection.js';
import { EMBEDDED_TEMPLATE, EMBEDDED_TEMPLATE_MANIFEST, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { startEmbeddedPostgresThread } from './embedded-postgres-thread.js';
import { applyMigrations, readMigrations } from './migrations.js';

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
 * DATABASE_URL is unset, on a thread of its own, once this process has claimed
 * DATA_DIR) and brings its schema up to date.
 */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  if (config.DATABASE_URL) {
    await applyMigrations(config.DATABASE_URL, MIGRATIONS_DIRECTORY);
    return { connection: new DatabaseConnection(config.DATABASE_URL, 'postgres'), close: () => Promise.resolve() };
  }
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

/**
 * The build's step for the embedded mode's first start: a PGlite data directory with
 * every migration applied, beside embedded-postgres.js, so a new DATA_DIR is copied
 * from it instead of running initdb. Skipped when the template already holds these
 * migrations for this PGlite version. Returns whether it wrote one.
 */
export async function writeEmbeddedTemplate(): Promise<boolean> {
  // The package does not export its package.json: find it from its entry point.
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pgliteVersion = (JSON.parse(await readFile(join(dirname(pgliteEntry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const migrations = (await readMigrations(MIGRATIONS_DIRECTORY)).map((migration) => `${migration.name} ${migration.checksum}`);
  const manifest = JSON.stringify({ pgliteVersion, migrations });
  const existing = existsSync(EMBEDDED_TEMPLATE) ? await readFile(EMBEDDED_TEMPLATE_MANIFEST, 'utf8').catch(() => null) : null;
  if (existing === manifest) return false;
  // The manifest goes last: a build stopped half way leaves no template a start would copy.
  await rm(EMBEDDED_TEMPLATE_MANIFEST, { force: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'bellwether-template-'));
  try {
    const embedded = await startEmbeddedPostgres(dataDir);
    try {
      await applyMigrations(embedded.url, MIGRATIONS_DIRECTORY);
    } finally {
      await embedded.close();
    }
    await rm(EMBEDDED_TEMPLATE, { recursive: true, force: true });
    await cp(join(dataDir, 'pglite'), EMBEDDED_TEMPLATE, { recursive: true });
    await writeFile(EMBEDDED_TEMPLATE_MANIFEST, manifest);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  return true;
}
