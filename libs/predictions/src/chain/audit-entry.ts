import { applyDelta, auditEntryContent, GENESIS_HASH, gridDelta, hashAuditEntry } from '#core';
import type { AuditEntry, AuditKind, Prisma } from '#db';

/** The prediction columns a chain reads and moves: its head. The caller holds the row lock. */
export interface ChainHead {
  id: string;
  logOdds: number;
  auditSequence: number;
  auditHash: string;
}

export interface AuditMove {
  kind: AuditKind;
  /** The intended move; the entry records it landed on the log-odds grid (gridDelta), which from a grid value is exact. */
  deltaLogOdds: number;
  actor: string;
  evidenceId?: string | null;
  reason?: string | null;
  detail?: Prisma.InputJsonObject | null;
  /** The entry's time when it must equal another row's (a prediction's creation and its prior); default now. */
  at?: Date;
}

/** The fields an entry's hash covers: one definition in #core, which the offline verifier of an export shares. */
export { auditEntryContent };

/** An entry ready to write: everything but its id, hashed onto the chain it extends. */
export type ChainedAuditEntry = Omit<AuditEntry, 'id' | 'detail'> & { detail: Prisma.InputJsonObject | null };

/**
 * The entry a move appends to a chain whose head is `head`: the move applied to
 * the head's log-odds, landing on the log-odds grid (so moves commute and undo
 * each other exactly: #core log-odds-grid.ts), the sequence after the head's,
 * hashed onto the head's hash. Pure: writing the entry and moving the head are
 * the repository's.
 */
export function chainedAuditEntry(head: ChainHead, move: AuditMove): ChainedAuditEntry {
  const step = applyDelta(head.logOdds, gridDelta(head.logOdds, move.deltaLogOdds));
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

/** Moves the in-memory head to the entry just made, so a second move in the same transaction chains onto it. */
export function advanceHead(head: ChainHead, entry: ChainedAuditEntry): void {
  head.logOdds = entry.logOddsAfter;
  head.auditSequence = entry.sequence;
  head.auditHash = entry.hash;
}
