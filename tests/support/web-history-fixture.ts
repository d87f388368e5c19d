import pg from 'pg';

import { GENESIS_HASH, hashAuditEntry } from '#core';
import { auditEntryContent, AuditSigningKeyService } from '#predictions';

import type { TestApp } from './test-app.js';

/** The columns are TIMESTAMP(3) holding UTC, whatever the client's time zone. */
const utc = (at: Date): string => at.toISOString().replace('Z', '');

/**
 * Spreads a prediction's audit trail (made through the API a moment ago) over the last
 * `days` days, as if it had grown over that time, and re-hashes and re-signs the chain (with
 * the app's own key) so it still verifies: pages then show a history with a shape. Test
 * fixture only: it rewrites the append-only table with its trigger disabled.
 */
export async function spreadHistoryOverDays(t: Pick<TestApp, 'app' | 'prisma' | 'database'>, slug: string, days: number): Promise<void> {
  const { prisma } = t;
  const signer = t.app.get(AuditSigningKeyService);
  const prediction = await prisma.prediction.findUniqueOrThrow({ where: { slug } });
  const entries = await prisma.auditEntry.findMany({ where: { predictionId: prediction.id }, orderBy: { sequence: 'asc' } });
  const now = Date.now();
  const start = now - days * 86_400_000;
  const step = (now - start) / Math.max(1, entries.length);
  let prevHash = GENESIS_HASH;
  const client = new pg.Client({ connectionString: t.database.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE "AuditEntry" DISABLE TRIGGER USER');
    await client.query('ALTER TABLE "ChainHeadSignature" DISABLE TRIGGER USER');
    for (const [index, entry] of entries.entries()) {
      // Uneven gaps, so the chart does not look like a metronome.
      const createdAt = new Date(Math.round(start + step * index + (index === 0 ? 0 : step * 0.6 * Math.sin(index * 1.7))));
      const hash = hashAuditEntry(prevHash, auditEntryContent({ ...entry, createdAt }));
      await client.query('UPDATE "AuditEntry" SET "createdAt" = $1, "prevHash" = $2, "hash" = $3 WHERE "id" = $4', [utc(createdAt), prevHash, hash, entry.id]);
      const { keyId, signature } = signer.signHead({ predictionId: prediction.id, sequence: entry.sequence, hash, signedAt: createdAt.toISOString() });
      await client.query('UPDATE "ChainHeadSignature" SET "hash" = $1, "signedAt" = $2, "keyId" = $3, "signature" = $4 WHERE "predictionId" = $5 AND "sequence" = $6', [
        hash,
        utc(createdAt),
        keyId,
        signature,
        prediction.id,
        entry.sequence,
      ]);
      if (entry.evidenceId) await client.query('UPDATE "Evidence" SET "observedAt" = $1, "createdAt" = $1 WHERE "id" = $2', [utc(createdAt), entry.evidenceId]);
      prevHash = hash;
    }
    await client.query('ALTER TABLE "AuditEntry" ENABLE TRIGGER USER');
    await client.query('ALTER TABLE "ChainHeadSignature" ENABLE TRIGGER USER');
    await client.query('UPDATE "Prediction" SET "createdAt" = $1, "auditHash" = $2 WHERE "id" = $3', [utc(new Date(start)), prevHash, prediction.id]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    await client.end();
  }
}
