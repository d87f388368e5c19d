import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PGliteSocketServer } from './pglite-socket-server.js';

export interface EmbeddedPostgres {
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the PGlite database under `<dataDir>/pglite` and serves it on a loopback
 * socket, so Prisma and BullMQ talk to it as to any PostgreSQL server. PGlite
 * takes seconds to open: open it once per process.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const directory = join(dataDir, 'pglite');
  await mkdir(directory, { recursive: true });
  const db = await PGlite.create(directory);
  // PGlite serves every connection from one session and ignores start-up options,
  // so BullMQ's `-c search_path=bullmq` never arrives: put its schema on the path here.
  await db.exec('CREATE SCHEMA IF NOT EXISTS bullmq; SET search_path TO public, bullmq;');
  const server = new PGliteSocketServer(db);
  const port = await server.listen('127.0.0.1');
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async close() {
      await server.close();
      await db.close();
    },
  };
}
