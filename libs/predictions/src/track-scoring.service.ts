import { Injectable } from '@nestjs/common';

import { modelTrackPoints, scoreTrack, teamTrackPoints, type Outcome, type TrackScores, type TrailMove } from '#core';
import { PrismaService, type AuditKind, type ForecastTrack, type PrismaTransaction } from '#db';

const DAY_MS = 86_400_000;

/** Entries that move nothing: the prior is the starting point, a resolution and its undoing have dL = 0. */
const NOT_MOVES: readonly AuditKind[] = ['prior', 'resolution', 'resolution_undone'];

export interface ScoredTrack extends TrackScores {
  track: ForecastTrack;
  /** `apikey:<id>` on an analyst's track; empty for the model and the team. */
  forecaster: string;
  forecasterName: string;
  outcome: Outcome;
  occurredAt: Date;
  /** Moves (or forecasts) of this track recorded after the event: kept, not scored. */
  afterTheFact: number;
}

interface TrailRow {
  sequence: number;
  kind: AuditKind;
  deltaLogOdds: number;
  createdAt: Date;
  day: string | null;
}

/**
 * When a move starts to count for scoring. Evidence, overrides and retractions
 * count from when they were recorded, whatever time the reporter gives as
 * observedAt, so backdating cannot improve a score. A quiet day counts from the
 * end of the day it stands for: it follows from the calendar, not from anyone's
 * report, so a day a stopped worker caught up later counts where the rule puts it.
 */
export function countsFrom(entry: { kind: AuditKind; createdAt: Date; day?: string | null }): Date {
  if (entry.kind === 'quiet_day' && entry.day) {
    const dayEnd = Date.parse(`${entry.day}T00:00:00Z`) + DAY_MS;
    if (Number.isFinite(dayEnd)) return new Date(Math.min(dayEnd, entry.createdAt.getTime()));
  }
  return entry.createdAt;
}

/** Whether an audit entry was recorded after the event its prediction's resolution names, and so is not scored. */
export function isAfterTheFact(entry: { kind: AuditKind; createdAt: Date; detail?: unknown }, occurredAt: Date | null): boolean {
  if (!occurredAt || NOT_MOVES.includes(entry.kind)) return false;
  const day = entry.kind === 'quiet_day' ? ((entry.detail as { day?: string } | null)?.day ?? null) : null;
  return countsFrom({ kind: entry.kind, createdAt: entry.createdAt, day }).getTime() > occurredAt.getTime();
}

/**
 * Scores every track of a prediction resolved true or false the same way, at the
 * event time: the model (the evidence engine's trail), the team (the geometric mean
 * of the odds of each analyst's latest forecast) and each analyst. Moves and
 * forecasts recorded after the event are counted as after the fact and left out.
 */
@Injectable()
export class TrackScoringService {
  constructor(private readonly prisma: PrismaService) {}

  /** The model's moves in trail order, as scoring sees them. */
  async modelMoves(db: PrismaTransaction | PrismaService, predictionId: string): Promise<TrailMove[]> {
    const rows = await db.$queryRaw<TrailRow[]>`
      SELECT "sequence", "kind"::text AS "kind", "deltaLogOdds", "createdAt", "detail"->>'day' AS "day"
        FROM "AuditEntry" WHERE "predictionId" = ${predictionId}::uuid ORDER BY "sequence" ASC`;
    return rows.filter((row) => !NOT_MOVES.includes(row.kind)).map((row) => ({ countsFrom: countsFrom(row), deltaLogOdds: row.deltaLogOdds }));
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
    const occurred = occurredAt.getTime();
    const tracks: ScoredTrack[] = [];
    const base = { outcome, occurredAt };
    const model = scoreTrack(modelTrackPoints(prediction.priorLogOdds, moves, prediction.createdAt, occurredAt), occurredAt, outcome)!;
    tracks.push({
      ...base,
      ...model,
      track: 'model',
      forecaster: '',
      forecasterName: '',
      afterTheFact: moves.filter((move) => move.countsFrom.getTime() > occurred).length,
    });
    const members = forecasts.map((forecast) => ({ member: forecast.forecaster, at: forecast.createdAt, probability: forecast.probability }));
    const lateForecasts = (forecaster?: string) =>
      forecasts.filter((forecast) => forecast.createdAt.getTime() > occurred && (forecaster === undefined || forecast.forecaster === forecaster)).length;
    const team = scoreTrack(teamTrackPoints(members), occurredAt, outcome);
    if (team) tracks.push({ ...base, ...team, track: 'team', forecaster: '', forecasterName: '', afterTheFact: lateForecasts() });
    const forecasters = [...new Set(forecasts.map((forecast) => forecast.forecaster))].sort();
    for (const forecaster of forecasters) {
      const own = forecasts.filter((forecast) => forecast.forecaster === forecaster);
      const scored = scoreTrack(
        own.map((forecast) => ({ at: forecast.createdAt, probability: forecast.probability })),
        occurredAt,
        outcome,
      );
      if (!scored) continue;
      const counted = own.filter((forecast) => forecast.createdAt.getTime() <= occurred);
      tracks.push({ ...base, ...scored, track: 'analyst', forecaster, forecasterName: counted.at(-1)!.forecasterName, afterTheFact: lateForecasts(forecaster) });
    }
    return tracks;
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
