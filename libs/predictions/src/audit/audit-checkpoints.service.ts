import { Injectable, Logger } from '@nestjs/common';

import { checkpointSignatureValid, checkWitness, keyIdOf, signCheckpoint, type SignedCheckpoint, type TrustedKey, type WitnessedHead, type WitnessReport } from '#core';
import { pageQuery, PrismaService, toPage, type Page, type PageRequest } from '#db';
import { OutboxWriter } from '#events';

import { AuditSigningKeyService } from './audit-signing-key.service.js';

export interface AuditCheckpointView extends SignedCheckpoint {
  id: string;
  publicKey: string;
}

export interface CheckpointBreak {
  predictionId: string;
  sequence: number;
  reason: 'checkpoint_mismatch' | 'checkpoint_entry_missing' | 'checkpoint_signature_invalid';
  /** For a copy that no longer matches: the first entry that may have been rewritten (see WitnessBreak). */
  changedFrom?: number;
}

/** A copy of a signed head or checkpoint someone kept outside the database, brought back to be checked. */
export type SavedCheckpoint = WitnessedHead;

const WITNESS_REASONS = {
  witness_mismatch: 'checkpoint_mismatch',
  witness_entry_missing: 'checkpoint_entry_missing',
  witness_prediction_missing: 'checkpoint_entry_missing',
  witness_signature_invalid: 'checkpoint_signature_invalid',
  witness_key_untrusted: 'checkpoint_signature_invalid',
} as const;

/**
 * Signed checkpoints of the audit trail: every hour (and on demand) each chain
 * head that moved is countersigned and published, to webhooks as
 * `audit.checkpoints_signed`, so copies of the heads live outside the database.
 * A head is countersigned only if the signature it got when it moved holds:
 * someone who rewrote the trail in the database cannot have it signed anew.
 */
@Injectable()
export class AuditCheckpointsService {
  private readonly logger = new Logger(AuditCheckpointsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxWriter,
    private readonly keys: AuditSigningKeyService,
  ) {}

  /** base64 SPKI DER of the key in use: what to compare a checkpoint's key with. */
  get publicKeyText(): string {
    return this.keys.publicKeyText;
  }

  /**
   * Countersigns the head of every chain that moved since its last checkpoint,
   * and announces them (an `audit.checkpoints_signed` event, in the same
   * transaction). A head whose own signature is missing or does not hold is not
   * signed: it is logged, and verification names it. Two runs at once sign each
   * head once (unique per chain and sequence).
   */
  async signHeads(now = new Date()): Promise<AuditCheckpointView[]> {
    const heads = await this.prisma.$queryRaw<{ id: string; auditSequence: number; auditHash: string; signedAt: Date | null; keyId: string | null; signature: string | null }[]>`
      SELECT p."id", p."auditSequence", p."auditHash", s."signedAt", s."keyId", s."signature" FROM "Prediction" p
        LEFT JOIN "ChainHeadSignature" s ON s."predictionId" = p."id" AND s."sequence" = p."auditSequence"
       WHERE p."auditSequence" > 0
         AND NOT EXISTS (SELECT 1 FROM "AuditCheckpoint" c WHERE c."predictionId" = p."id" AND c."sequence" = p."auditSequence")
       ORDER BY p."id"`;
    if (heads.length === 0) return [];
    const trusted = await this.keys.trusted();
    const held = heads.filter((head) => {
      const key = head.keyId ? trusted.get(head.keyId) : undefined;
      const holds =
        key !== undefined &&
        checkpointSignatureValid({ predictionId: head.id, sequence: head.auditSequence, hash: head.auditHash, signedAt: head.signedAt!.toISOString(), signature: head.signature! }, key.key);
      if (!holds) this.logger.error(`Not countersigning the head of prediction ${head.id} (entry ${head.auditSequence}): its own signature is ${head.signature ? 'not valid' : 'missing'}`);
      return holds;
    });
    if (held.length === 0) return [];
    const signedAt = new Date(Math.floor(now.getTime())).toISOString();
    const publicKey = this.keys.publicKeyText;
    const signed = held.map((head) => signCheckpoint({ predictionId: head.id, sequence: head.auditSequence, hash: head.auditHash, signedAt }, this.keys.privateKey));
    return this.prisma.$transaction(async (tx) => {
      const created = await tx.auditCheckpoint.createManyAndReturn({
        data: signed.map((checkpoint) => ({ ...checkpoint, signedAt: new Date(checkpoint.signedAt), publicKey })),
        skipDuplicates: true,
      });
      const views = created.map(toView);
      if (views.length > 0) {
        await this.outbox.write(tx, [
          {
            type: 'audit.checkpoints_signed',
            predictionId: null,
            payload: {
              publicKey,
              keyId: keyIdOf(publicKey),
              checkpoints: views.map(({ predictionId, sequence, hash, signedAt, signature }) => ({ predictionId, sequence, hash, signedAt, signature })),
            },
          },
        ]);
      }
      return views;
    });
  }

  async list(page: PageRequest): Promise<Page<AuditCheckpointView>> {
    const rows = await this.prisma.auditCheckpoint.findMany(pageQuery(page));
    return toPage(rows.map(toView), page.limit);
  }

  /**
   * Checks the stored checkpoints: each must be signed by a trusted key, and the
   * trail must still hold, at its sequence, the entry whose hash it signed.
   */
  async verify(trusted: ReadonlyMap<string, TrustedKey>): Promise<{ checked: number; broken: CheckpointBreak[] }> {
    const stored = await this.prisma.auditCheckpoint.findMany({ orderBy: { id: 'asc' } });
    if (stored.length === 0) return { checked: 0, broken: [] };
    const report = await this.checkCopies(
      stored.map((row) => ({ ...toView(row), keyId: keyIdOf(row.publicKey) })),
      trusted,
    );
    return { checked: stored.length, broken: report.broken };
  }

  /**
   * Checks copies kept outside the database (saved checkpoints, a witness
   * file's heads) against the trail: which entries each chain's latest holding
   * copy proves, which came after it, and every copy that no longer holds.
   */
  async checkCopies(copies: readonly SavedCheckpoint[], trusted: ReadonlyMap<string, TrustedKey>): Promise<{ report: WitnessReport; broken: CheckpointBreak[] }> {
    if (copies.length === 0) return { report: { checked: 0, proofs: [], broken: [] }, broken: [] };
    const predictionIds = [...new Set(copies.map((copy) => copy.predictionId))];
    const [entries, predictions] = await Promise.all([
      this.prisma.$queryRaw<{ predictionId: string; sequence: number; hash: string }[]>`
        SELECT e."predictionId", e."sequence", e."hash" FROM "AuditEntry" e
        JOIN unnest(${copies.map((c) => c.predictionId)}::uuid[], ${copies.map((c) => c.sequence)}::int[]) AS wanted(prediction_id, seq)
          ON e."predictionId" = wanted.prediction_id AND e."sequence" = wanted.seq`,
      this.prisma.prediction.findMany({ where: { id: { in: predictionIds } }, select: { id: true, auditSequence: true } }),
    ]);
    const hashAt = new Map(entries.map((entry) => [`${entry.predictionId}:${entry.sequence}`, entry.hash]));
    const heads = new Map(predictions.map((prediction) => [prediction.id, prediction.auditSequence]));
    const report = checkWitness(copies, { hashAt: (predictionId, sequence) => hashAt.get(`${predictionId}:${sequence}`), headSequence: (predictionId) => heads.get(predictionId) }, trusted);
    const broken = report.broken.map(({ predictionId, sequence, reason, changedFrom }) => ({
      predictionId,
      sequence,
      reason: WITNESS_REASONS[reason],
      ...(changedFrom !== undefined ? { changedFrom } : {}),
    }));
    return { report, broken };
  }
}

function toView(row: { id: string; predictionId: string; sequence: number; hash: string; signedAt: Date; publicKey: string; signature: string }): AuditCheckpointView {
  return { id: row.id, predictionId: row.predictionId, sequence: row.sequence, hash: row.hash, signedAt: row.signedAt.toISOString(), publicKey: row.publicKey, signature: row.signature };
}
