import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { applyMigrations, MIGRATIONS_DIRECTORY, readMigrations } from '../migrations.js';
import { EMBEDDED_TEMPLATE, EMBEDDED_TEMPLATE_MANIFEST, startEmbeddedPostgres } from './embedded-postgres.js';

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
