import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { startApiProcess, stopProcess } from '#test/app-processes.js';
import { deleteRedisPrefix, randomApiKey } from '#test/test-app.js';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '#test/test-database.js';

/**
 * Kill -9 the API while 80 evidence requests are in flight: every request is
 * either fully recorded (evidence, both impacts, both audit entries, both moves)
 * or not at all, every 201 the client saw is durable, and the chains still verify.
 */
describe('crash safety: the API process killed mid-write', () => {
  let database: TestDatabase;
  const queuePrefix = `bwtest-${randomBytes(4).toString('hex')}`;
  const adminKey = randomApiKey();
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: queuePrefix, BOOTSTRAP_ADMIN_KEY: adminKey };
  });
  afterAll(async () => {
    await database.drop();
    await deleteRedisPrefix(TEST_REDIS_URL, queuePrefix);
  });

  it('loses nothing acknowledged and writes nothing by halves', async () => {
    const first = await startApiProcess(env);
    const headers = { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' };
    const acknowledged: string[] = [];
    const requests = Array.from({ length: 80 }, (_, i) =>
      fetch(`${first.baseUrl}/v1/evidence`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          summary: `report ${i}`,
          observedAt: new Date().toISOString(),
          reliability: 0.9,
          impacts: [
            { prediction: 'us-china-ai-bifurcation', likelihoodRatio: 1 + (i % 7) / 10 },
            { prediction: 'china-domain-parity', direction: i % 2 ? 'supports' : 'contradicts', strength: 'weak' },
          ],
        }),
      })
        .then(async (response) => {
          if (response.status === 201) acknowledged.push(((await response.json()) as { id: string }).id);
          else throw new Error(`unexpected ${response.status}: ${await response.text()}`);
        })
        .catch((error: Error) => (error.message.startsWith('unexpected') ? Promise.reject(error) : undefined)),
    );
    // Kill once some, but not all, requests have been answered.
    const deadline = Date.now() + 20_000;
    while (acknowledged.length < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const killed = stopProcess(first.child, 'SIGKILL');
    await Promise.all(requests);
    await killed;
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);
    expect(acknowledged.length).toBeLessThan(80);

    const second = await startApiProcess(env);
    try {
      const verify = await fetch(`${second.baseUrl}/v1/audit/verify`, { headers });
      expect(await verify.json()).toMatchObject({ ok: true, firstBroken: null });

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const evidence = await client.query<{ id: string; impacts: number; entries: number }>(`
          SELECT e.id,
                 (SELECT count(*)::int FROM "EvidenceImpact" i WHERE i."evidenceId" = e.id) AS impacts,
                 (SELECT count(*)::int FROM "AuditEntry" a WHERE a."evidenceId" = e.id) AS entries
            FROM "Evidence" e`);
        const stored = new Set(evidence.rows.map((row) => row.id));
        for (const id of acknowledged) expect(stored.has(id)).toBe(true);
        expect(evidence.rows.filter((row) => row.impacts !== 2 || row.entries !== 2)).toEqual([]);
        const outbox = await client.query<{ count: number }>(`SELECT count(*)::int FROM "OutboxEvent" WHERE type = 'evidence.recorded'`);
        expect(outbox.rows[0]!.count).toBe(evidence.rows.length);
      } finally {
        await client.end();
      }
    } finally {
      await stopProcess(second.child);
    }
  }, 120_000);
});
