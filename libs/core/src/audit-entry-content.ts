/** An audit entry's fields as the database, an export or a witness gives them (times as Dates or ISO strings). */
export interface AuditEntryFields {
  predictionId: string;
  sequence: number;
  kind: string;
  evidenceId: string | null;
  logOddsBefore: number;
  deltaLogOdds: number;
  logOddsAfter: number;
  probabilityBefore: number;
  probabilityAfter: number;
  actor: string;
  reason: string | null;
  detail: unknown;
  createdAt: Date | string;
}

/**
 * The fields an entry's hash covers, in one place so writing, verifying and the
 * offline verifier of an export can never disagree. Everything that states what
 * happened is covered: the move, its cause, who made it and when. A time given
 * as an ISO string hashes as the Date it was written from (canonical JSON writes
 * a Date as its ISO string).
 */
export function auditEntryContent(entry: AuditEntryFields): Record<string, unknown> {
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
