import { loadConfig } from '#config';
import { openDatabase } from '#db';

import { createWorkerApp } from './worker-app.js';

/** `npm run start:worker`: processors and schedulers; run as many as the load needs. */
const config = loadConfig(process.env);
const database = await openDatabase(config);
const worker = await createWorkerApp(config, database.connection);
worker.enableShutdownHooks();
process.stdout.write(`Bellwether worker running (jobs: BullMQ on ${config.queueBackend === 'redis' ? 'Redis' : 'PostgreSQL'})\n`);
