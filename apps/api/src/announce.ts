import type { NestExpressApplication } from '@nestjs/platform-express';

import type { AppConfig } from '#config';

import { StartupService } from './startup.service.js';

/** The start-up message: where to point a browser, which mode runs, and where the admin key came from. */
export function announce(app: NestExpressApplication, config: AppConfig, role: 'api' | 'embedded'): void {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
  const origin = app.get(StartupService).adminKeyOrigin;
  const lines = [
    `Bellwether ${role} listening on ${base}  (API ${base}/v1, docs ${base}/docs)`,
    `database: ${config.databaseKind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}/pglite` : 'PostgreSQL (DATABASE_URL)'}; jobs: BullMQ on ${config.queueBackend === 'redis' ? 'Redis (REDIS_URL)' : 'PostgreSQL'}`,
  ];
  switch (origin?.kind) {
    case 'generated':
      lines.push(`admin key (shown once, also saved to ${origin.file} with mode 0600):`, `  ${origin.token}`);
      break;
    case 'bootstrap-created':
      lines.push('admin key: created from BOOTSTRAP_ADMIN_KEY');
      break;
    case 'bootstrap-existing':
      lines.push('admin key: BOOTSTRAP_ADMIN_KEY (already present)');
      break;
    case 'existing-keys':
    case undefined:
      lines.push(`admin key: use an existing key${config.databaseKind === 'pglite' ? ` (the generated one is in ${config.DATA_DIR}/admin-key)` : ''}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
