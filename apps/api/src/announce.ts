import type { NestExpressApplication } from '@nestjs/platform-express';

import type { AdminKeyOrigin } from '#auth';
import type { AppConfig } from '#config';
import { resolveLogFormat, writeAnnouncement, type Announcement, type AnnouncementLine } from '#logging';

import type { DemoLoad } from './seed/demo-seed.service.js';
import { StartupService } from './startup.service.js';

/** The start-up message: where to point a browser, which mode runs on what, where the admin key is, what was seeded. */
export function announce(app: NestExpressApplication, config: AppConfig, role: 'api' | 'embedded'): void {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
  const startup = app.get(StartupService);
  writeAnnouncement(startupAnnouncement(config, role, base, startup.adminKeyOrigin, startup.seeded, startup.demo), resolveLogFormat(config.LOG_FORMAT));
}

export function startupAnnouncement(
  config: AppConfig,
  role: 'api' | 'embedded',
  base: string,
  origin: AdminKeyOrigin | null,
  seeded: { created: string[] } | null,
  demo: DemoLoad | null = null,
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
      ...demoLines(demo),
      ...messageLines(config),
      ...exposureLines(config, role),
    ],
  };
}

/** Where links in messages lead and how mail goes, with what an unset PUBLIC_URL or MAIL_FROM breaks. */
function messageLines(config: AppConfig): AnnouncementLine[] {
  const mail = config.SMTP_URL ? 'SMTP (SMTP_URL)' : `written as .eml files under ${config.DATA_DIR}/mail (no SMTP_URL)`;
  const lines: AnnouncementLine[] = [
    { label: 'links', text: `${config.publicUrl} (PUBLIC_URL)`, fields: { publicUrl: config.publicUrl } },
    { label: 'mail', text: `${mail}, from ${config.MAIL_FROM}`, fields: { mail: config.SMTP_URL ? 'smtp' : 'files', mailFrom: config.MAIL_FROM } },
  ];
  for (const warning of [config.publicUrlWarning, config.mailFromWarning]) {
    if (warning) lines.push({ label: 'warning', text: warning, warning: true });
  }
  return lines;
}

/** Embedded mode answers this machine only (its admin key it made itself): say so when HOST widens it. */
function exposureLines(config: AppConfig, role: 'api' | 'embedded'): AnnouncementLine[] {
  if (role !== 'embedded' || config.databaseKind !== 'pglite' || ['127.0.0.1', 'localhost', '::1'].includes(config.HOST)) return [];
  return [
    {
      label: 'warning',
      text: `HOST=${config.HOST}: the embedded mode answers beyond this machine. Anyone who can reach port ${config.PORT} can try its API and web app; keep the admin key safe, and put TLS in front of it (docs/security-and-audit.md)`,
      warning: true,
    },
  ];
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

/** With DEMO=true: whether the demo's year was loaded now, was there already, or was not loaded because the database holds other data. */
function demoLines(demo: DemoLoad | null): AnnouncementLine[] {
  switch (demo?.outcome) {
    case undefined:
      return [];
    case 'loaded': {
      const { evidence = 0, forecasts = 0, readings = 0, predictions = 0 } = demo.tables;
      const text = `loaded a year of history: ${predictions} predictions, ${evidence} evidence items, ${readings} readings, ${forecasts} forecasts`;
      return [{ label: 'demo', text, fields: { demo: 'loaded' } }];
    }
    case 'in-place':
      return [{ label: 'demo', text: 'the demo year is in place (loaded on the first start)', fields: { demo: 'in-place' } }];
    case 'not-empty':
      return [{ label: 'warning', text: `DEMO=true, but this database already holds ${demo.predictions} prediction(s): the demo loads only into an empty one`, warning: true, fields: { demo: 'not-empty' } }];
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
