import type { NestExpressApplication } from '@nestjs/platform-express';

import type { AdminKeyOrigin } from '#auth';
import type { AppConfig } from '#config';
import { resolveLogFormat, writeAnnouncement, type Announcement, type AnnouncementLine } from '#logging';

import { StartupService } from './startup.service.js';

/** The start-up message: where to point a browser, which mode runs on what, where the admin key is, what was seeded. */
export function announce(app: NestExpressApplication, config: AppConfig, role: 'api' | 'embedded'): void {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
  const startup = app.get(StartupService);
  writeAnnouncement(startupAnnouncement(config, role, base, startup.adminKeyOrigin, startup.seeded), resolveLogFormat(config.LOG_FORMAT));
}

export function startupAnnouncement(
  config: AppConfig,
  role: 'api' | 'embedded',
  base: string,
  origin: AdminKeyOrigin | null,
  seeded: { created: string[] } | null,
): Announcement {
  const mode = role === 'embedded' ? (config.databaseKind === 'pglite' ? 'embedded' : 'api and worker in one process') : 'api';
  const database = config.databaseKind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}/pglite` : 'PostgreSQL (DATABASE_URL)';
  const jobs = config.queueBackend === 'redis' ? 'BullMQ on Redis (REDIS_URL)' : 'BullMQ on PostgreSQL (the same database)';
  return {
    title: `Bellwether ${role} listening on ${base}`,
    fields: { mode, url: base, app: `${base}/app`, api: `${base}/v1`, docs: `${base}/docs`, openapi: `${base}/openapi.json` },
    lines: [
      { label: 'web app', text: `${base}/app` },
      { label: 'API', text: `${base}/v1  (docs ${base}/docs, OpenAPI ${base}/openapi.json)` },
      { label: 'mode', text: mode },
      { label: 'database', text: database, fields: { database: config.databaseKind } },
      { label: 'jobs', text: jobs, fields: { jobs: config.queueBackend } },
      adminKeyLine(config, origin),
      seedLine(seeded),
    ],
  };
}

function adminKeyLine(config: AppConfig, origin: AdminKeyOrigin | null): AnnouncementLine {
  switch (origin?.kind) {
    case 'generated': {
      const text = `(shown once, also saved to ${origin.file} with mode 0600):`;
      return { label: 'admin key', text, value: origin.token, message: `admin key ${text} ${origin.token}`, fields: { adminKey: 'generated', adminKeyFile: origin.file } };
    }
    case 'bootstrap-created':
      return { label: 'admin key', text: 'created from BOOTSTRAP_ADMIN_KEY', fields: { adminKey: 'bootstrap-created' } };
    case 'bootstrap-existing':
      return { label: 'admin key', text: 'BOOTSTRAP_ADMIN_KEY (already present)', fields: { adminKey: 'bootstrap-existing' } };
    case 'existing-keys':
    case undefined: {
      const file = config.databaseKind === 'pglite' ? `${config.DATA_DIR}/admin-key` : null;
      return { label: 'admin key', text: `use an existing key${file ? ` (the generated one is in ${file})` : ''}`, fields: { adminKey: 'existing', ...(file ? { adminKeyFile: file } : {}) } };
    }
  }
}

function seedLine(seeded: { created: string[] } | null): AnnouncementLine {
  if (!seeded) return { label: 'seed', text: 'off (SEED=false)', fields: { seeded: null } };
  if (seeded.created.length === 0) return { label: 'seed', text: 'the analysis is in place (nothing new to add)', fields: { seeded: [] } };
  const counts = new Map<string, number>();
  for (const item of seeded.created) {
    const kind = item.split(':')[0]!;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const parts = [...counts].map(([kind, count]) => `${count} ${kind}${count === 1 ? '' : 's'}`);
  return { label: 'seed', text: `the analysis: created ${parts.join(', ')}`, fields: { seeded: seeded.created } };
}
