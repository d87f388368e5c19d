import { Injectable } from '@nestjs/common';

import { GENESIS_HASH, hashAuditEntry, NotFoundError } from '#core';
import { PrismaService } from '#db';

import { auditEntryContent } from './audit-trail.service.js';

export interface AuditVerification {
  ok: boolean;
  chains: number;
  entries: number;
  firstBroken: { predictionId: string; sequence: number; reason: string } | null;
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  firstBroken: { sequence: number; reason: string } | null;
}

const BATCH = 2000;

/**
 * Recomputes every prediction's hash chain and the replay invariant: folding the
 * entries from the prior reproduces the stored log-odds, sequence and head hash.
 */
@Injectable()
export class AuditVerificationService {
  constructor(private readonly prisma: PrismaService) {}

  async verifyAll(): Promise<AuditVerification> {
    const predictions = await this.prisma.prediction.findMany({
      select: { id: true, priorLogOdds: true, logOdds: true, auditSequence: true, auditHash: true },
      orderBy: { id: 'asc' },
    });
    let entries = 0;
    for (const prediction of predictions) {
      const result = await this.verifyChain(prediction);
      entries += result.entries;
      if (result.broken) {
        return { ok: false, chains: predictions.length, entries, firstBroken: { predictionId: prediction.id, ...result.broken } };
      }
    }
    return { ok: true, chains: predictions.length, entries, firstBroken: null };
  }

  /** One prediction's chain, for a page that shows whether its own trail holds. */
  async verifyPrediction(predictionId: string): Promise<ChainVerification> {
    const prediction = await this.prisma.prediction.findUnique({
      where: { id: predictionId },
      select: { id: true, priorLogOdds: true, logOdds: true, auditSequence: true, auditHash: true },
    });
    if (!prediction) throw new NotFoundError('Prediction', predictionId, 'id');
    const result = await this.verifyChain(prediction);
    return { ok: !result.broken, entries: result.entries, firstBroken: result.broken ?? null };
  }

  private async verifyChain(prediction: {
    id: string;
    priorLogOdds: number;
    logOdds: number;
    auditSequence: number;
    auditHash: string;
  }): Promise<{ entries: number; broken?: { sequence: number; reason: string } }> {
    let expectedSequence = 1;
    let prevHash = GENESIS_HASH;
    let logOdds = prediction.priorLogOdds;
    for (;;) {
      const batch = await this.prisma.auditEntry.findMany({
        where: { predictionId: prediction.id, sequence: { gte: expectedSequence } },
        orderBy: { sequence: 'asc' },
        take: BATCH,
      });
      for (const entry of batch) {
        const broken = (reason: string) => ({ entries: expectedSequence, broken: { sequence: entry.sequence, reason } });
        if (entry.sequence !== expectedSequence) return { entries: expectedSequence - 1, broken: { sequence: expectedSequence, reason: 'sequence_gap' } };
        if (entry.prevHash !== prevHash) return broken('prev_hash_mismatch');
        if (hashAuditEntry(prevHash, auditEntryContent(entry)) !== entry.hash) return broken('hash_mismatch');
        if (entry.logOddsBefore !== logOdds || entry.logOddsAfter !== logOdds + entry.deltaLogOdds) return broken('replay_mismatch');
        logOdds = entry.logOddsAfter;
        prevHash = entry.hash;
        expectedSequence += 1;
      }
      if (batch.length < BATCH) break;
    }
    const count = expectedSequence - 1;
    if (count !== prediction.auditSequence || prevHash !== prediction.auditHash || logOdds !== prediction.logOdds) {
      return { entries: count, broken: { sequence: count + 1, reason: 'head_mismatch' } };
    }
    return { entries: count };
  }
}
