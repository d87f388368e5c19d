import { Worker } from 'node:worker_threads';

import type { EmbeddedPostgres } from './embedded-postgres.js';

/**
 * `startEmbeddedPostgres` on a thread of its own, which is how the embedded mode
 * runs it. PGlite's PostgreSQL is WebAssembly on whichever thread opened it: on
 * the main thread, its start (a second or more) and every statement it runs
 * would take turns with the application's module loading and requests. On its
 * own thread the two overlap, on the second core; clients reach it through the
 * same socket as before. The process ends if the thread fails after it opened,
 * as it would if a PostgreSQL server it depends on went away.
 */
export async function startEmbeddedPostgresThread(dataDir: string): Promise<EmbeddedPostgres> {
  const thread = new Worker(new URL('./embedded-postgres-thread-entry.js', import.meta.url), { workerData: { dataDir } });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`The embedded database's thread ended (exit code ${code}) before it opened`)));
  });
  thread.removeAllListeners();
  let closing = false;
  thread.on('error', (error) => {
    throw new Error('The embedded database failed', { cause: error });
  });
  thread.on('exit', (code) => {
    if (!closing) throw new Error(`The embedded database's thread ended (exit code ${code})`);
  });
  return {
    url,
    async close() {
      closing = true;
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.postMessage('close');
      await exited;
    },
  };
}
