import { Injectable } from '@nestjs/common';

import { GENESIS_HASH, hashAuditEntry, NotFoundError, type SignedCheckpoint } from '#core';
import { PrismaService } from '#db';

import { AuditCheckpointsService } from './audit-checkpoints.service.js';
import { auditEntryContent } from './audit-trail.service.js';

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
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  firstBroken: { sequence: number; reason: string } | null;
  broken: { sequence: number; reason: string }[];
}

/** Breaks listed in one answer; the count is always exact. */
export const MAX_REPORTED_BREAKS = 1000;

const BATCH = 2000;

/**
 * Recomputes every prediction's hash chain and the replay invariant: folding the
 * entries from the prior reproduces the stored log-odds, sequence and head hash.
 */
@Injectable()
export class AuditVerificationService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly checkpoints: AuditCheckpointsService,
  ) {}

  /**
   * Every chain, entry by entry, then every signed checkpoint (stored, and
   * `saved` ones a user kept) against the trail: a history rewritten by someone
   * with database access and recomputed hashes passes the first check, not the second.
   */
  async verifyAll(saved: readonly SignedCheckpoint[] = []): Promise<AuditVerification> {
    const predictions = await this.prisma.prediction.findMany({
      select: { id: true, priorLogOdds: true, logOdds: true, auditSequence: true, auditHash: true },
      orderBy: { id: 'asc' },
    });
    let entries = 0;
    let brokenCount = 0;
    const broken: BrokenAuditEntry[] = [];
    for (const prediction of predictions) {
      const result = await this.verifyChain(prediction);
      entries += result.entries;
      brokenCount += result.broken.length;
      for (const entry of result.broken) if (broken.length < MAX_REPORTED_BREAKS) broken.push({ predictionId: prediction.id, ...entry });
    }
    const checkpoints = await this.checkpoints.verify(saved);
    brokenCount += checkpoints.broken.length;
    for (const entry of checkpoints.broken) if (broken.length < MAX_REPORTED_BREAKS) broken.push(entry);
    return { ok: brokenCount === 0, chains: predictions.length, entries, firstBroken: broken[0] ?? null, broken, brokenCount, checkpoints: checkpoints.checked };
  }

  /** One prediction's chain, for a page that shows whether its own trail holds. */
  async verifyPrediction(predictionId: string): Promise<ChainVerification> {
    const prediction = await this.prisma.prediction.findUnique({
      where: { id: predictionId },
      select: { id: true, priorLogOdds: true, logOdds: true, auditSequence: true, auditHash: true },
    });
    if (!prediction) throw new NotFoundError('Prediction', predictionId, 'id');
    const result = await this.verifyChain(prediction);
    return { ok: result.broken.length === 0, entries: result.entries, firstBroken: result.broken[0] ?? null, broken: result.broken.slice(0, MAX_REPORTED_BREAKS) };
  }

  /**
   * Checks every entry of one chain and goes on past a break: each entry is
   * checked against its stored predecessor (link, own hash, replay step), so
   * a second tampered entry after a first is reported too, not hidden by it.
   */
  private async verifyChain(prediction: {
    id: string;
    priorLogOdds: number;
    logOdds: number;
    auditSequence: number;
    auditHash: string;
  }): Promise<{ entries: number; broken: { sequence: number; reason: string }[] }> {
    const broken: { sequence: number; reason: string }[] = [];
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
      for (const entry of batch) {
        count += 1;
        if (entry.sequence !== expectedSequence) broken.push({ sequence: expectedSequence, reason: 'sequence_gap' });
        else if (entry.prevHash !== prevHash) broken.push({ sequence: entry.sequence, reason: 'prev_hash_mismatch' });
        else if (hashAuditEntry(prevHash, auditEntryContent(entry)) !== entry.hash) broken.push({ sequence: entry.sequence, reason: 'hash_mismatch' });
        else if (entry.logOddsBefore !== logOdds || entry.logOddsAfter !== logOdds + entry.deltaLogOdds) broken.push({ sequence: entry.sequence, reason: 'replay_mismatch' });
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
    return { entries: count, broken };
  }
}
