import { Injectable } from '@nestjs/common';

import { DomainError, NotFoundError, uuidV7 } from '#core';
import { asSqlSession, isReferenceTo, splitReferences, type AuditEntry, type PredictionStatus, type PrismaTransaction, type SqlSession } from '#db';

import { AuditSigningKeyService, type HeadSigner } from '../audit/audit-signing-key.service.js';
import { advanceHead, chainedAuditEntry, type AuditMove, type ChainedAuditEntry, type ChainHead } from './audit-entry.js';

/** A prediction row held FOR UPDATE: its chain head, plus what the callers check before they move it. */
export interface LockedPrediction extends ChainHead {
  slug: string;
  status: PredictionStatus;
  deadline: Date;
  createdAt: Date;
  eventByDeadline: boolean;
}

/** A transaction of either kind: Prisma's, or the pool's for the hot paths. */
export type ChainTransaction = PrismaTransaction | SqlSession;

export const RESOLVED_STATUSES: readonly PredictionStatus[] = ['resolved_true', 'resolved_false', 'annulled'];

export function isResolved(status: PredictionStatus): boolean {
  return RESOLVED_STATUSES.includes(status);
}

export function assertOpenForMoves(prediction: Pick<LockedPrediction, 'slug' | 'status'>, field: string): void {
  if (isResolved(prediction.status)) {
    throw new DomainError(
      'conflict',
      'prediction-resolved',
      `Prediction "${prediction.slug}" is ${prediction.status.replace('_', ' ')} and accepts no further evidence or overrides`,
      field,
    );
  }
}

/** An audit entry with the id it is written under. */
export type AuditEntryRow = ChainedAuditEntry & { id: string };

/**
 * The AuditEntry insert, the signatures of the new heads and the Prediction
 * head update as three parts of one data-modifying WITH, from bound arrays
 * starting at `$first` (see `chainWriteValues`): a statement of their own, or
 * parts of a larger write (the evidence transaction writes its evidence in the
 * same statement). Each moved prediction's new head is signed in the statement
 * that moves it, so no head is ever unsigned, even for a moment.
 */
export function chainWriteParts(first: number): { entries: string; signatures: string; heads: string; parameters: number } {
  const $ = (offset: number) => `$${first + offset}`;
  return {
    entries: `INSERT INTO "AuditEntry" ("id", "predictionId", "sequence", "kind", "evidenceId", "logOddsBefore", "deltaLogOdds", "logOddsAfter",
                                "probabilityBefore", "probabilityAfter", "actor", "reason", "detail", "createdAt", "prevHash", "hash")
      SELECT entry."id", entry."predictionId", entry."sequence", entry."kind"::"AuditKind", entry."evidenceId", entry."logOddsBefore", entry."deltaLogOdds",
             entry."logOddsAfter", entry."probabilityBefore", entry."probabilityAfter", entry."actor", entry."reason", entry."detail"::jsonb,
             entry."createdAt"::timestamp, entry."prevHash", entry."hash"
        FROM unnest(${$(0)}::uuid[], ${$(1)}::uuid[], ${$(2)}::int[], ${$(3)}::text[], ${$(4)}::uuid[], ${$(5)}::float8[], ${$(6)}::float8[], ${$(7)}::float8[],
                    ${$(8)}::float8[], ${$(9)}::float8[], ${$(10)}::text[], ${$(11)}::text[], ${$(12)}::text[], ${$(13)}::text[], ${$(14)}::text[], ${$(15)}::text[])
          AS entry("id", "predictionId", "sequence", "kind", "evidenceId", "logOddsBefore", "deltaLogOdds", "logOddsAfter",
                   "probabilityBefore", "probabilityAfter", "actor", "reason", "detail", "createdAt", "prevHash", "hash")`,
    signatures: `INSERT INTO "ChainHeadSignature" ("id", "predictionId", "sequence", "hash", "signedAt", "keyId", "signature")
      SELECT head."id", head."predictionId", head."sequence", head."hash", head."createdAt"::timestamp, head."keyId", head."signature"
        FROM unnest(${$(22)}::uuid[], ${$(16)}::uuid[], ${$(17)}::int[], ${$(20)}::text[], ${$(21)}::text[], ${$(23)}::text[], ${$(24)}::text[])
          AS head("id", "predictionId", "sequence", "hash", "createdAt", "keyId", "signature")`,
    heads: `UPDATE "Prediction" AS prediction
         SET "logOdds" = head."logOddsAfter", "probability" = head."probabilityAfter", "auditSequence" = head."sequence", "auditHash" = head."hash",
             "updatedAt" = head."createdAt"::timestamp
        FROM unnest(${$(16)}::uuid[], ${$(17)}::int[], ${$(18)}::float8[], ${$(19)}::float8[], ${$(20)}::text[], ${$(21)}::text[])
          AS head("predictionId", "sequence", "logOddsAfter", "probabilityAfter", "hash", "createdAt")
       WHERE prediction."id" = head."predictionId"`,
    parameters: 25,
  };
}

/**
 * The bound values of `chainWriteParts`: every entry, then each moved
 * prediction's last entry as its new head, signed by `signer` over its
 * prediction, sequence, hash and time.
 */
export function chainWriteValues(entries: readonly AuditEntryRow[], signer: HeadSigner): unknown[] {
  const heads = [...new Map(entries.map((entry) => [entry.predictionId, entry])).values()];
  const signatures = heads.map((head) =>
    signer.signHead({ predictionId: head.predictionId, sequence: head.sequence, hash: head.hash, signedAt: head.createdAt.toISOString() }),
  );
  return [
    entries.map((entry) => entry.id),
    entries.map((entry) => entry.predictionId),
    entries.map((entry) => entry.sequence),
    entries.map((entry) => entry.kind),
    entries.map((entry) => entry.evidenceId),
    entries.map((entry) => entry.logOddsBefore),
    entries.map((entry) => entry.deltaLogOdds),
    entries.map((entry) => entry.logOddsAfter),
    entries.map((entry) => entry.probabilityBefore),
    entries.map((entry) => entry.probabilityAfter),
    entries.map((entry) => entry.actor),
    entries.map((entry) => entry.reason),
    entries.map((entry) => (entry.detail === null ? null : JSON.stringify(entry.detail))),
    entries.map((entry) => entry.createdAt.toISOString()),
    entries.map((entry) => entry.prevHash),
    entries.map((entry) => entry.hash),
    heads.map((head) => head.predictionId),
    heads.map((head) => head.sequence),
    heads.map((head) => head.logOddsAfter),
    heads.map((head) => head.probabilityAfter),
    heads.map((head) => head.hash),
    heads.map((head) => head.createdAt.toISOString()),
    heads.map((head) => uuidV7(head.createdAt.getTime())),
    signatures.map((signature) => signature.keyId),
    signatures.map((signature) => signature.signature),
  ];
}

/**
 * The one way into a prediction's audit chain, for every writer (evidence,
 * retraction, override, resolution, quiet days, a new prediction's prior):
 * lock the predictions in ascending id order (so two transactions never wait
 * on each other's rows in opposite orders), append entries hashed onto the
 * locked heads, and move the heads with them, in one statement.
 */
@Injectable()
export class PredictionChainRepository {
  constructor(private readonly keys: AuditSigningKeyService) {}

  /** What signs the heads this repository moves: for writers that put the chain's parts into a statement of their own. */
  get headSigner(): HeadSigner {
    return this.keys;
  }

  /** Locks the predictions that `references` (ids or slugs) name; a reference that names none is simply absent. */
  async lock(tx: ChainTransaction, references: readonly string[]): Promise<LockedPrediction[]> {
    if (references.length === 0) return [];
    const { ids, slugs } = splitReferences(references);
    return asSqlSession(tx).query<LockedPrediction>(
      `SELECT "id"::text AS "id", "slug", "status"::text AS "status", "logOdds", "auditSequence", "auditHash", "deadline", "createdAt", "eventByDeadline"
         FROM "Prediction" WHERE "id" = ANY($1::uuid[]) OR "slug" = ANY($2::text[])
        ORDER BY "id" FOR UPDATE`,
      [ids, slugs],
      'chain-lock',
    );
  }

  /** Locks each referenced prediction, returned in the order of `references`; one that names none is not_found, naming `fieldOf(index)`. */
  async lockEach(tx: ChainTransaction, references: readonly string[], fieldOf: (index: number) => string): Promise<LockedPrediction[]> {
    const locked = await this.lock(tx, references);
    return references.map((reference, index) => {
      const head = locked.find((row) => isReferenceTo(row, reference));
      if (!head) throw new NotFoundError('Prediction', reference, fieldOf(index));
      return head;
    });
  }

  async lockOne(tx: ChainTransaction, reference: string, field = 'idOrSlug'): Promise<LockedPrediction> {
    const [head] = await this.lockEach(tx, [reference], () => field);
    return head!;
  }

  /**
   * Appends each move to its prediction's chain, in order (a prediction may
   * appear more than once: its moves chain onto each other), and moves the
   * heads, which the caller holds locked. The in-memory heads advance too.
   */
  async append(tx: ChainTransaction, moves: readonly { head: ChainHead; move: AuditMove }[]): Promise<AuditEntry[]> {
    const entries = moves.map(({ head, move }) => {
      const entry = { id: uuidV7(), ...chainedAuditEntry(head, move) };
      advanceHead(head, entry);
      return entry;
    });
    if (entries.length === 0) return [];
    const parts = chainWriteParts(1);
    await asSqlSession(tx).query(`WITH entries AS (${parts.entries}), signatures AS (${parts.signatures}) ${parts.heads}`, chainWriteValues(entries, this.keys), 'chain-append');
    // What was written: the detail is JSON the way it was given.
    return entries as AuditEntry[];
  }
}
