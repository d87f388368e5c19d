import type { INestApplicationContext } from '@nestjs/common';

import { boundShutdown, loadConfig, startOrExit } from '#config';
import { openDatabase } from '#db';

/**
 * `npm start`: API and worker in one process. With no DATABASE_URL this is the
 * embedded mode: PGlite under DATA_DIR, BullMQ on its PostgreSQL backend over it.
 */
/** Where the embedded mode listens unless HOST says otherwise: this machine only. Its admin key was made by itself on first start. */
const EMBEDDED_HOST = '127.0.0.1';

await startOrExit(async () => {
  const embedded = !process.env.DATABASE_URL;
  const config = loadConfig(embedded ? { HOST: EMBEDDED_HOST, ...process.env } : process.env);
  // The database opens on a thread of its own while the API's modules load. The API is built once it
  // answers: BullMQ's PostgreSQL backend connects as its queues are made, and keeps a connection that failed.
  const [database, { announce }, { createApiApp }] = await Promise.all([
    openDatabase(config),
    import('#apps/api/src/announce.js'),
    import('#apps/api/src/api-app.js'),
  ]);
  const api = await createApiApp(config, database.connection);
  /** Set once the worker starts (after the API listens): a signal waits for its start, then closes it too. */
  const running: { worker?: Promise<INestApplicationContext> } = {};
  boundShutdown(config.SHUTDOWN_GRACE_SECONDS);
  // One shutdown path for both apps, then the embedded database they share.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void (async () => {
        await api.close();
        const worker = await running.worker?.catch(() => undefined);
        await worker?.close();
        await database.close();
        process.exit(0);
      })();
    });
  }
  await api.listen(config.PORT, config.HOST);
  announce(api, config, 'embedded');
  // The worker starts once the API answers: setting up its queues is the slower half of the start, and
  // nothing is lost meanwhile (jobs wait in the database, the outbox relay picks up what accumulated).
  running.worker = import('#apps/worker/src/worker-app.js').then(({ createWorkerApp }) => createWorkerApp(config, database.connection));
  await running.worker;
});
