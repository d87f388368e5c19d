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
const api = await createApiApp(config, database.connection);
const worker = await createWorkerApp(config, database.connection);
// One shutdown path for both apps, then the embedded database they share.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (async () => {
      await api.close();
      await worker.close();
      await database.close();
      process.exit(0);
    })();
  });
}
await api.listen(config.PORT, config.HOST);
announce(api, config, 'embedded');
