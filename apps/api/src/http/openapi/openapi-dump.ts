import { writeFile } from 'node:fs/promises';

import { loadConfig } from '#config';
import { DatabaseConnection } from '#db';

import { createApiApp } from '../../api-app.js';
import { createOpenApiDocument } from './openapi-document.js';

/**
 * `node dist/apps/api/src/http/openapi/openapi-dump.js <file>`: writes the document the API serves at
 * /openapi.json, built from the same application, without a database or a listening port (the
 * app is created, never started). `npm run lint:openapi` lints what it writes.
 */
const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: openapi-dump <file.json>\n');
  process.exit(2);
}
const nowhere = 'postgresql://openapi-dump@127.0.0.1:1/none';
const config = loadConfig({ DATABASE_URL: nowhere, LOG_LEVEL: 'silent', LOG_FORMAT: 'json', SEED: 'false', SCHEDULERS: 'false' });
const app = await createApiApp(config, new DatabaseConnection(nowhere, 'postgres'));
await writeFile(target, `${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`);
await app.close();
process.stdout.write(`OpenAPI document written to ${target}\n`);
