import { boundShutdown, loadConfig, startOrExit } from '#config';
import { openDatabase } from '#db';
import { resolveLogFormat, writeAnnouncement } from '#logging';

import { createWorkerApp } from './worker-app.js';

/** `npm run start:worker`: processors and schedulers; run as many as the load needs. */
await startOrExit(async () => {
  const config = loadConfig(process.env);
  const database = await openDatabase(config);
  const worker = await createWorkerApp(config, database.connection);
  worker.enableShutdownHooks();
  boundShutdown(config.SHUTDOWN_GRACE_SECONDS);
  writeAnnouncement(
    {
      title: 'Bellwether worker running',
      fields: { mode: 'worker' },
      lines: [
        { label: 'database', text: config.databaseKind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}/pglite` : 'PostgreSQL (DATABASE_URL)', fields: { database: config.databaseKind } },
        { label: 'jobs', text: `BullMQ on ${config.queueBackend === 'redis' ? 'Redis (REDIS_URL)' : 'PostgreSQL'}`, fields: { jobs: config.queueBackend } },
        { label: 'schedulers', text: config.SCHEDULERS === 'true' ? 'this worker keeps the job schedulers in place' : 'off (SCHEDULERS=false)' },
      ],
    },
    resolveLogFormat(config.LOG_FORMAT),
  );
});
