import { Injectable } from '@nestjs/common';

import { PrismaService } from '#db';
import { JobQueues } from '#jobs';

/** Sources enqueued per tick at most; any left over are still due at the next tick. */
const MAX_SOURCES_PER_TICK = 1000;

/**
 * The scheduler tick (a BullMQ job scheduler fires it once a minute,
 * cluster-wide): Postgres says which sources are due, and each gets one
 * fetch-source job. The job id carries the source's nextFetchAt, so however
 * many ticks see the same due source before it is fetched, it is fetched once.
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

  async enqueueDueSources(now = new Date()): Promise<number> {
    const due = await this.prisma.source.findMany({
      where: { enabled: true, nextFetchAt: { lte: now } },
      select: { id: true, nextFetchAt: true },
      orderBy: { nextFetchAt: 'asc' },
      take: MAX_SOURCES_PER_TICK,
    });
    for (const source of due) {
      const scheduledFor = source.nextFetchAt.getTime();
      // BullMQ refuses ":" in custom job ids.
      await this.queues.enqueue('fetch-source', { sourceId: source.id, scheduledFor }, { jobId: `fetch-source-${source.id}-${scheduledFor}` });
    }
    return due.length;
  }
}
