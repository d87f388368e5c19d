import { createPublicKey, type KeyObject } from 'node:crypto';

import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';

import { AppConfig } from '#config';
import { checkpointSignatureValid, publicKeyText, signCheckpoint, type SignedCheckpoint } from '#core';
import { pageQuery, PrismaService, toPage, type Page, type PageRequest } from '#db';
import { OutboxWriter } from '#events';

import { loadAuditSigningKey, signingKeyFile } from './audit-signing-key.js';

export interface AuditCheckpointView extends SignedCheckpoint {
  id: string;
  publicKey: string;
}

export interface CheckpointBreak {
  predictionId: string;
  sequence: number;
  reason: 'checkpoint_mismatch' | 'checkpoint_entry_missing' | 'checkpoint_signature_invalid';
}

/**
 * Signed checkpoints of the audit trail: each chain's head (sequence, hash,
 * time) signed with an Ed25519 key kept outside the database. Someone who can
 * write to the database can disable the append-only trigger and recompute
 * every hash; they cannot sign, so a rewrite no longer matches the published
 * checkpoints (the stored ones, and every copy a user saved).
 */
@Injectable()
export class AuditCheckpointsService implements OnModuleInit {
  private readonly logger = new Logger(AuditCheckpointsService.name);
  private signingKey!: KeyObject;
  private verifyingKey!: KeyObject;
  private publicKey!: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxWriter,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.DATABASE_URL && !this.config.AUDIT_SIGNING_KEY) {
      // Processes on other machines would each generate a key of their own, and refuse each other's checkpoints.
      this.logger.warn(`AUDIT_SIGNING_KEY is unset: signing audit checkpoints with the key in ${signingKeyFile(this.config)}; set AUDIT_SIGNING_KEY so every process signs with the same key`);
    }
    this.signingKey = await loadAuditSigningKey(this.config);
    this.verifyingKey = createPublicKey(this.signingKey);
    this.publicKey = publicKeyText(this.verifyingKey);
  }

  /** base64 SPKI DER: what to compare a checkpoint's key with. */
  get publicKeyText(): string {
    return this.publicKey;
  }

  /**
   * Signs the head of every chain that moved since its last checkpoint, and
   * announces them (an `audit.checkpoints_signed` event, in the same
   * transaction). Two runs at once sign each head once (unique per chain and sequence).
   */
  async signHeads(now = new Date()): Promise<AuditCheckpointView[]> {
    const heads = await this.prisma.$queryRaw<{ id: string; auditSequence: number; auditHash: string }[]>`
      SELECT p."id", p."auditSequence", p."auditHash" FROM "Prediction" p
      WHERE NOT EXISTS (SELECT 1 FROM "AuditCheckpoint" c WHERE c."predictionId" = p."id" AND c."sequence" = p."auditSequence")
      ORDER BY p."id"`;
    if (heads.length === 0) return [];
    const signedAt = new Date(Math.floor(now.getTime())).toISOString();
    const signed = heads.map((head) => signCheckpoint({ predictionId: head.id, sequence: head.auditSequence, hash: head.auditHash, signedAt }, this.signingKey));
    return this.prisma.$transaction(async (tx) => {
      const created = await tx.auditCheckpoint.createManyAndReturn({
        data: signed.map((checkpoint) => ({ ...checkpoint, signedAt: new Date(checkpoint.signedAt), publicKey: this.publicKey })),
        skipDuplicates: true,
      });
      const views = created.map(toView);
      if (views.length > 0) {
        await this.outbox.write(tx, [
          {
            type: 'audit.checkpoints_signed',
            predictionId: null,
            payload: { publicKey: this.publicKey, checkpoints: views.map(({ predictionId, sequence, hash, signedAt, signature }) => ({ predictionId, sequence, hash, signedAt, signature })) },
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
   * Checks the stored checkpoints and any a user saved earlier: each must be
   * signed by our key, and the trail must still hold, at its sequence, the
   * entry whose hash it signed.
   */
  async verify(saved: readonly SignedCheckpoint[] = []): Promise<{ checked: number; broken: CheckpointBreak[] }> {
    const stored = (await this.prisma.auditCheckpoint.findMany({ orderBy: { id: 'asc' } })).map(toView);
    const checkpoints = [...stored, ...saved];
    if (checkpoints.length === 0) return { checked: 0, broken: [] };
    const entries = await this.prisma.$queryRaw<{ predictionId: string; sequence: number; hash: string }[]>`
      SELECT e."predictionId", e."sequence", e."hash" FROM "AuditEntry" e
      JOIN unnest(${checkpoints.map((c) => c.predictionId)}::uuid[], ${checkpoints.map((c) => c.sequence)}::int[]) AS wanted(prediction_id, seq)
        ON e."predictionId" = wanted.prediction_id AND e."sequence" = wanted.seq`;
    const hashAt = new Map(entries.map((entry) => [`${entry.predictionId}:${entry.sequence}`, entry.hash]));
    const broken: CheckpointBreak[] = [];
    const seen = new Set<string>();
    for (const checkpoint of checkpoints) {
      const where = { predictionId: checkpoint.predictionId, sequence: checkpoint.sequence };
      const reason = !checkpointSignatureValid(checkpoint, this.verifyingKey)
        ? 'checkpoint_signature_invalid'
        : !hashAt.has(`${checkpoint.predictionId}:${checkpoint.sequence}`)
          ? 'checkpoint_entry_missing'
          : hashAt.get(`${checkpoint.predictionId}:${checkpoint.sequence}`) !== checkpoint.hash
            ? 'checkpoint_mismatch'
            : null;
      const key = `${where.predictionId}:${where.sequence}:${reason}`;
      if (reason && !seen.has(key)) {
        seen.add(key);
        broken.push({ ...where, reason });
      }
    }
    return { checked: checkpoints.length, broken };
  }
}

function toView(row: { id: string; predictionId: string; sequence: number; hash: string; signedAt: Date; publicKey: string; signature: string }): AuditCheckpointView {
  return { id: row.id, predictionId: row.predictionId, sequence: row.sequence, hash: row.hash, signedAt: row.signedAt.toISOString(), publicKey: row.publicKey, signature: row.signature };
}
