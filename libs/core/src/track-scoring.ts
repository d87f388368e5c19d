import { modelTrackPoints, scoreTrack, teamTrackPoints, type Outcome, type TrackScores, type TrailMove } from './scores.js';

const DAY_MS = 86_400_000;

/** Entries that move nothing: the prior is the starting point, a resolution and its undoing have dL = 0. */
const NOT_MOVES: readonly string[] = ['prior', 'resolution', 'resolution_undone'];

/** An audit entry as scoring reads it. */
export interface ScoringEntry {
  kind: string;
  deltaLogOdds: number;
  createdAt: Date;
  /** The day a quiet-day entry stands for (its detail's `day`). */
  day?: string | null;
}

/** An analyst's forecast as scoring reads it. */
export interface ScoringForecast {
  id: string;
  forecaster: string;
  forecasterName: string;
  probability: number;
  createdAt: Date;
}

export type TrackName = 'model' | 'team' | 'analyst';

export interface ScoredTrackValues extends TrackScores {
  track: TrackName;
  /** `user:<id>` on an analyst's track; empty for the model and the team. */
  forecaster: string;
  forecasterName: string;
  outcome: Outcome;
  occurredAt: Date;
  /** Moves (or forecasts) of this track recorded after the event: kept, not scored. */
  afterTheFact: number;
}

/**
 * When a move starts to count for scoring. Evidence, overrides and retractions
 * count from when they were recorded, whatever time the reporter gives as
 * observedAt, so backdating cannot improve a score. A quiet day counts from the
 * end of the day it stands for: it follows from the calendar, not from anyone's
 * report, so a day a stopped worker caught up later counts where the rule puts it.
 */
export function countsFrom(entry: { kind: string; createdAt: Date; day?: string | null }): Date {
  if (entry.kind === 'quiet_day' && entry.day) {
    const dayEnd = Date.parse(`${entry.day}T00:00:00Z`) + DAY_MS;
    if (Number.isFinite(dayEnd)) return new Date(Math.min(dayEnd, entry.createdAt.getTime()));
  }
  return entry.createdAt;
}

/** Whether an audit entry was recorded after the event its prediction's resolution names, and so is not scored. */
export function isAfterTheFact(entry: { kind: string; createdAt: Date; detail?: unknown }, occurredAt: Date | null): boolean {
  if (!occurredAt || NOT_MOVES.includes(entry.kind)) return false;
  const day = entry.kind === 'quiet_day' ? ((entry.detail as { day?: string } | null)?.day ?? null) : null;
  return countsFrom({ kind: entry.kind, createdAt: entry.createdAt, day }).getTime() > occurredAt.getTime();
}

/** The model's moves in trail order (entries given in sequence order), as scoring sees them. */
export function scoringMoves(entries: readonly ScoringEntry[]): TrailMove[] {
  return entries.filter((entry) => !NOT_MOVES.includes(entry.kind)).map((entry) => ({ countsFrom: countsFrom(entry), deltaLogOdds: entry.deltaLogOdds }));
}

/**
 * Scores every track of a prediction resolved true or false the same way, at the
 * event time: the model (the trail's moves, in sequence order), the team (the
 * geometric mean of the odds of each analyst's latest forecast) and each analyst
 * (forecasts in the order they were made: time, then id). Moves and forecasts
 * recorded after the event are counted as after the fact and left out. What the
 * resolution keeps, and what an import recomputes to check what it is given.
 */
export function scorePredictionTracks(
  prediction: { priorLogOdds: number; createdAt: Date },
  moves: readonly TrailMove[],
  forecasts: readonly ScoringForecast[],
  occurredAt: Date,
  outcome: Outcome,
): ScoredTrackValues[] {
  const occurred = occurredAt.getTime();
  const tracks: ScoredTrackValues[] = [];
  const base = { outcome, occurredAt };
  const model = scoreTrack(modelTrackPoints(prediction.priorLogOdds, moves, prediction.createdAt, occurredAt), occurredAt, outcome)!;
  tracks.push({ ...base, ...model, track: 'model', forecaster: '', forecasterName: '', afterTheFact: moves.filter((move) => move.countsFrom.getTime() > occurred).length });
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

/** Forecasts in the order scoring takes them: by time, then id. */
export function inForecastOrder<T extends { id: string; createdAt: Date }>(forecasts: readonly T[]): T[] {
  return [...forecasts].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
