import { Worker } from 'node:worker_threads';

import { embeddedSocket } from './embedded-socket.js';

export interface EmbeddedPostgresThread {
  /** Where clients connect: known at once, reachable once `opened` settles. */
  url: string;
  opened: Promise<void>;
  close(): Promise<void>;
}

/**
 * `startEmbeddedPostgres` on a thread of its own, which is how the embedded mode
 * runs it. PGlite's PostgreSQL is WebAssembly on whichever thread opened it: on
 * the main thread, its start (a second or more) and every statement it runs
 * would take turns with the application's module loading and requests. On its
 * own thread the two overlap, on the second core; clients reach it through the
 * same socket as before. The process ends if the thread fails after it opened,
 * as it would if a PostgreSQL server it depends on went away.
 */
export function startEmbeddedPostgresThread(dataDir: string): EmbeddedPostgresThread {
  const thread = new Worker(new URL('./embedded-postgres-thread-entry.js', import.meta.url), { workerData: { dataDir } });
  let closing = false;
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  const opened = new Promise<void>((resolve, reject) => {
    thread.once('message', () => resolve());
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`The embedded database's thread ended (exit code ${code}) before it opened`)));
  });
  void opened.then(
    () => {
      thread.removeAllListeners('error').removeAllListeners('exit');
      thread.on('error', (error) => {
        throw new Error('The embedded database failed', { cause: error });
      });
      thread.on('exit', (code) => {
        if (!closing) throw new Error(`The embedded database's thread ended (exit code ${code})`);
      });
    },
    () => undefined,
  );
  return {
    url: embeddedSocket(dataDir).url,
    opened,
    async close() {
      closing = true;
      // The thread closes once it has opened; one that failed to open has ended already.
      thread.postMessage('close');
      await exited;
    },
  };
}
