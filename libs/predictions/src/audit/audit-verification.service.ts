import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

import { checkpointSignatureValid, GENESIS_HASH, hashAuditEntry, NotFoundError, uuidV7, type TrustedKey, type WitnessReport } from '#core';
import { PrismaService } from '#db';

import { AuditCheckpointsService, type SavedCheckpoint } from './audit-checkpoints.service.js';
import { AuditSigningKeyService } from './audit-signing-key.service.js';
import { auditEntryContent } from '../chain/audit-entry.js';

export interface BrokenAuditEntry {
  predictionId: string;
  sequence: number;
  reason: string;
}

export interface AuditVerification {
  ok: boolean;
  chains: number;
  entries: number;
  firstBroken: BrokenAuditEntry | null;
  /** Every broken entry of every chain (up to MAX_REPORTED_BREAKS), so one break cannot hide a later one. */
  broken: BrokenAuditEntry[];
  brokenCount: number;
  /** Signed checkpoints checked against the trail: the stored ones and those the caller brought. */
  checkpoints: number;
  /** Chain heads whose signature (made in the transaction that moved them) was checked. */
  signedHeads: number;
  /** What the copies the caller brought (saved checkpoints, a witness file's heads) prove: per chain, entries 1 to `provenThrough`, and how many came after. */
  witness: WitnessReport | null;
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  /** The chain's head carries a valid signature by a trusted key. */
  headSigned: boolean;
  firstBroken: { sequence: number; reason: string } | null;
  broken: { sequence: number; reason: string }[];
}

/** Breaks listed in one answer; the count is always exact. */
export const MAX_REPORTED_BREAKS = 1000;

const BATCH = 2000;

type ChainBreak = { sequence: number; reason: string };

/**
 * Recomputes every prediction's hash chain and the replay invariant (folding the
 * entries from the prior reproduces the stored log-odds, sequence and head hash)
 * and checks the signatures made as the heads moved: the head of every chain
 * must carry a valid signature by a trusted key, and every signed head must
 * still be in the trail as it was signed.
 */
@Injectable()
export class AuditVerificationService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditVerificationService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly checkpoints: AuditCheckpointsService,
    private readonly keys: AuditSigningKeyService,
  ) {}

  /**
   * On a deployment's first start with a signing key (an upgrade from before
   * heads were signed), each chain head without a signature is signed once, if
   * its chain verifies. Afterwards nothing is ever signed that did not get its
   * signature as it moved: an unsigned head is a break.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.keys.firstRegistration) return;
    const unsigned = await this.prisma.$queryRaw<{ id: string; priorLogOdds: number; logOdds: number; auditSequence: number; auditHash: string; createdAt: Date }[]>`
      SELECT p."id", p."priorLogOdds", p."logOdds", p."auditSequence", p."auditHash", e."createdAt" FROM "Prediction" p
        JOIN "AuditEntry" e ON e."predictionId" = p."id" AND e."sequence" = p."auditSequence"
       WHERE NOT EXISTS (SELECT 1 FROM "ChainHeadSignature" s WHERE s."predictionId" = p."id" AND s."sequence" = p."auditSequence")
       ORDER BY p."id"`;
    let signed = 0;
    for (const head of unsigned) {
      const result = await this.verifyChain(head, new Map(), false);
      if (result.broken.length > 0) {
        this.logger.error(`Not signing the head of prediction ${head.id}: its chain does not verify (${result.broken.map((entry) => `${entry.sequence} ${entry.reason}`).join(', ')})`);
        continue;
      }
      const signature = this.keys.signHead({ predictionId: head.id, sequence: head.auditSequence, hash: head.auditHash, signedAt: head.createdAt.toISOString() });
      await this.prisma.chainHeadSignature.createMany({
        data: [{ id: uuidV7(head.createdAt.getTime()), predictionId: head.id, sequence: head.auditSequence, hash: head.auditHash, signedAt: head.createdAt, ...signature }],
        skipDuplicates: true,
      });
      signed += 1;
    }
    if (signed > 0) this.logger.log(`Signed the heads of ${signed} chains written before heads were signed`);
  }

  /**
   * Every chain, entry by entry, with its signed heads; then every stored
   * checkpoint and every copy the caller brought (`saved`: checkpoints or a
   * witness file's heads, kept outside the database) against the trail. A
   * history rewritten by someone with database access, recomputed hashes and
   * deleted signatures passes the hash check, not the signatures; and with the
   * signatures and checkpoints deleted too, not the copies kept elsewhere.
   * `trustedKeys` adds keys the caller vouches for (an old key's public key).
   */
  async verifyAll(saved: readonly SavedCheckpoint[] = [], trustedKeys: readonly string[] = []): Promise<AuditVerification> {
    const predictions = await this.prisma.prediction.findMany({
      select: { id: true, priorLogOdds: true, logOdds: true, auditSequence: true, auditHash: true },
      orderBy: { id: 'asc' },
    });
    const trusted = await this.keys.trusted(trustedKeys);
    let entries = 0;
    let brokenCount = 0;
    let signedHeads = 0;
    const broken: BrokenAuditEntry[] = [];
    for (const prediction of predictions) {
      const result = await this.verifyChain(prediction, trusted);
      entries += result.entries;
      if (result.headSigned) signedHeads += 1;
      brokenCount += result.broken.length;
      for (const entry of result.broken) if (broken.length < MAX_REPORTED_BREAKS) broken.push({ predictionId: prediction.id, ...entry });
    }
    const checkpoints = await this.checkpoints.verify(trusted);
    const copies = await this.checkpoints.checkCopies(saved, trusted);
    for (const entry of [...checkpoints.broken, ...copies.broken]) {
      brokenCount += 1;
      if (broken.length < MAX_REPORTED_BREAKS) broken.push(entry);
    }
    return {
      ok: brokenCount === 0,
      chains: predictions.length,
      entries,
      firstBroken: broken[0] ?? null,
      broken,
      brokenCount,
      checkpoints: checkpoints.checked + saved.length,
      signedHeads,
      witness: saved.length > 0 ? copies.report : null,
    };
  }

  /** One prediction's chain, for a page that shows whether its own trail holds. */
  async verifyPrediction(predictionId: string): Promise<ChainVerification> {
    const prediction = await this.prisma.prediction.findUnique({
      where: { id: predictionId },
      select: { id: true, priorLogOdds: true, logOdds: true, auditSequence: true, auditHash: true },
    });
    if (!prediction) throw new NotFoundError('Prediction', predictionId, 'id');
    const result = await this.verifyChain(prediction, await this.keys.trusted());
    return {
      ok: result.broken.length === 0,
      entries: result.entries,
      headSigned: result.headSigned,
      firstBroken: result.broken[0] ?? null,
      broken: result.broken.slice(0, MAX_REPORTED_BREAKS),
    };
  }

  /**
   * Checks every entry of one chain and goes on past a break: each entry is
   * checked against its stored predecessor (link, own hash, replay step), so
   * a second tampered entry after a first is reported too, not hidden by it.
   * Each signed head must name an entry that still has the hash it signed, and
   * the chain's head must carry a valid signature by a trusted key (unless
   * `signatures` is off: before the first key, nothing was signed).
   */
  private async verifyChain(
    prediction: { id: string; priorLogOdds: number; logOdds: number; auditSequence: number; auditHash: string },
    trusted: ReadonlyMap<string, TrustedKey>,
    signatures = true,
  ): Promise<{ entries: number; broken: ChainBreak[]; headSigned: boolean }> {
    const broken: ChainBreak[] = [];
    let expectedSequence = 1;
    let prevHash = GENESIS_HASH;
    let logOdds = prediction.priorLogOdds;
    let count = 0;
    for (;;) {
      const batch = await this.prisma.auditEntry.findMany({
        where: { predictionId: prediction.id, sequence: { gte: expectedSequence } },
        orderBy: { sequence: 'asc' },
        take: BATCH,
      });
      const signed =
        signatures && batch.length > 0
          ? await this.prisma.chainHeadSignature.findMany({
              where: { predictionId: prediction.id, sequence: { gte: batch[0]!.sequence, lte: batch.at(-1)!.sequence } },
              select: { sequence: true, hash: true },
            })
          : [];
      const signedHash = new Map(signed.map((head) => [head.sequence, head.hash]));
      for (const entry of batch) {
        count += 1;
        if (entry.sequence !== expectedSequence) broken.push({ sequence: expectedSequence, reason: 'sequence_gap' });
        else if (entry.prevHash !== prevHash) broken.push({ sequence: entry.sequence, reason: 'prev_hash_mismatch' });
        else if (hashAuditEntry(prevHash, auditEntryContent(entry)) !== entry.hash) broken.push({ sequence: entry.sequence, reason: 'hash_mismatch' });
        else if (entry.logOddsBefore !== logOdds || entry.logOddsAfter !== logOdds + entry.deltaLogOdds) broken.push({ sequence: entry.sequence, reason: 'replay_mismatch' });
        // The hash a head was signed over, made when it moved: an entry rewritten later, however its hashes were recomputed, no longer has it.
        const hash = signedHash.get(entry.sequence);
        if (hash !== undefined && hash !== entry.hash) broken.push({ sequence: entry.sequence, reason: 'head_signature_mismatch' });
        // Go on from what is stored, so each later entry is judged on its own.
        logOdds = entry.logOddsAfter;
        prevHash = entry.hash;
        expectedSequence = entry.sequence + 1;
      }
      if (batch.length < BATCH) break;
    }
    if (expectedSequence - 1 !== prediction.auditSequence || prevHash !== prediction.auditHash || logOdds !== prediction.logOdds) {
      broken.push({ sequence: expectedSequence, reason: 'head_mismatch' });
    }
    if (!signatures) return { entries: count, broken, headSigned: false };
    // Signatures of entries the trail no longer holds: the chain was cut back after they were signed.
    const beyond = await this.prisma.chainHeadSignature.findMany({
      where: { predictionId: prediction.id, sequence: { gt: expectedSequence - 1 } },
      select: { sequence: true },
      orderBy: { sequence: 'asc' },
    });
    for (const head of beyond) broken.push({ sequence: head.sequence, reason: 'head_signature_entry_missing' });
    const headSigned = prediction.auditSequence === 0 || (await this.headSignatureHolds(prediction, trusted, broken));
    return { entries: count, broken, headSigned };
  }

  /** The chain's head as stored must carry a valid signature, by a key the caller trusts, over its prediction, sequence, hash and time. */
  private async headSignatureHolds(
    prediction: { id: string; auditSequence: number; auditHash: string },
    trusted: ReadonlyMap<string, TrustedKey>,
    broken: ChainBreak[],
  ): Promise<boolean> {
    const head = await this.prisma.chainHeadSignature.findUnique({ where: { predictionId_sequence: { predictionId: prediction.id, sequence: prediction.auditSequence } } });
    // A signature over another hash than the head's was named as the chain was walked (or the head does not match its chain).
    if (head && head.hash !== prediction.auditHash) return false;
    const reason = !head
      ? 'head_unsigned'
      : !trusted.has(head.keyId)
        ? 'head_signature_untrusted'
        : !checkpointSignatureValid(
              { predictionId: head.predictionId, sequence: head.sequence, hash: head.hash, signedAt: head.signedAt.toISOString(), signature: head.signature },
              trusted.get(head.keyId)!.key,
            )
          ? 'head_signature_invalid'
          : null;
    if (reason) broken.push({ sequence: prediction.auditSequence, reason });
    return reason === null;
  }
}
