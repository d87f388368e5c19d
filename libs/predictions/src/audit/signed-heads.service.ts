import { Injectable } from '@nestjs/common';

import type { SignedCheckpoint } from '#core';
import { pageQuery, PrismaService, toPage, type Page, type PageRequest } from '#db';

/** A chain head as it was signed when it moved. */
export interface SignedHeadView extends SignedCheckpoint {
  id: string;
  keyId: string;
}

/**
 * The heads signed as they moved, for those who keep copies outside the
 * database: a witness (`bellwether audit witness`) reads every head signed
 * since it last looked; a digest carries the current heads of what it covers.
 */
@Injectable()
export class SignedHeadsService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Heads signed at or after `since`, in the order they were signed (their ids
   * are time-ordered). A witness asks again from a little before the last head
   * it holds: a transaction that committed late may have signed a head just
   * before it.
   */
  async list(page: PageRequest, since: Date | null): Promise<Page<SignedHeadView>> {
    const query = pageQuery(page);
    // Ids are UUIDv7 of the signing time: `since` is the smallest id of its millisecond.
    const floor = since ? smallestIdAt(since) : null;
    const lower = floor && (!query.where.id || query.where.id.gt < floor) ? { gte: floor } : query.where.id;
    const rows = await this.prisma.chainHeadSignature.findMany({ ...query, where: lower ? { id: lower } : {} });
    return toPage(rows.map(toView), page.limit);
  }

  /** The current signed head of each of these predictions (none for a chain whose head is unsigned). */
  async currentHeads(predictionIds: readonly string[]): Promise<SignedHeadView[]> {
    if (predictionIds.length === 0) return [];
    const rows = await this.prisma.$queryRaw<{ id: string; predictionId: string; sequence: number; hash: string; signedAt: Date; keyId: string; signature: string }[]>`
      SELECT s."id"::text AS "id", s."predictionId"::text AS "predictionId", s."sequence", s."hash", s."signedAt", s."keyId", s."signature"
        FROM "Prediction" p JOIN "ChainHeadSignature" s ON s."predictionId" = p."id" AND s."sequence" = p."auditSequence"
       WHERE p."id" = ANY(${[...predictionIds]}::uuid[])
       ORDER BY p."id"`;
    return rows.map(toView);
  }
}

/** The smallest UUIDv7 of a millisecond: its time, then zeros (every id made in it sorts after). */
function smallestIdAt(time: Date): string {
  const hex = Math.max(0, Math.floor(time.getTime())).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-0000-000000000000`;
}

function toView(row: { id: string; predictionId: string; sequence: number; hash: string; signedAt: Date; keyId: string; signature: string }): SignedHeadView {
  return { id: row.id, predictionId: row.predictionId, sequence: row.sequence, hash: row.hash, signedAt: row.signedAt.toISOString(), keyId: row.keyId, signature: row.signature };
}
