import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PGliteSocketServer } from './pglite-socket-server.js';

export interface EmbeddedPostgres {
  url: string;
  close(): Promise<void>;
}

/** PostgreSQL clients find a server's Unix socket as `<host directory>/.s.PGSQL.<port>`. */
const SOCKET_PORT = 5432;

/**
 * Opens the PGlite database under `<dataDir>/pglite` and serves it on a Unix
 * socket under `<dataDir>/socket` that only this user can open, so Prisma and
 * BullMQ talk to it as to any PostgreSQL server while no other local user or
 * network peer can (PGlite has no passwords). PGlite takes seconds to open:
 * open it once per process.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const directory = join(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  const db = await PGlite.create(directory);
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
