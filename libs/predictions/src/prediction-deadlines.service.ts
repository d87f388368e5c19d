import { Injectable, Logger } from '@nestjs/common';

import { deltaLogOdds, quietDayLikelihoodRatio } from '#core';
import { isUniqueViolation, PrismaService, WriteTransactions, type PrismaTransaction } from '#db';
import { OutboxWriter } from '#events';

import { AuditTrailService } from './chain/audit-trail.service.js';
import { confidenceChangedPayload } from './chain/confidence-event.js';
import { PredictionChainRepository, type LockedPrediction } from './chain/prediction-chain.repository.js';

const DAY_MS = 86_400_000;
const QUIET_DAY_ACTOR = 'system:quiet-days';
const DEADLINE_ACTOR = 'system:deadlines';
/** A worker that was down for a long time catches up at most this many days per prediction and transaction. */
const MAX_CATCH_UP_DAYS = 400;

/** UTC calendar day number (days since 1970-01-01). */
export function dayNumber(time: Date | number): number {
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
    private readonly transactions: WriteTransactions,
    private readonly chain: PredictionChainRepository,
    private readonly auditTrail: AuditTrailService,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * Marks open predictions whose deadline has passed as due for resolution, each
   * with a `prediction.due` event. Before it does, an "X by the deadline"
   * prediction gets every quiet day a stopped worker missed, so the order in
   * which this job and the quiet-day job run changes nothing. The row lock and
   * the status check make a second worker's run a no-op.
   */
  async markDue(now = new Date()): Promise<string[]> {
    const candidates = await this.prisma.prediction.findMany({
      where: { status: 'open', deadline: { lte: now } },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const marked: string[] = [];
    for (const { id } of candidates) {
      const changed = await this.transactions.run(async (tx) => {
        const [head] = await this.chain.lock(tx, [id]);
        if (!head || head.status !== 'open' || head.deadline.getTime() > now.getTime()) return false;
        await this.appendMissedQuietDays(tx, head, dayNumber(now) - 1);
        const prediction = await tx.prediction.update({ where: { id }, data: { status: 'due', dueAt: now } });
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
   * For each "X happens by the deadline" prediction not yet resolved (open, or
   * due: the deadline job may have run first), applies one quiet-day update per
   * whole UTC day that has ended since it was created, catching up days a stopped
   * worker missed, up to the last day before the one holding the deadline. Day d,
   * with n days on which X could still happen (d itself through the day holding
   * the deadline's last instant), has LR = (n - 1) / n; no update once n <= 1,
   * which is a resolution, not evidence.
   *
   * Once per day per prediction, however many workers run this: the row lock
   * serialises them, the second sees the first's entries and skips, and the partial
   * unique index on (predictionId, detail->>'day') refuses a duplicate regardless.
   */
  async recordQuietDays(now = new Date()): Promise<{ predictionId: string; day: string }[]> {
    const candidates = await this.prisma.prediction.findMany({
      where: { eventByDeadline: true, status: { in: ['open', 'due'] } },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const recorded: { predictionId: string; day: string }[] = [];
    for (const { id } of candidates) {
      try {
        const days = await this.transactions.run(async (tx) => {
          const [head] = await this.chain.lock(tx, [id]);
          if (!head || (head.status !== 'open' && head.status !== 'due')) return [];
          return this.appendMissedQuietDays(tx, head, dayNumber(now) - 1);
        });
        recorded.push(...days.map((day) => ({ predictionId: id, day })));
      } catch (error) {
        // Another worker recorded the same day first: that is the index doing its job.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    return recorded;
  }

  /**
   * Inside the caller's transaction, on a prediction it holds locked: appends every
   * quiet day not yet recorded, from the day after creation (only days observed whole
   * count) up to `lastDay` (a day that has ended), in order. Returns the days recorded.
   * Resolution calls it too, with the day before the event, so no quiet day is lost
   * to a worker that was down when the event's day came.
   */
  async appendMissedQuietDays(tx: PrismaTransaction, head: LockedPrediction, lastDay: number): Promise<string[]> {
    if (!head.eventByDeadline) return [];
    const [facts] = await tx.$queryRaw<{ latest: string | null }[]>`
      SELECT max("detail"->>'day') AS "latest" FROM "AuditEntry" WHERE "predictionId" = ${head.id}::uuid AND "kind" = 'quiet_day'`;
    // The last day on which X can still happen is the one holding the deadline's final instant.
    const lastPossibleDay = dayNumber(head.deadline.getTime() - 1);
    const recorded: string[] = [];
    let day = facts?.latest ? dayNumber(Date.parse(`${facts.latest}T00:00:00Z`)) + 1 : dayNumber(head.createdAt) + 1;
    for (; day <= lastDay && recorded.length < MAX_CATCH_UP_DAYS; day++) {
      const daysRemaining = lastPossibleDay - day + 1;
      const likelihoodRatio = quietDayLikelihoodRatio(daysRemaining);
      if (likelihoodRatio === null) break;
      const entry = await this.auditTrail.append(tx, head, {
        kind: 'quiet_day',
        deltaLogOdds: deltaLogOdds(likelihoodRatio, 1),
        actor: QUIET_DAY_ACTOR,
        reason: `No event on ${dayLabel(day)}; ${daysRemaining} days were left`,
        detail: { day: dayLabel(day), daysRemaining, likelihoodRatio },
      });
      await this.outbox.write(tx, [{ type: 'prediction.confidence_changed', predictionId: head.id, payload: confidenceChangedPayload(entry) }]);
      recorded.push(dayLabel(day));
    }
    return recorded;
  }
}
