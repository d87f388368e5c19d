import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';

import { createApiApp } from '#apps/api/src/api-app.js';
import { loadConfig } from '#config';
import { applyMigrations, DatabaseConnection, MIGRATIONS_DIRECTORY, PrismaService } from '#db';
import { startPrivatePostgres, type PrivateServer } from '#test/private-servers.js';
import { auth, randomApiKey } from '#test/test-app.js';

/**
 * PostgreSQL restarted under evidence load: while it is down every request
 * gets a 503 problem+json (never a 500, never a hang), the API recovers by
 * itself once it is back, and every write it acknowledged is there, whole.
 */
describe('fault drill: PostgreSQL restarts under load', () => {
  let database: PrivateServer;
  let app: NestExpressApplication;
  let adminKey: string;

  beforeAll(async () => {
    database = await startPrivatePostgres();
    await applyMigrations(database.url, MIGRATIONS_DIRECTORY);
    adminKey = randomApiKey();
    const config = loadConfig({ DATABASE_URL: database.url, BOOTSTRAP_ADMIN_KEY: adminKey, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', SCHEDULERS: 'false', AUDIT_SIGNING_KEY: process.env.AUDIT_SIGNING_KEY });
    app = await createApiApp(config, new DatabaseConnection(database.url, 'postgres'));
    await app.init();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  it('answers 503 while it is down, recovers without a restart of ours, and loses or halves nothing', async () => {
    const http = request(app.getHttpServer());
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let contentTypesOk = true;
    let running = true;
    let sequence = 0;
    const client = async () => {
      while (running) {
        sequence += 1;
        const response = await http
          .post('/v1/evidence')
          .set(auth(adminKey))
          .timeout(20_000)
          .send({ summary: `drill ${sequence}`, observedAt: '2026-01-01T00:00:00Z', impacts: [{ prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 1.01 }] });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 201) acknowledged.push(response.body.id as string);
        else if (!/application\/problem\+json/.test(response.headers['content-type'] ?? '')) contentTypesOk = false;
        if (response.status !== 201) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const clients = Array.from({ length: 4 }, client);

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const beforeOutage = acknowledged.length;
    await database.stop();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const duringOutage = new Map(statuses);
    await database.start();
    // Give the pool a moment to find the server again, then keep going.
    const recovered = Date.now();
    while (acknowledged.length <= beforeOutage + 10 && Date.now() - recovered < 30_000) await new Promise((resolve) => setTimeout(resolve, 200));
    running = false;
    await Promise.all(clients);

    expect(beforeOutage).toBeGreaterThan(0);
    expect(duringOutage.get(503) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(500) ?? 0).toBe(0);
    expect([...statuses.keys()].sort()).toEqual([201, 503]);
    expect(contentTypesOk).toBe(true);
    expect(acknowledged.length).toBeGreaterThan(beforeOutage + 10);

    // Every acknowledged write is there with its impact and audit entry; nothing stored is missing its parts.
    const prisma = app.get(PrismaService);
    const stored = await prisma.evidence.findMany({ where: { id: { in: acknowledged } }, select: { id: true } });
    expect(stored.length).toBe(acknowledged.length);
    const [halves] = await prisma.$queryRaw<{ withoutImpact: number; withoutAudit: number }[]>`
      SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM "EvidenceImpact" i WHERE i."evidenceId" = e."id"))::int AS "withoutImpact",
             count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM "AuditEntry" a WHERE a."evidenceId" = e."id"))::int AS "withoutAudit"
      FROM "Evidence" e`;
    expect(halves).toEqual({ withoutImpact: 0, withoutAudit: 0 });
    const verify = await http.get('/v1/audit/verify').set(auth(adminKey));
    expect(verify.body).toMatchObject({ ok: true, brokenCount: 0 });
  }, 120_000);
});
