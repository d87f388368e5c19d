import pg from 'pg';

import { startEmbeddedPostgresThread } from '#db';

/**
 * The floor of the embedded start, for `embedded-start.bench`: a process that opens
 * PGlite under DATA_DIR exactly as Bellwether does (on a thread of its own, from the build's template, with
 * the same settings, on its socket), answers one query, and says so. Everything the
 * embedded mode adds on top of this is Bellwether's own start.
 */
const database = await startEmbeddedPostgresThread(process.env.DATA_DIR!);
const client = new pg.Client({ connectionString: database.url });
await client.connect();
await client.query('SELECT 1');
await client.end();
process.stdout.write('ready\n');
process.once('SIGTERM', () => void database.close().then(() => process.exit(0)));
