import { join, resolve } from 'node:path';

/** PostgreSQL clients find a server's Unix socket as `<host directory>/.s.PGSQL.<port>`. */
const SOCKET_PORT = 5432;

/** Where the embedded database of `dataDir` listens, and the URL clients reach it by: known before it opens. */
export function embeddedSocket(dataDir: string): { path: string; url: string } {
  const directory = resolve(dataDir, 'socket');
  return {
    path: join(directory, `.s.PGSQL.${SOCKET_PORT}`),
    url: `postgresql://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(directory)}&sslmode=disable`,
  };
}
