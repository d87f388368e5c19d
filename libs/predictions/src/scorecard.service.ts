import { Injectable } from '@nestjs/common';

import { brierScore, calibrationTable, logScore, meanBrier, timeAveragedBrier, type CalibrationBin, type Outcome, type ResolvedForecast } from '#core';
import { PrismaService, type Prediction, type PredictionStatus } from '#db';

import { PredictionsService } from './predictions.service.js';

const DAY_MS = 86_400_000;
const TOP_EVIDENCE = 5;

export interface Scores {
  /** One-term Brier (p - o)^2 of the probability at resolution: 0 is perfect, 1 certain and wrong. */
  brier: number;
  /** ln(p) if it happened, ln(1 - p) if not: 0 is perfect. */
  logScore: number;
  /** Mean one-term Brier of the probability at the end of each UTC day from creation to resolution. */
  timeAveragedBrier: number;
}

export interface TopEvidence {
  evidenceId: string;
  summary: string;
  sourceUrl: string | null;
  observedAt: Date;
  likelihoodRatio: number;
  reliability: number;
  deltaLogOdds: number;
}

export interface LinkedIndicator {
  indicatorId: string;
  slug: string;
  name: string;
  unit: string;
  threshold: number;
  likelihoodRatioUp: number;
  likelihoodRatioDown: number;
  latestReading: { value: number; observedAt: Date } | null;
}

export interface Scorecard {
  prediction: Prediction;
  /** Change in probability (percentage points as a fraction) over the last 7/30/90 days; since creation if younger. */
  change: { d7: number; d30: number; d90: number };
  topEvidence: TopEvidence[];
  indicators: LinkedIndicator[];
  timeLeftMs: number;
  scores: Scores | null;
}

export interface ScorecardsTable {
  predictions: { prediction: Prediction; brier: number | null }[];
  calibration: CalibrationBin[];
  resolvedCount: number;
  meanBrier: number | null;
}

function outcomeOf(status: PredictionStatus): Outcome | null {
  if (status === 'resolved_true') return 1;
  if (status === 'resolved_false') return 0;
  return null;
}

/**
 * Where each prediction stands and, once resolved, how good the forecast was.
 * Every query is bounded by an index, never a scan of a prediction's whole history:
 * the time-averaged Brier reads one row per day of the prediction's life.
 */
@Injectable()
export class ScorecardService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly predictions: PredictionsService,
  ) {}

  async scorecard(idOrSlug: string, now = new Date()): Promise<Scorecard> {
    const prediction = await this.predictions.get(idOrSlug);
    const [d7, d30, d90, topEvidence, indicators, scores] = await Promise.all([
      this.probabilityAt(prediction, new Date(now.getTime() - 7 * DAY_MS)),
      this.probabilityAt(prediction, new Date(now.getTime() - 30 * DAY_MS)),
      this.probabilityAt(prediction, new Date(now.getTime() - 90 * DAY_MS)),
      this.topEvidence(prediction.id),
      this.linkedIndicators(prediction.id),
      this.scores(prediction),
    ]);
    return {
      prediction,
      change: { d7: prediction.probability - d7, d30: prediction.probability - d30, d90: prediction.probability - d90 },
      topEvidence,
      indicators,
      timeLeftMs: Math.max(0, prediction.deadline.getTime() - now.getTime()),
      scores,
    };
  }

  async scorecards(): Promise<ScorecardsTable> {
    const predictions = await this.prisma.prediction.findMany({ orderBy: { id: 'asc' } });
    const resolved: ResolvedForecast[] = [];
    const rows = predictions.map((prediction) => {
      const outcome = outcomeOf(prediction.status);
      if (outcome === null) return { prediction, brier: null };
      // The probability is frozen at resolution: a resolved prediction accepts no moves.
      resolved.push({ probability: prediction.probability, outcome });
      return { prediction, brier: brierScore(prediction.probability, outcome) };
    });
    return { predictions: rows, calibration: calibrationTable(resolved), resolvedCount: resolved.length, meanBrier: meanBrier(resolved) };
  }

  /** The probability in force at `at`: the last entry at or before it, or the prior if the prediction is younger. */
  private async probabilityAt(prediction: Prediction, at: Date): Promise<number> {
    const entry = await this.prisma.auditEntry.findFirst({
      where: { predictionId: prediction.id, createdAt: { lte: at } },
      orderBy: [{ createdAt: 'desc' }, { sequence: 'desc' }],
      select: { probabilityAfter: true },
    });
    return entry?.probabilityAfter ?? prediction.prior;
  }

  /** The evidence that moved it most by |dL|: the extremes of the (predictionId, deltaLogOdds) index from both ends. */
  private async topEvidence(predictionId: string): Promise<TopEvidence[]> {
    const select = {
      likelihoodRatio: true,
      reliability: true,
      deltaLogOdds: true,
      evidence: { select: { id: true, summary: true, sourceUrl: true, observedAt: true } },
    } as const;
    const where = { predictionId, evidence: { retractedAt: null } };
    const [largest, smallest] = await Promise.all([
      this.prisma.evidenceImpact.findMany({ where, select, orderBy: { deltaLogOdds: 'desc' }, take: TOP_EVIDENCE }),
      this.prisma.evidenceImpact.findMany({ where, select, orderBy: { deltaLogOdds: 'asc' }, take: TOP_EVIDENCE }),
    ]);
    const seen = new Set<string>();
    return [...largest, ...smallest]
      .filter((impact) => !seen.has(impact.evidence.id) && seen.add(impact.evidence.id))
      .sort((a, b) => Math.abs(b.deltaLogOdds) - Math.abs(a.deltaLogOdds))
      .slice(0, TOP_EVIDENCE)
      .map((impact) => ({
        evidenceId: impact.evidence.id,
        summary: impact.evidence.summary,
        sourceUrl: impact.evidence.sourceUrl,
        observedAt: impact.evidence.observedAt,
        likelihoodRatio: impact.likelihoodRatio,
        reliability: impact.reliability,
        deltaLogOdds: impact.deltaLogOdds,
      }));
  }

  /** Read-only look at the signals lib's links and readings; the scorecard shows them beside the prediction. */
  private async linkedIndicators(predictionId: string): Promise<LinkedIndicator[]> {
    const links = await this.prisma.indicatorLink.findMany({
      where: { predictionId },
      include: {
        indicator: {
          select: {
            id: true,
            slug: true,
            name: true,
            unit: true,
            readings: { orderBy: { observedAt: 'desc' }, take: 1, select: { value: true, observedAt: true } },
          },
        },
      },
      orderBy: { createdAt: 'asc' },
    });
    return links.map((link) => ({
      indicatorId: link.indicator.id,
      slug: link.indicator.slug,
      name: link.indicator.name,
      unit: link.indicator.unit,
      threshold: link.threshold,
      likelihoodRatioUp: link.likelihoodRatioUp,
      likelihoodRatioDown: link.likelihoodRatioDown,
      latestReading: link.indicator.readings[0] ?? null,
    }));
  }

  private async scores(prediction: Prediction): Promise<Scores | null> {
    const outcome = outcomeOf(prediction.status);
    if (outcome === null || !prediction.resolvedAt) return null;
    // Only the probability in force at the end of each UTC day matters, so rather than read the whole
    // history this asks the (predictionId, createdAt) index once per day: O(days * log entries).
    const dayEnds = await this.prisma.$queryRaw<{ at: Date; probability: number }[]>`
      SELECT DISTINCT "entry"."at", "entry"."probability", "entry"."sequence"
        FROM (SELECT "createdAt", "resolvedAt" FROM "Prediction" WHERE "id" = ${prediction.id}::uuid) AS "p"
       CROSS JOIN LATERAL generate_series(date_trunc('day', "p"."createdAt"), date_trunc('day', "p"."resolvedAt"), interval '1 day') AS "d"("dayStart")
       CROSS JOIN LATERAL (
         SELECT "a"."createdAt" AS "at", "a"."probabilityAfter" AS "probability", "a"."sequence"
           FROM "AuditEntry" AS "a"
          WHERE "a"."predictionId" = ${prediction.id}::uuid
            AND "a"."createdAt" < LEAST("d"."dayStart" + interval '1 day', "p"."resolvedAt" + interval '1 millisecond')
          ORDER BY "a"."createdAt" DESC, "a"."sequence" DESC
          LIMIT 1
       ) AS "entry"
       ORDER BY "entry"."sequence" ASC`;
    const points = dayEnds.length > 0 ? dayEnds : [{ at: prediction.createdAt, probability: prediction.prior }];
    return {
      brier: brierScore(prediction.probability, outcome),
      logScore: logScore(prediction.probability, outcome),
      timeAveragedBrier: timeAveragedBrier(points, prediction.createdAt, prediction.resolvedAt, outcome),
    };
  }
}
