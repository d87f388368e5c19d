import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PGlite } from '@electric-sql/pglite';

import { PGliteSocketServer } from './pglite-socket-server.js';

export interface EmbeddedPostgres {
  url: string;
  /** The data directory as a gzipped archive, as PGlite's `loadDataDir` takes it. */
  dumpDataDir(): Promise<Buffer>;
  close(): Promise<void>;
}

/** PostgreSQL clients find a server's Unix socket as `<host directory>/.s.PGSQL.<port>`. */
const SOCKET_PORT = 5432;

/**
 * A PGlite data directory initialised and migrated by the build (`writeEmbeddedTemplate`),
 * beside this file: a first start loads it instead of running initdb in WASM, which
 * takes several seconds. Its manifest names the PGlite version and the migrations in it.
 */
export const EMBEDDED_TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), 'pglite-template.tar.gz');
export const EMBEDDED_TEMPLATE_MANIFEST = `${EMBEDDED_TEMPLATE}.json`;

/** An empty or missing directory: nothing to open, so a template may be loaded into it. */
async function isEmptyDirectory(directory: string): Promise<boolean> {
  return !existsSync(directory) || (await readdir(directory)).length === 0;
}

/** A new PGlite under `directory`: from the build's template when there is one, else by initdb. */
async function createPGlite(directory: string): Promise<PGlite> {
  if (!(await isEmptyDirectory(directory)) || !existsSync(EMBEDDED_TEMPLATE)) return PGlite.create(directory);
  try {
    return await PGlite.create(directory, { loadDataDir: new Blob([await readFile(EMBEDDED_TEMPLATE)]) });
  } catch {
    // A template this PGlite cannot load: start from nothing, as without one.
    await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true });
    return PGlite.create(directory);
  }
}

/**
 * Opens the PGlite database under `<dataDir>/pglite` and serves it on a Unix
 * socket under `<dataDir>/socket` that only this user can open, so Prisma and
 * BullMQ talk to it as to any PostgreSQL server while no other local user or
 * network peer can (PGlite has no passwords). PGlite takes seconds to open:
 * open it once per process. A new directory starts from the build's template.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const directory = join(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  const db = await createPGlite(directory);
  // PGlite serves every connection from one session and ignores start-up options,
  // so BullMQ's `-c search_path=bullmq` never arrives: put its schema on the path here.
  await db.exec('CREATE SCHEMA IF NOT EXISTS bullmq; SET search_path TO public, bullmq;');
  const server = new PGliteSocketServer(db);
  const socketDirectory = resolve(dataDir, 'socket');
  await server.listenOnPath(join(socketDirectory, `.s.PGSQL.${SOCKET_PORT}`));
  return {
    url: `postgresql://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDirectory)}&sslmode=disable`,
    dumpDataDir: async () => Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer()),
    async close() {
      await server.close();
      await db.close();
    },
  };
}
