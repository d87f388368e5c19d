import { Injectable } from '@nestjs/common';

import { PrismaService } from '#db';
import { JobQueues } from '#jobs';

import { spreadByHost } from './fetch-spread.js';

/** Sources claimed per statement; the tick claims batch after batch until none are left. */
export const CLAIM_BATCH_SIZE = 500;
/**
 * The tick runs once a minute, so it also claims what falls due before the
 * next tick (with a little to spare) and queues it delayed to its due time:
 * a source is not up to a minute late waiting for a tick.
 */
export const CLAIM_LOOKAHEAD_MS = 65_000;
/** A claim lapses this long after the due time: a source whose job was lost (Redis emptied) is claimed again. */
export const CLAIM_LEASE_MS = 2 * 60_000;

interface ClaimedSource {
  id: string;
  url: string;
  nextFetchAt: Date;
}

/**
 * The scheduler tick (a BullMQ job scheduler fires it once a minute,
 * cluster-wide). PostgreSQL says which sources are due: the tick claims them
 * oldest first, in batches, with FOR UPDATE SKIP LOCKED and a lease recorded
 * on the row (fetchClaimedFor = the due time, fetchClaimExpiresAt), and queues
 * one fetch-source job each in one addBulk per batch, until no unclaimed due
 * source is left. Any number of workers then share the fetches; two ticks at
 * once claim disjoint sources. The job id carries the due time, so a source
 * is fetched once per due time even when a lapsed claim is taken again while
 * its job still waits. A fetch moves nextFetchAt, which voids the claim.
 */
@Injectable()
export class DueSourcesScheduler {
  constructor(
    private readonly prisma: PrismaService,
    private readonly queues: JobQueues,
  ) {}

  /** Enabled sources whose fetch is due and not yet done, and how late the oldest of them is. */
  async backlog(now = new Date()): Promise<{ due: number; oldestLatenessSeconds: number }> {
    const backlog = await this.prisma.source.aggregate({ where: { enabled: true, nextFetchAt: { lte: now } }, _count: { _all: true }, _min: { nextFetchAt: true } });
    const oldest = backlog._min.nextFetchAt;
    return { due: backlog._count._all, oldestLatenessSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0 };
  }

  /** Claims and queues every source due by the next tick; returns how many were queued. */
  async enqueueDueSources(now = new Date()): Promise<number> {
    let queued = 0;
    for (;;) {
      const claimed = await this.claimBatch(now, CLAIM_BATCH_SIZE);
      if (claimed.length > 0) {
        await this.queues.enqueueMany(
          'fetch-source',
          spreadByHost(claimed).map((source) => {
            const scheduledFor = source.nextFetchAt.getTime();
            // BullMQ refuses ":" in custom job ids.
            return { payload: { sourceId: source.id, scheduledFor }, jobId: `fetch-source-${source.id}-${scheduledFor}`, delay: Math.max(0, scheduledFor - Date.now()) };
          }),
        );
      }
      queued += claimed.length;
      if (claimed.length < CLAIM_BATCH_SIZE) return queued;
    }
  }

  /** One batch, oldest due first; rows another tick holds are skipped, not waited for. */
  private claimBatch(now: Date, limit: number): Promise<ClaimedSource[]> {
    const horizon = new Date(now.getTime() + CLAIM_LOOKAHEAD_MS);
    return this.prisma.$queryRaw<ClaimedSource[]>`
      WITH due AS (
        SELECT id FROM "Source"
        WHERE enabled AND "nextFetchAt" <= ${horizon}
          AND ("fetchClaimedFor" IS DISTINCT FROM "nextFetchAt" OR "fetchClaimExpiresAt" <= ${now})
        ORDER BY "nextFetchAt", id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE "Source" AS source
      SET "fetchClaimedFor" = source."nextFetchAt",
          "fetchClaimExpiresAt" = GREATEST(source."nextFetchAt", ${now}) + ${CLAIM_LEASE_MS}::int * interval '1 millisecond'
      FROM due WHERE source.id = due.id
      RETURNING source.id, source.url, source."nextFetchAt"`;
  }
}
