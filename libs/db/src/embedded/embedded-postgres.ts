import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

import { PGlite } from '@electric-sql/pglite';

import { PGliteSocketServer } from './pglite-socket-server.js';

export interface EmbeddedPostgres {
  url: string;
  close(): Promise<void>;
}

/** PostgreSQL clients find a server's Unix socket as `<host directory>/.s.PGSQL.<port>`. */
const SOCKET_PORT = 5432;

/**
 * A PGlite data directory initialised and migrated by the build (`writeEmbeddedTemplate`),
 * beside this file: a first start copies it instead of running initdb in WASM, which
 * takes several seconds (and instead of PGlite unpacking an archive of it, which took
 * about a second more than the copy). Its manifest names the PGlite version and the migrations in it.
 */
export const EMBEDDED_TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), 'pglite-template');
export const EMBEDDED_TEMPLATE_MANIFEST = `${EMBEDDED_TEMPLATE}.json`;

/**
 * Settings for a database that serves one installation from inside its own
 * process. PostgreSQL's default 128 MB buffer cache added about 70 MB to the
 * process at start; the files it caches stay in the OS page cache anyway.
 */
const EMBEDDED_SETTINGS = ['shared_buffers = 16MB'];

/**
 * V8 compiles PostgreSQL's WebAssembly twice by default: quickly (Liftoff), then
 * again optimised (TurboFan) in the background. The second copy cost about 50 MB
 * and, on two cores, CPU the first requests needed; measured on this workload,
 * statements ran no slower without it. Set before PGlite compiles its module;
 * it touches only WebAssembly, and only this process runs PGlite.
 */
function compileWebAssemblyOnce(): void {
  v8.setFlagsFromString('--liftoff-only');
}

/** The data directory is this user's alone: PGlite has no passwords, so file modes are what keep other local users out. */
const PRIVATE_DIRECTORY = 0o700;
const PRIVATE_FILE = 0o600;

/** Runs `work` over `items` with up to 16 in flight. */
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const take = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: 16 }, take));
}

/**
 * Copies a directory tree with many copies in flight: `fs.cp` copies one file
 * at a time and needs the main thread between files, so while modules load
 * the template's thousand files took over a second. Every copy is made
 * private (directories 0700, files 0600), whatever the template's modes.
 */
async function copyTree(from: string, to: string): Promise<void> {
  const entries = await readdir(from, { recursive: true, withFileTypes: true });
  const relative = (entry: (typeof entries)[number]) => join(entry.parentPath, entry.name).slice(from.length + 1);
  await chmod(to, PRIVATE_DIRECTORY);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    await mkdir(join(to, relative(entry)), { recursive: true, mode: PRIVATE_DIRECTORY });
    await chmod(join(to, relative(entry)), PRIVATE_DIRECTORY);
  }
  const files = entries.filter((entry) => entry.isFile()).map(relative);
  await inParallel(files, async (file) => {
    await copyFile(join(from, file), join(to, file));
    await chmod(join(to, file), PRIVATE_FILE);
  });
}

/**
 * Takes group and other permissions off a data directory that has them (one
 * copied from the template before copies were made private, or written under a
 * wide umask): directories 0700, files 0600.
 */
export async function makeTreePrivate(directory: string): Promise<void> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  await inParallel([{ path: directory, directory: true }, ...entries.map((entry) => ({ path: join(entry.parentPath, entry.name), directory: entry.isDirectory() }))], async (item) => {
    const mode = (await stat(item.path)).mode & 0o777;
    const wanted = item.directory ? PRIVATE_DIRECTORY : PRIVATE_FILE;
    if ((mode & 0o077) !== 0) await chmod(item.path, wanted);
  });
}

/** An empty or missing directory: nothing to open, so a template may be loaded into it. */
async function isEmptyDirectory(directory: string): Promise<boolean> {
  return !existsSync(directory) || (await readdir(directory)).length === 0;
}

/** A new PGlite under `directory`: from a copy of the build's template when there is one, else by initdb. */
async function createPGlite(directory: string): Promise<PGlite> {
  compileWebAssemblyOnce();
  const options = { postgresqlconf: EMBEDDED_SETTINGS };
  if (!(await isEmptyDirectory(directory)) || !existsSync(EMBEDDED_TEMPLATE_MANIFEST)) return PGlite.create(directory, options);
  try {
    await copyTree(EMBEDDED_TEMPLATE, directory);
    return await PGlite.create(directory, options);
  } catch {
    // A template this PGlite cannot open: start from nothing, as without one.
    await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true });
    return PGlite.create(directory, options);
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
  await mkdir(directory, { recursive: true, mode: PRIVATE_DIRECTORY });
  const db = await createPGlite(directory);
  await makeTreePrivate(directory);
  // PGlite serves every connection from one session and ignores start-up options,
  // so BullMQ's `-c search_path=bullmq` never arrives: put its schema on the path here.
  await db.exec('CREATE SCHEMA IF NOT EXISTS bullmq; SET search_path TO public, bullmq;');
  const server = new PGliteSocketServer(db);
  const socketDirectory = resolve(dataDir, 'socket');
  await server.listenOnPath(join(socketDirectory, `.s.PGSQL.${SOCKET_PORT}`));
  return {
    url: `postgresql://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDirectory)}&sslmode=disable`,
    async close() {
      await server.close();
      await db.close();
    },
  };
}
