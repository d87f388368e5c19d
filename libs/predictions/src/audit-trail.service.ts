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

/** An entry ready to write: everything but its id, hashed onto the chain it extends. */
export type ChainedAuditEntry = Omit<AuditEntry, 'id' | 'detail'> & { detail: Prisma.InputJsonObject | null };

/**
 * The entry a move appends to a chain whose head is `head`: the move applied to
 * the head's log-odds, the sequence after the head's, hashed onto the head's
 * hash. Pure: writing the entry and moving the head are the caller's.
 */
export function chainedAuditEntry(head: ChainHead, move: AuditMove): ChainedAuditEntry {
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
  return { ...unhashed, prevHash, hash: hashAuditEntry(prevHash, auditEntryContent(unhashed)) };
}

/** Moves the in-memory head to the entry just written, so a second move in the same transaction chains onto it. */
export function advanceHead(head: ChainHead, entry: ChainedAuditEntry): void {
  head.logOdds = entry.logOddsAfter;
  head.auditSequence = entry.sequence;
  head.auditHash = entry.hash;
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
    const next = chainedAuditEntry(head, move);
    const entry = await tx.auditEntry.create({ data: { ...next, detail: next.detail ?? Prisma.DbNull } });
    await tx.prediction.update({
      where: { id: head.id },
      data: { logOdds: next.logOddsAfter, probability: next.probabilityAfter, auditSequence: next.sequence, auditHash: next.hash },
    });
    advanceHead(head, next);
    // A move that parts the model from the team forecast is announced whatever its cause (evidence checks its own moves in one batch).
    await this.divergence.afterModelMove(tx, head, next.probabilityBefore, next.probabilityAfter, move.actor);
    return entry;
  }
}
