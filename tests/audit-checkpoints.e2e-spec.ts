import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

import { hashAuditEntry, publicKeyText } from '#core';
import { auditEntryContent } from '#predictions';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { adminQuery } from '#test/test-database.js';

const SLUG = 'deepseek-blacklisted-12m';

/**
 * Someone holding the database credentials can switch the append-only trigger
 * off and recompute every hash: the chain then verifies on its own. Signed
 * checkpoints (and the copies users keep) are what such a rewrite cannot forge.
 */
describe('audit checkpoints', () => {
  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  let t: TestApp;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUDIT_SIGNING_KEY: signingKey } });
    viewer = await t.keyFor('viewer');
  });
  afterAll(() => t.close());

  const record = (likelihoodRatio: number) =>
    t.http
      .post('/v1/evidence')
      .set(auth(t.adminKey))
      .send({ summary: `LR ${likelihoodRatio}`, observedAt: '2026-01-01T00:00:00Z', impacts: [{ prediction: SLUG, likelihoodRatio }] })
      .expect(201);
  const verify = (checkpoints?: unknown[]) =>
    checkpoints ? t.http.post('/v1/audit/verify').set(auth(t.adminKey)).send({ checkpoints }) : t.http.get('/v1/audit/verify').set(auth(t.adminKey));

  /** What an attacker with the database credentials does: rewrite entries from `from` on and recompute every hash after them. */
  async function rewriteChain(from: number): Promise<void> {
    const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: SLUG } });
    const entries = await t.prisma.auditEntry.findMany({ where: { predictionId: prediction.id }, orderBy: { sequence: 'asc' } });
    const statements: string[] = [];
    let prevHash = entries[from - 2]!.hash;
    for (const entry of entries.slice(from - 1)) {
      const forged = { ...entry, actor: 'apikey:someone-else', prevHash };
      const hash = hashAuditEntry(prevHash, auditEntryContent(forged));
      statements.push(`UPDATE "AuditEntry" SET "actor" = 'apikey:someone-else', "prevHash" = '${prevHash}', "hash" = '${hash}' WHERE "id" = '${entry.id}';`);
      prevHash = hash;
    }
    statements.push(`UPDATE "Prediction" SET "auditHash" = '${prevHash}' WHERE "id" = '${prediction.id}';`);
    await adminQuery(`ALTER TABLE "AuditEntry" DISABLE TRIGGER USER; ${statements.join(' ')} ALTER TABLE "AuditEntry" ENABLE TRIGGER USER;`, t.database.url);
  }

  it('signs each chain head once, lists them for viewers with the public key, and announces them', async () => {
    const first = await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).expect(201);
    expect(first.body).toHaveLength(4);
    expect((await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).expect(201)).body).toEqual([]);
    await record(2);
    await record(3);
    const moved = await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).expect(201);
    expect(moved.body).toEqual([expect.objectContaining({ sequence: 3 })]);

    const listed = await t.http.get('/v1/audit/checkpoints').set(auth(viewer)).expect(200);
    expect(listed.body.publicKey).toBe(publicKeyText(createPublicKey(createPrivateKey(signingKey))));
    expect(listed.body.items).toHaveLength(5);
    expect(listed.body.items.every((item: { publicKey: string }) => item.publicKey === listed.body.publicKey)).toBe(true);
    expect(await t.prisma.outboxEvent.count({ where: { type: 'audit.checkpoints_signed' } })).toBe(2);
    expect((await t.http.post('/v1/audit/checkpoints').set(auth(viewer))).status).toBe(403);
    expect((await verify()).body).toMatchObject({ ok: true, checkpoints: 5, brokenCount: 0 });
  });

  it('finds a rewritten chain with recomputed hashes at the rewritten entry, will not countersign it, and still finds it through saved copies once every signature is gone', async () => {
    const saved = (await t.http.get('/v1/audit/checkpoints').set(auth(viewer))).body.items;
    await record(4);
    await rewriteChain(2);
    const prediction = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: SLUG } });

    // The chain itself verifies (every hash was recomputed); the heads signed as they moved do not.
    const stored = await verify();
    expect(stored.body.ok).toBe(false);
    expect(stored.body.firstBroken).toEqual({ predictionId: prediction.id, sequence: 2, reason: 'head_signature_mismatch' });
    expect(stored.body.broken).toEqual(
      expect.arrayContaining([
        { predictionId: prediction.id, sequence: 4, reason: 'head_signature_mismatch' },
        { predictionId: prediction.id, sequence: 3, reason: 'checkpoint_mismatch', changedFrom: 2 },
      ]),
    );
    // The forged head is not countersigned.
    expect((await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).expect(201)).body).toEqual([]);

    // The attacker removes the stored checkpoints and signatures as well: the head is unsigned, and the copies a user saved still tell.
    await adminQuery(
      `ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER USER; DELETE FROM "AuditCheckpoint"; ALTER TABLE "AuditCheckpoint" ENABLE TRIGGER USER;
       ALTER TABLE "ChainHeadSignature" DISABLE TRIGGER USER; DELETE FROM "ChainHeadSignature" WHERE "predictionId" = '${prediction.id}'; ALTER TABLE "ChainHeadSignature" ENABLE TRIGGER USER;`,
      t.database.url,
    );
    expect((await verify()).body).toMatchObject({ ok: false, checkpoints: 0, broken: [{ predictionId: prediction.id, sequence: 4, reason: 'head_unsigned' }] });
    // The other chains' heads hold and are countersigned again; the forged one is not.
    const again = (await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).expect(201)).body as { predictionId: string }[];
    expect(again.length).toBeGreaterThan(0);
    expect(again.map((checkpoint) => checkpoint.predictionId)).not.toContain(prediction.id);
    const withSaved = await verify(saved.map(({ predictionId, sequence, hash, signedAt, signature }: Record<string, unknown>) => ({ predictionId, sequence, hash, signedAt, signature })));
    expect(withSaved.body.ok).toBe(false);
    expect(withSaved.body.broken).toEqual(
      expect.arrayContaining([{ predictionId: prediction.id, sequence: 3, reason: 'checkpoint_mismatch', changedFrom: 2 }]),
    );
    expect(withSaved.body.witness.proofs).toEqual(expect.arrayContaining([expect.objectContaining({ provenThrough: 1 })]));
  });

  it('refuses a checkpoint it did not sign, and a malformed one with a 400 naming the field', async () => {
    await t.http
      .post('/v1/evidence')
      .set(auth(t.adminKey))
      .send({ summary: 'another prediction', observedAt: '2026-01-01T00:00:00Z', impacts: [{ prediction: 'china-domain-parity', likelihoodRatio: 2 }] })
      .expect(201);
    const [checkpoint] = (await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).expect(201)).body;
    const { predictionId, sequence, hash, signedAt } = checkpoint;
    const forged = { predictionId, sequence, hash, signedAt, signature: Buffer.alloc(64, 1).toString('base64') };
    expect((await verify([forged])).body.broken.filter((broken: { predictionId: string }) => broken.predictionId === predictionId)).toEqual([
      { predictionId, sequence, reason: 'checkpoint_signature_invalid' },
    ]);
    const malformed = await verify([{ ...forged, hash: 'nope' }]);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('checkpoints[0].hash');
  });

  it('keeps checkpoints append-only', async () => {
    await expect(t.prisma.$executeRaw`DELETE FROM "AuditCheckpoint"`).rejects.toThrow(/append-only/);
  });
});
