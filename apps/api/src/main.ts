import { boundShutdown, loadConfig, startOrExit } from '#config';
import { openDatabase } from '#db';

import { createApiApp } from './api-app.js';
import { announce } from './announce.js';

/** `npm run start:api`: the HTTP API alone; run workers beside it with `npm run start:worker`. */
await startOrExit(async () => {
  const config = loadConfig(process.env);
  const database = await openDatabase(config);
  const app = await createApiApp(config, database.connection);
  app.enableShutdownHooks();
  boundShutdown(config.SHUTDOWN_GRACE_SECONDS);
  await app.listen(config.PORT, config.HOST);
  announce(app, config, 'api');
});
