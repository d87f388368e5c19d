import { parentPort, workerData } from 'node:worker_threads';

import { startEmbeddedPostgres } from './embedded-postgres.js';

/**
 * The body of the embedded database's thread (`startEmbeddedPostgresThread` starts it):
 * opens PGlite and its socket server here, answers their URL, and closes both
 * when asked. An error opening them ends the thread with that error.
 */
const embedded = await startEmbeddedPostgres((workerData as { dataDir: string }).dataDir);
parentPort!.once('message', () => {
  void embedded.close().then(() => parentPort!.close());
});
parentPort!.postMessage({ url: embedded.url });
