import { Injectable, Logger } from '@nestjs/common';

import { deltaLogOdds, quietDayLikelihoodRatio } from '#core';
import { Prisma, PrismaService } from '#db';
import { OutboxWriter } from '#events';

import { AuditTrailService } from './audit-trail.service.js';
import { confidenceChangedPayload } from './confidence-event.js';
import { CONFIDENCE_TRANSACTION_OPTIONS, lockPredictionsForUpdate } from './prediction-row-lock.js';

const DAY_MS = 86_400_000;
const QUIET_DAY_ACTOR = 'system:quiet-days';
const DEADLINE_ACTOR = 'system:deadlines';
/** A worker that was down for a long time catches up at most this many days per prediction and run. */
const MAX_CATCH_UP_DAYS = 400;

/** UTC calendar day number (days since 1970-01-01). */
function dayNumber(time: Date | number): number {
  return Math.floor(new Date(time).getTime() / DAY_MS);
}

function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Time-driven moves: open predictions past their deadline become due, and
 * "X happens by the deadline" predictions lose odds for each quiet day.
 * Both are safe to run from any number of workers at once.
 */
@Injectable()
export class PredictionDeadlinesService {
  private readonly logger = new Logger(PredictionDeadlinesService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly auditTrail: AuditTrailService,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * Marks open predictions whose deadline has passed as due for resolution, each
   * with a `prediction.due` event. The conditional update (still open) makes a
   * second worker's run a no-op.
   */
  async markDue(now = new Date()): Promise<string[]> {
    const candidates = await this.prisma.prediction.findMany({
      where: { status: 'open', deadline: { lte: now } },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const marked: string[] = [];
    for (const { id } of candidates) {
      const changed = await this.prisma.$transaction(async (tx) => {
        const updated = await tx.prediction.updateMany({ where: { id, status: 'open', deadline: { lte: now } }, data: { status: 'due', dueAt: now } });
        if (updated.count === 0) return false;
        const prediction = await tx.prediction.findUniqueOrThrow({ where: { id } });
        await this.outbox.write(tx, [
          {
            type: 'prediction.due',
            predictionId: id,
            payload: {
              predictionId: id,
              slug: prediction.slug,
              deadline: prediction.deadline.toISOString(),
              probability: prediction.probability,
              actor: DEADLINE_ACTOR,
            },
          },
        ]);
        return true;
      });
      if (changed) marked.push(id);
    }
    if (marked.length > 0) this.logger.log({ predictions: marked }, 'Predictions are due for resolution');
    return marked;
  }

  /**
   * For each open "X happens by the deadline" prediction, applies one quiet-day
   * update per whole UTC day that has ended since it was created (catching up
   * days a stopped worker missed). Day d, with n days on which X could still
   * happen (d itself through the last day before the deadline), has
   * LR = (n - 1) / n; no update once n <= 1, which is a resolution, not evidence.
   *
   * Once per day per prediction, however many workers run this: the row lock
   * serialises them, the second sees the first's entry and skips, and the partial
   * unique index on (predictionId, detail->>'day') refuses a duplicate regardless.
   */
  async recordQuietDays(now = new Date()): Promise<{ predictionId: string; day: string }[]> {
    const candidates = await this.prisma.prediction.findMany({
      where: { eventByDeadline: true, status: 'open' },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const recorded: { predictionId: string; day: string }[] = [];
    const lastEndedDay = dayNumber(now) - 1;
    for (const { id } of candidates) {
      for (let attempt = 0; attempt < MAX_CATCH_UP_DAYS; attempt++) {
        const day = await this.recordNextQuietDay(id, lastEndedDay);
        if (day === null) break;
        recorded.push({ predictionId: id, day });
      }
    }
    return recorded;
  }

  /** Records the earliest unrecorded quiet day up to `lastEndedDay`; null when there is none. */
  private async recordNextQuietDay(predictionId: string, lastEndedDay: number): Promise<string | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const head = (await lockPredictionsForUpdate(tx, [predictionId])).get(predictionId);
        if (!head || head.status !== 'open') return null;
        const [latest] = await tx.$queryRaw<{ day: string | null }[]>`
          SELECT max("detail"->>'day') AS "day" FROM "AuditEntry"
           WHERE "predictionId" = ${predictionId}::uuid AND "kind" = 'quiet_day'`;
        // Only days observed whole count: the first is the day after creation.
        const firstDay = dayNumber(head.createdAt) + 1;
        const day = latest?.day ? dayNumber(Date.parse(`${latest.day}T00:00:00Z`)) + 1 : firstDay;
        if (day > lastEndedDay) return null;
        // The last day on which X can still happen is the one holding the deadline's final instant.
        const lastPossibleDay = dayNumber(head.deadline.getTime() - 1);
        const daysRemaining = lastPossibleDay - day + 1;
        const likelihoodRatio = quietDayLikelihoodRatio(daysRemaining);
        if (likelihoodRatio === null) return null;
        const entry = await this.auditTrail.append(tx, head, {
          kind: 'quiet_day',
          deltaLogOdds: deltaLogOdds(likelihoodRatio, 1),
          actor: QUIET_DAY_ACTOR,
          reason: `No event on ${dayLabel(day)}; ${daysRemaining} days were left`,
          detail: { day: dayLabel(day), daysRemaining, likelihoodRatio },
        });
        await this.outbox.write(tx, [{ type: 'prediction.confidence_changed', predictionId, payload: confidenceChangedPayload(entry) }]);
        return dayLabel(day);
      }, CONFIDENCE_TRANSACTION_OPTIONS);
    } catch (error) {
      // Another worker recorded the same day first: that is the index doing its job.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }
}
