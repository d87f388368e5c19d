import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { adminQuery } from '#test/test-database.js';

/** Verification goes past the first break: one tampered row cannot hide another. */
describe('GET /v1/audit/verify reports every broken entry', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const record = (prediction: string, likelihoodRatio: number) =>
    t.http
      .post('/v1/evidence')
      .set(auth(t.adminKey))
      .send({ summary: `LR ${likelihoodRatio}`, observedAt: '2026-01-01T00:00:00Z', impacts: [{ prediction, likelihoodRatio }] })
      .expect(201);

  it('names each tampered entry of each chain, and only those', async () => {
    for (const ratio of [2, 3, 4, 5]) {
      await record('deepseek-blacklisted-12m', ratio);
      await record('china-domain-parity', ratio);
    }
    const entry = async (slug: string, sequence: number) => {
      const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug } });
      return t.prisma.auditEntry.findUniqueOrThrow({ where: { predictionId_sequence: { predictionId: prediction.id, sequence } } });
    };
    const first = await entry('deepseek-blacklisted-12m', 2);
    const second = await entry('deepseek-blacklisted-12m', 4);
    const third = await entry('china-domain-parity', 3);
    await adminQuery(
      `ALTER TABLE "AuditEntry" DISABLE TRIGGER USER;
       UPDATE "AuditEntry" SET "actor" = 'apikey:someone-else' WHERE "id" IN ('${first.id}', '${second.id}', '${third.id}');
       ALTER TABLE "AuditEntry" ENABLE TRIGGER USER;`,
      t.database.url,
    );
    const verify = await t.http.get('/v1/audit/verify').set(auth(t.adminKey));
    expect(verify.body.ok).toBe(false);
    expect(verify.body.brokenCount).toBe(3);
    expect(verify.body.broken.map((broken: { predictionId: string; sequence: number; reason: string }) => [broken.predictionId, broken.sequence, broken.reason]).sort()).toEqual(
      [
        [first.predictionId, 2, 'hash_mismatch'],
        [second.predictionId, 4, 'hash_mismatch'],
        [third.predictionId, 3, 'hash_mismatch'],
      ].sort(),
    );
    expect(verify.body.firstBroken).toEqual(verify.body.broken[0]);
  });
});
