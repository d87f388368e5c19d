import { loadConfig } from '#config';
import { openDatabase } from '#db';

import { announce } from '#apps/api/src/announce.js';
import { createApiApp } from '#apps/api/src/api-app.js';
import { createWorkerApp } from '#apps/worker/src/worker-app.js';

/**
 * `npm start`: API and worker in one process. With no DATABASE_URL this is the
 * embedded mode: PGlite under DATA_DIR, BullMQ on its PostgreSQL backend over it.
 */
const config = loadConfig(process.env);
const database = await openDatabase(config);
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
