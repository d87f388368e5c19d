import { Injectable } from '@nestjs/common';

import { scorePredictionTracks, scoringMoves, type Outcome, type ScoredTrackValues, type TrailMove } from '#core';
import { PrismaService, type AuditKind, type ForecastTrack, type PrismaTransaction } from '#db';

export { isAfterTheFact } from '#core';

export interface ScoredTrack extends Omit<ScoredTrackValues, 'track'> {
  track: ForecastTrack;
}

interface TrailRow {
  sequence: number;
  kind: AuditKind;
  deltaLogOdds: number;
  createdAt: Date;
  day: string | null;
}

/**
 * Scores every track of a prediction resolved true or false the same way, at the
 * event time (#core track-scoring.ts, which an import uses to check kept scores):
 * the model (the evidence engine's trail), the team (the geometric mean of the
 * odds of each analyst's latest forecast) and each analyst. Moves and forecasts
 * recorded after the event are counted as after the fact and left out.
 */
@Injectable()
export class TrackScoringService {
  constructor(private readonly prisma: PrismaService) {}

  /** The model's moves in trail order, as scoring sees them. */
  async modelMoves(db: PrismaTransaction | PrismaService, predictionId: string): Promise<TrailMove[]> {
    const rows = await db.$queryRaw<TrailRow[]>`
      SELECT "sequence", "kind"::text AS "kind", "deltaLogOdds", "createdAt", "detail"->>'day' AS "day"
        FROM "AuditEntry" WHERE "predictionId" = ${predictionId}::uuid ORDER BY "sequence" ASC`;
    return scoringMoves(rows);
  }

  async scoreTracks(
    db: PrismaTransaction | PrismaService,
    prediction: { id: string; priorLogOdds: number; createdAt: Date },
    occurredAt: Date,
    outcome: Outcome,
  ): Promise<ScoredTrack[]> {
    const [moves, forecasts] = await Promise.all([
      this.modelMoves(db, prediction.id),
      db.forecast.findMany({ where: { predictionId: prediction.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    ]);
    return scorePredictionTracks(prediction, moves, forecasts, occurredAt, outcome);
  }

  /** Scores every track inside the resolving transaction and keeps the scores beside the prediction. */
  async record(
    tx: PrismaTransaction,
    prediction: { id: string; priorLogOdds: number; createdAt: Date },
    occurredAt: Date,
    outcome: Outcome,
  ): Promise<ScoredTrack[]> {
    const tracks = await this.scoreTracks(tx, prediction, occurredAt, outcome);
    await tx.trackScore.deleteMany({ where: { predictionId: prediction.id } });
    await tx.trackScore.createMany({ data: tracks.map((track) => ({ predictionId: prediction.id, ...track })) });
    return tracks;
  }

  async forget(tx: PrismaTransaction, predictionId: string): Promise<void> {
    await tx.trackScore.deleteMany({ where: { predictionId } });
  }

  /** The kept scores of one resolved prediction, the model first. */
  async scoresOf(predictionId: string): Promise<ScoredTrack[]> {
    const rows = await this.prisma.trackScore.findMany({ where: { predictionId }, orderBy: [{ track: 'asc' }, { forecaster: 'asc' }] });
    return rows.map(toScoredTrack);
  }

  /** Every kept score, for the leaderboard and the model-vs-team comparison. */
  async allScores(): Promise<(ScoredTrack & { predictionId: string })[]> {
    const rows = await this.prisma.trackScore.findMany({ orderBy: [{ predictionId: 'asc' }, { track: 'asc' }, { forecaster: 'asc' }] });
    return rows.map((row) => ({ ...toScoredTrack(row), predictionId: row.predictionId }));
  }
}

function toScoredTrack(row: {
  track: ForecastTrack;
  forecaster: string;
  forecasterName: string;
  outcome: number;
  occurredAt: Date;
  probability: number;
  brier: number;
  logScore: number;
  timeAveragedBrier: number;
  afterTheFact: number;
}): ScoredTrack {
  return {
    track: row.track,
    forecaster: row.forecaster,
    forecasterName: row.forecasterName,
    outcome: row.outcome === 1 ? 1 : 0,
    occurredAt: row.occurredAt,
    probability: row.probability,
    brier: row.brier,
    logScore: row.logScore,
    timeAveragedBrier: row.timeAveragedBrier,
    afterTheFact: row.afterTheFact,
  };
}
