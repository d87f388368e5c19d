import { Injectable } from '@nestjs/common';

import { applyDelta, GENESIS_HASH, hashAuditEntry } from '#core';
import { Prisma, type AuditEntry, type AuditKind, type PrismaTransaction } from '#db';

import { ForecastDivergenceService } from './forecast-divergence.service.js';

/** The prediction columns the trail reads and moves; the caller holds the row lock. */
export interface ChainHead {
  id: string;
  logOdds: number;
  auditSequence: number;
  auditHash: string;
}

export interface AuditMove {
  kind: AuditKind;
  deltaLogOdds: number;
  actor: string;
  evidenceId?: string | null;
  reason?: string | null;
  detail?: Prisma.InputJsonObject | null;
  /** The entry's time when it must equal another row's (a prediction's creation and its prior); default now. */
  at?: Date;
}

/**
 * The fields an entry's hash covers, in one place so writing and verifying can
 * never disagree. Everything that states what happened is covered: the move,
 * its cause, who made it and when.
 */
export function auditEntryContent(
  entry: Omit<AuditEntry, 'id' | 'prevHash' | 'hash' | 'detail'> & { detail: unknown },
): Record<string, unknown> {
  return {
    predictionId: entry.predictionId,
    sequence: entry.sequence,
    kind: entry.kind,
    evidenceId: entry.evidenceId,
    logOddsBefore: entry.logOddsBefore,
    deltaLogOdds: entry.deltaLogOdds,
    logOddsAfter: entry.logOddsAfter,
    probabilityBefore: entry.probabilityBefore,
    probabilityAfter: entry.probabilityAfter,
    actor: entry.actor,
    reason: entry.reason,
    detail: entry.detail,
    createdAt: entry.createdAt,
  };
}

@Injectable()
export class AuditTrailService {
  constructor(private readonly divergence: ForecastDivergenceService) {}

  /**
   * Appends one move to a prediction's chain and moves the prediction with it,
   * inside the caller's transaction. O(1): the head (sequence, hash, log-odds)
   * lives on the prediction row, which the caller has locked FOR UPDATE.
   */
  async append(tx: PrismaTransaction, head: ChainHead, move: AuditMove): Promise<AuditEntry> {
    const step = applyDelta(head.logOdds, move.deltaLogOdds);
    // Millisecond precision: the column keeps milliseconds, and the hash must survive the round trip.
    const createdAt = new Date(Math.floor(move.at?.getTime() ?? Date.now()));
    const unhashed = {
      predictionId: head.id,
      sequence: head.auditSequence + 1,
      kind: move.kind,
      evidenceId: move.evidenceId ?? null,
      logOddsBefore: step.logOddsBefore,
      deltaLogOdds: step.deltaLogOdds,
      logOddsAfter: step.logOddsAfter,
      probabilityBefore: step.probabilityBefore,
      probabilityAfter: step.probabilityAfter,
      actor: move.actor,
      reason: move.reason ?? null,
      detail: move.detail ?? null,
      createdAt,
    };
    const prevHash = head.auditSequence === 0 ? GENESIS_HASH : head.auditHash;
    const hash = hashAuditEntry(prevHash, auditEntryContent(unhashed));
    const entry = await tx.auditEntry.create({
      data: { ...unhashed, detail: unhashed.detail ?? Prisma.DbNull, prevHash, hash },
    });
    await tx.prediction.update({
      where: { id: head.id },
      data: {
        logOdds: step.logOddsAfter,
        probability: step.probabilityAfter,
        auditSequence: unhashed.sequence,
        auditHash: hash,
      },
    });
    head.logOdds = step.logOddsAfter;
    head.auditSequence = unhashed.sequence;
    head.auditHash = hash;
    // Every move of the model passes here, so a move that parts it from the team forecast is announced whatever its cause.
    await this.divergence.afterModelMove(tx, head, step.probabilityBefore, step.probabilityAfter, move.actor);
    return entry;
  }
}
