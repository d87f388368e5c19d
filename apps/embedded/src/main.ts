import type { INestApplicationContext } from '@nestjs/common';

import { loadConfig } from '#config';
import { openDatabase } from '#db';

/**
 * `npm start`: API and worker in one process. With no DATABASE_URL this is the
 * embedded mode: PGlite under DATA_DIR, BullMQ on its PostgreSQL backend over it.
 */
const config = loadConfig(process.env);
// The database opens (a new data directory is copied from the template on the thread pool, PGlite's
// WebAssembly compiles off the main thread) while the applications' modules load.
const [database, { announce }, { createApiApp }, { createWorkerApp }] = await Promise.all([
  openDatabase(config),
  import('#apps/api/src/announce.js'),
  import('#apps/api/src/api-app.js'),
  import('#apps/worker/src/worker-app.js'),
]);
/** Filled in once the worker runs (after the API listens); a signal before that closes what exists. */
const running: { worker?: INestApplicationContext } = {};
const api = await createApiApp(config, database.connection);
// One shutdown path for both apps, then the embedded database they share.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (async () => {
      await api.close();
      await running.worker?.close();
      await database.close();
      process.exit(0);
    })();
  });
}
await api.listen(config.PORT, config.HOST);
announce(api, config, 'embedded');
// The worker starts once the API answers: setting up its queues is the slower half of the start, and
// nothing is lost meanwhile (jobs wait in the database, the outbox relay picks up what accumulated).
running.worker = await createWorkerApp(config, database.connection);
