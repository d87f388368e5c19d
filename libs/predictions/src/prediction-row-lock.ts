import { DomainError, isUuid, NotFoundError } from '#core';
import type { PredictionStatus, PrismaTransaction } from '#db';

import type { ChainHead } from './audit-trail.service.js';

/** A prediction row held FOR UPDATE: the chain head the audit trail moves, plus what the callers check. */
export interface LockedPrediction extends ChainHead {
  slug: string;
  status: PredictionStatus;
  deadline: Date;
  createdAt: Date;
}

export const RESOLVED_STATUSES: readonly PredictionStatus[] = ['resolved_true', 'resolved_false', 'annulled'];

export function isResolved(status: PredictionStatus): boolean {
  return RESOLVED_STATUSES.includes(status);
}

/**
 * Interactive transactions wait for row locks held by others. Fifty evidence
 * requests on one prediction queue behind each other, so the defaults (2 s to
 * get a connection, 5 s to run) are too tight for a burst; these are generous
 * but still bounded.
 */
export const CONFIDENCE_TRANSACTION_OPTIONS = { maxWait: 20_000, timeout: 30_000 } as const;

/**
 * Locks the given predictions FOR UPDATE in ascending id order. Every code path
 * that moves more than one prediction locks through here, so two transactions
 * never wait on each other's rows in opposite orders (no deadlocks).
 * Returns the rows by id; a missing id is not in the map.
 */
export async function lockPredictionsForUpdate(tx: PrismaTransaction, ids: readonly string[]): Promise<Map<string, LockedPrediction>> {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length === 0) return new Map();
  const rows = await tx.$queryRaw<LockedPrediction[]>`
    SELECT "id"::text AS "id", "slug", "status"::text AS "status", "logOdds", "auditSequence", "auditHash", "deadline", "createdAt"
      FROM "Prediction" WHERE "id" = ANY(${sorted}::uuid[])
     ORDER BY "id" FOR UPDATE`;
  return new Map(rows.map((row) => [row.id, row]));
}

/** Locks one prediction, addressed by id or slug, or throws not_found naming `field`. */
export async function lockPrediction(tx: PrismaTransaction, idOrSlug: string, field = 'idOrSlug'): Promise<LockedPrediction> {
  const [id] = await resolvePredictionIds(tx, [idOrSlug], () => field);
  const locked = (await lockPredictionsForUpdate(tx, [id!])).get(id!);
  if (!locked) throw new NotFoundError('Prediction', idOrSlug, field);
  return locked;
}

/**
 * Maps each id-or-slug to a prediction id in one query, throwing not_found
 * naming the field of the first reference that matches nothing.
 */
export async function resolvePredictionIds(
  tx: PrismaTransaction,
  references: readonly string[],
  fieldOf: (index: number) => string,
): Promise<string[]> {
  const ids = references.filter((reference) => isUuid(reference)).map((reference) => reference.toLowerCase());
  const slugs = references.filter((reference) => !isUuid(reference));
  const rows = await tx.prediction.findMany({
    where: { OR: [{ id: { in: ids } }, { slug: { in: slugs } }] },
    select: { id: true, slug: true },
  });
  const byReference = new Map<string, string>();
  for (const row of rows) {
    byReference.set(row.id, row.id);
    byReference.set(row.slug, row.id);
  }
  return references.map((reference, index) => {
    const id = byReference.get(isUuid(reference) ? reference.toLowerCase() : reference);
    if (!id) throw new NotFoundError('Prediction', reference, fieldOf(index));
    return id;
  });
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
