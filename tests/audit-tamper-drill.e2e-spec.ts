import { createPublicKey, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { auditEntryContent, hashAuditEntry, parseWitness, publicKeyText, type AuditEntryFields } from '#core';
import { bellwether, CLI_ENTRY } from '#test/cli-process.js';
import { auth, createTestApp, type TestApp } from '#test/test-app.js';
import { adminQuery } from '#test/test-database.js';

const SLUG = 'deepseek-blacklisted-12m';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The tamper drill: a database superuser rewrites an entry, recomputes every hash
 * after it, and deletes every signature and checkpoint the database holds. The
 * database can then only say that a head is unsigned; the witness file kept
 * outside it (bellwether audit witness) and the offline verifier name the
 * rewritten entry. An entry rewritten a second after it was written, before any
 * hourly checkpoint, is caught by the signature its head got as it moved.
 */
describe('the tamper drill: a database superuser against the signed heads and a witness kept outside', () => {
  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicKey = publicKeyText(createPublicKey(createPrivateKey(signingKey)));
  let t: TestApp;
  let directory: string;
  let witnessFile: string;
  let viewer: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(CLI_ENTRY)) throw new Error(`${CLI_ENTRY} is missing: npm test builds it first (pretest)`);
    directory = await mkdtemp(join(tmpdir(), 'bellwether-drill-'));
    witnessFile = join(directory, 'witness.jsonl');
    t = await createTestApp({ env: { AUDIT_SIGNING_KEY: signingKey } });
    await t.app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    const config = join(directory, 'none.json');
    viewer = { BELLWETHER_URL: url, BELLWETHER_KEY: await t.keyFor('viewer'), BELLWETHER_CONFIG: config };
    admin = { BELLWETHER_URL: url, BELLWETHER_KEY: t.adminKey, BELLWETHER_CONFIG: config };
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await rm(directory, { recursive: true, force: true });
  }, 60_000);

  const record = (likelihoodRatio: number) =>
    t.http
      .post('/v1/evidence')
      .set(auth(t.adminKey))
      .send({ summary: `drill LR ${likelihoodRatio}`, sourceUrl: `https://example.org/drill/${likelihoodRatio}`, observedAt: new Date().toISOString(), impacts: [{ prediction: SLUG, likelihoodRatio }] })
      .expect(201);

  const prediction = () => t.prisma.prediction.findUniqueOrThrow({ where: { slug: SLUG } });

  /** As a database superuser: the append-only triggers off, entry `sequence` rewritten, every hash after it recomputed, the head moved to match. */
  async function rewriteAndRehash(sequence: number, extra = ''): Promise<void> {
    const { id } = await prediction();
    const entries = await t.prisma.auditEntry.findMany({ where: { predictionId: id }, orderBy: { sequence: 'asc' } });
    const statements: string[] = [];
    let prevHash = entries[sequence - 2]!.hash;
    for (const entry of entries.slice(sequence - 1)) {
      const actor = entry.sequence === sequence ? 'apikey:someone-else' : entry.actor;
      const hash = hashAuditEntry(prevHash, auditEntryContent({ ...entry, actor, prevHash } as AuditEntryFields));
      statements.push(`UPDATE "AuditEntry" SET "actor" = '${actor}', "prevHash" = '${prevHash}', "hash" = '${hash}' WHERE "id" = '${entry.id}';`);
      prevHash = hash;
    }
    statements.push(`UPDATE "Prediction" SET "auditHash" = '${prevHash}' WHERE "id" = '${id}';`);
    await adminQuery(`ALTER TABLE "AuditEntry" DISABLE TRIGGER USER; ${statements.join(' ')} ALTER TABLE "AuditEntry" ENABLE TRIGGER USER; ${extra}`, t.database.url);
  }

  const deleteEverySignature = `
    ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER USER; DELETE FROM "AuditCheckpoint"; ALTER TABLE "AuditCheckpoint" ENABLE TRIGGER USER;
    ALTER TABLE "ChainHeadSignature" DISABLE TRIGGER USER; DELETE FROM "ChainHeadSignature"; ALTER TABLE "ChainHeadSignature" ENABLE TRIGGER USER;`;

  it('keeps a witness of every signed head, appending only what is new', async () => {
    for (const ratio of [2, 3, 1.5, 4, 0.5]) {
      await record(ratio);
      const run = await bellwether(['audit', 'witness', '--out', witnessFile], viewer);
      expect(run).toMatchObject({ code: 0, stderr: '' });
    }
    const witness = parseWitness(await readFile(witnessFile, 'utf8'));
    expect(witness.unreadable).toEqual([]);
    expect(witness.keys).toEqual([expect.objectContaining({ publicKey })]);
    const { id, auditSequence } = await prediction();
    // The prior and each of the five moves: one head per entry of this chain, each once.
    expect(witness.heads.filter((head) => head.predictionId === id).map((head) => head.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(auditSequence).toBe(6);
    const again = await bellwether(['audit', 'witness', '--out', witnessFile], viewer);
    expect(again.stdout).toContain('0 new signed head(s)');
    // Checkpoints, as the hourly job makes them.
    await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).expect(201);
    expect((await t.http.get('/v1/audit/verify').set(auth(t.adminKey))).body).toMatchObject({ ok: true });
  }, 120_000);

  it('catches an entry rewritten, re-hashed forward and every signature and checkpoint deleted, at the rewritten entry, through the witness and the offline verifier', async () => {
    const { id } = await prediction();
    await rewriteAndRehash(3, deleteEverySignature);
    expect(await t.prisma.auditCheckpoint.count()).toBe(0);
    expect(await t.prisma.chainHeadSignature.count()).toBe(0);

    // The database alone: the chain verifies, and every head is unsigned; nothing says where.
    const alone = (await t.http.get('/v1/audit/verify').set(auth(t.adminKey))).body;
    expect(alone.ok).toBe(false);
    expect(alone.broken).toEqual(expect.arrayContaining([{ predictionId: id, sequence: 6, reason: 'head_unsigned' }]));
    expect(alone.broken.some((broken: { reason: string }) => /hash|replay/.test(broken.reason))).toBe(false);
    // Nothing signs the forged head now.
    expect((await t.http.post('/v1/audit/checkpoints').set(auth(t.adminKey)).expect(201)).body).toEqual([]);

    // The witness: entries 1 and 2 hold; 3 to 6 do not, rewritten from entry 3.
    const checked = await bellwether(['audit', 'verify', '--witness', witnessFile, '--json'], admin);
    expect(checked.code).toBe(2);
    const verification = JSON.parse(checked.stdout) as { ok: boolean; broken: { predictionId: string; sequence: number; reason: string; changedFrom?: number }[]; witness: { proofs: { predictionId: string; provenThrough: number }[] } };
    const mismatches = verification.broken.filter((broken) => broken.predictionId === id && broken.reason === 'checkpoint_mismatch');
    expect(mismatches.map((broken) => broken.sequence)).toEqual([3, 4, 5, 6]);
    expect(new Set(mismatches.map((broken) => broken.changedFrom))).toEqual(new Set([3]));
    expect(verification.witness.proofs.find((proof) => proof.predictionId === id)).toMatchObject({ provenThrough: 2 });
    // The next witness run notices the signed heads it holds are gone.
    const witnessAgain = await bellwether(['audit', 'witness', '--out', witnessFile], viewer);
    expect(witnessAgain.code).toBe(2);
    expect(witnessAgain.stderr).toContain(`the server no longer lists the signed head of entry 6 of prediction ${id}`);

    // The export of the forged database, checked offline with no database: against the witness, and against the real key.
    const exportFile = join(directory, 'forged-export.json');
    await writeFile(exportFile, (await t.http.get('/v1/export').set(auth(t.adminKey))).text);
    const offline = await bellwether(['verify', exportFile, '--witness', witnessFile], {});
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('rewritten from entry 3 at the latest');
    expect(offline.stderr).toContain(`the witness holds entry 3 of prediction ${id}`);
    const withKey = await bellwether(['verify', exportFile, '--public-key', publicKey], {});
    expect(withKey.code).toBe(2);
    expect(withKey.stderr).toContain('head_unsigned');
  }, 120_000);

  it('catches an entry rewritten one second after it was written, before any checkpoint, by the signature its head got as it moved', async () => {
    const other = 'china-domain-parity';
    await t.http.post('/v1/evidence').set(auth(t.adminKey)).send({ summary: 'fresh', observedAt: new Date().toISOString(), impacts: [{ prediction: other, likelihoodRatio: 2 }] }).expect(201);
    const { id, auditSequence } = await t.prisma.prediction.findUniqueOrThrow({ where: { slug: other } });
    await pause(1000);
    const entries = await t.prisma.auditEntry.findMany({ where: { predictionId: id }, orderBy: { sequence: 'asc' } });
    const head = entries.at(-1)!;
    const hash = hashAuditEntry(head.prevHash, auditEntryContent({ ...head, actor: 'apikey:someone-else' } as AuditEntryFields));
    await adminQuery(
      `ALTER TABLE "AuditEntry" DISABLE TRIGGER USER; UPDATE "AuditEntry" SET "actor" = 'apikey:someone-else', "hash" = '${hash}' WHERE "id" = '${head.id}'; ALTER TABLE "AuditEntry" ENABLE TRIGGER USER;
       UPDATE "Prediction" SET "auditHash" = '${hash}' WHERE "id" = '${id}';`,
      t.database.url,
    );
    const verify = (await t.http.get('/v1/audit/verify').set(auth(t.adminKey))).body;
    expect(verify.broken).toEqual(expect.arrayContaining([{ predictionId: id, sequence: auditSequence, reason: 'head_signature_mismatch' }]));
  }, 60_000);

  it('verifies an honest export offline, proving its origin with the deployment\'s public key, and says a key of its own proves only consistency', async () => {
    const honest = await createTestApp({ env: { AUDIT_SIGNING_KEY: signingKey } });
    try {
      await honest.http.post('/v1/evidence').set(auth(honest.adminKey)).send({ summary: 'honest', observedAt: new Date().toISOString(), impacts: [{ prediction: SLUG, likelihoodRatio: 3 }] }).expect(201);
      const exportFile = join(directory, 'honest-export.json');
      await writeFile(exportFile, (await honest.http.get('/v1/export').set(auth(honest.adminKey))).text);
      const named = await bellwether(['verify', exportFile, '--public-key', publicKey], {});
      expect(named).toMatchObject({ code: 0, stderr: '' });
      expect(named.stdout).toContain('verified');
      expect(named.stdout).toContain('origin proven');
      const own = await bellwether(['verify', exportFile], {});
      expect(own.code).toBe(0);
      expect(own.stdout).toContain('proves the export is consistent, not where it came from');
      const stranger = await bellwether(['verify', exportFile, '--public-key', publicKeyText(generateKeyPairSync('ed25519').publicKey)], {});
      expect(stranger.code).toBe(2);
      expect(stranger.stderr).toContain('head_signature_untrusted');
    } finally {
      await honest.close();
    }
  }, 120_000);
});
