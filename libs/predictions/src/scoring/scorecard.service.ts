import { Injectable } from '@nestjs/common';

import { calibrationTable, meanBrier, type CalibrationBin, type Outcome, type ResolvedForecast } from '#core';
import { PrismaService, SqlPool, type Prediction, type PredictionStatus } from '#db';

import { ForecastsService } from '../forecasts/forecasts.service.js';
import type { TeamForecast } from '../forecasts/team-forecast.js';
import { PredictionsService } from '../predictions.service.js';
import { TrackScoringService, type ScoredTrack } from './track-scoring.service.js';

const DAY_MS = 86_400_000;
const TOP_EVIDENCE = 5;

interface TopEvidenceRow extends Omit<TopEvidence, 'afterTheFact'> {
  end: 'largest' | 'smallest';
  /** Retracted, or a repeat its story does not count. */
  uncounted: boolean;
  recordedAt: Date | null;
}

export interface Scores {
  /** One-term Brier (p - o)^2 of the probability at the event time: 0 is perfect, 1 certain and wrong. */
  brier: number;
  /** ln(p) if it happened, ln(1 - p) if not: 0 is perfect. */
  logScore: number;
  /** Mean one-term Brier of the probability at the end of each UTC day from creation to the event. */
  timeAveragedBrier: number;
  /** The probability scored: the one the model held at the event time. */
  probability: number;
  /** When the event happened: the time every score is taken at. */
  occurredAt: Date;
  /** Moves recorded after the event (evidence whatever its observedAt, overrides, retractions, quiet days after it): kept, not scored. */
  afterTheFact: number;
}

export interface AnalystStanding {
  forecaster: string;
  forecasterName: string;
  resolvedCount: number;
  meanBrier: number;
  meanLogScore: number;
  meanTimeAveragedBrier: number;
  calibration: CalibrationBin[];
}

/** The model against the team, over predictions resolved with both tracks scored. */
export interface ModelVersusTeam {
  predictions: number;
  modelMeanBrier: number | null;
  teamMeanBrier: number | null;
  /** Predictions where the model's Brier was lower (better) than the team's, higher, or equal. */
  modelBetter: number;
  teamBetter: number;
  ties: number;
  /** modelBetter / predictions; null with none. */
  modelBeatTeamRate: number | null;
}

export interface TopEvidence {
  evidenceId: string;
  summary: string;
  sourceUrl: string | null;
  observedAt: Date;
  likelihoodRatio: number;
  reliability: number;
  deltaLogOdds: number;
  /** Recorded after the event the resolution names: in the trail, not in the scores. */
  afterTheFact?: boolean;
}

export interface Scorecard {
  prediction: Prediction;
  /** Change in probability (percentage points as a fraction) over the last 7/30/90 days; since creation if younger. */
  change: { d7: number; d30: number; d90: number };
  topEvidence: TopEvidence[];
  timeLeftMs: number;
  scores: Scores | null;
  /** The team forecast now (geometric mean of the odds of each analyst's latest forecast). */
  team: TeamForecast | null;
  /** Once resolved true or false: every track scored at the event time (model, team, each analyst). */
  tracks: ScoredTrack[];
}

export interface ScorecardsTable {
  predictions: { prediction: Prediction; brier: number | null; scoredProbability?: number | null; team?: TeamForecast | null; teamBrier?: number | null }[];
  calibration: CalibrationBin[];
  resolvedCount: number;
  meanBrier: number | null;
  leaderboard?: AnalystStanding[];
  modelVersusTeam?: ModelVersusTeam;
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
    private readonly sql: SqlPool,
    private readonly predictions: PredictionsService,
    private readonly trackScoring: TrackScoringService,
    private readonly forecasts: ForecastsService,
  ) {}

  async scorecard(idOrSlug: string, now = new Date()): Promise<Scorecard> {
    const prediction = await this.predictions.get(idOrSlug);
    const [[d7, d30, d90], topEvidence, tracks, team] = await Promise.all([
      this.probabilitiesAt(prediction, [daysBefore(now, 7), daysBefore(now, 30), daysBefore(now, 90)]),
      this.topEvidence(prediction),
      this.tracksOf(prediction),
      this.forecasts.teamForecast(prediction.id),
    ]);
    const model = tracks.find((track) => track.track === 'model');
    const scores: Scores | null = model
      ? {
          brier: model.brier,
          logScore: model.logScore,
          timeAveragedBrier: model.timeAveragedBrier,
          probability: model.probability,
          occurredAt: model.occurredAt,
          afterTheFact: model.afterTheFact,
        }
      : null;
    return {
      prediction,
      change: { d7: prediction.probability - d7, d30: prediction.probability - d30, d90: prediction.probability - d90 },
      topEvidence,
      timeLeftMs: Math.max(0, prediction.deadline.getTime() - now.getTime()),
      scores,
      team,
      tracks,
    };
  }

  /**
   * Every prediction with its scores at the event time, the calibration table of the model,
   * the analysts' leaderboard and the model against the team.
   */
  async scorecards(): Promise<ScorecardsTable> {
    const [predictions, kept] = await Promise.all([this.prisma.prediction.findMany({ orderBy: { id: 'asc' } }), this.trackScoring.allScores()]);
    const teams = await this.forecasts.teamForecasts(predictions.map((prediction) => prediction.id));
    const tracksByPrediction = new Map<string, ScoredTrack[]>();
    for (const track of kept) tracksByPrediction.set(track.predictionId, [...(tracksByPrediction.get(track.predictionId) ?? []), track]);
    const resolved: ResolvedForecast[] = [];
    const allTracks: ScoredTrack[] = [];
    const rows = [];
    for (const prediction of predictions) {
      const team = teams.get(prediction.id) ?? null;
      if (outcomeOf(prediction.status) === null) {
        rows.push({ prediction, brier: null, scoredProbability: null, team, teamBrier: null });
        continue;
      }
      const tracks = tracksByPrediction.get(prediction.id) ?? (await this.tracksOf(prediction));
      allTracks.push(...tracks);
      const model = tracks.find((track) => track.track === 'model')!;
      resolved.push({ probability: model.probability, outcome: model.outcome });
      const teamTrack = tracks.find((track) => track.track === 'team');
      rows.push({ prediction, brier: model.brier, scoredProbability: model.probability, team, teamBrier: teamTrack?.brier ?? null });
    }
    return {
      predictions: rows,
      calibration: calibrationTable(resolved),
      resolvedCount: resolved.length,
      meanBrier: meanBrier(resolved),
      leaderboard: leaderboard(allTracks),
      modelVersusTeam: modelVersusTeam(rows.map((row) => ({ model: row.brier, team: row.teamBrier ?? null }))),
    };
  }

  /** The kept scores of a prediction resolved true or false; computed afresh for one resolved before they were kept. */
  private async tracksOf(prediction: Prediction): Promise<ScoredTrack[]> {
    const outcome = outcomeOf(prediction.status);
    if (outcome === null || !prediction.resolvedAt) return [];
    const kept = await this.trackScoring.scoresOf(prediction.id);
    if (kept.length > 0) return kept;
    return this.trackScoring.scoreTracks(this.prisma, prediction, prediction.outcomeOccurredAt ?? prediction.resolvedAt, outcome);
  }

  /**
   * The probability in force at each of three times, in one statement: the last entry at or
   * before it on the (predictionId, createdAt) index, or the prior if the prediction is younger.
   */
  private async probabilitiesAt(prediction: Prediction, at: readonly [Date, Date, Date]): Promise<[number, number, number]> {
    const before = (parameter: number) =>
      `(SELECT "probabilityAfter" FROM "AuditEntry" WHERE "predictionId" = $1::uuid AND "createdAt" <= $${parameter}::timestamp
         ORDER BY "createdAt" DESC, "sequence" DESC LIMIT 1)`;
    const [row] = await this.sql.query<{ first: number | null; second: number | null; third: number | null }>(
      `SELECT ${before(2)} AS "first", ${before(3)} AS "second", ${before(4)} AS "third"`,
      [prediction.id, ...at.map((time) => time.toISOString())],
      'scorecard-probabilities-at',
    );
    return [row?.first ?? prediction.prior, row?.second ?? prediction.prior, row?.third ?? prediction.prior];
  }

  /**
   * The evidence that moved it most by |dL| (each story once, by the item it
   * counts), read from both ends of the
   * (predictionId, deltaLogOdds) index: a few candidates from each end, then
   * their evidence rows, asking for more only when retractions (or uncounted repeats) thinned them
   * out. Joining first and limiting after let the planner, misled by
   * statistics older than a burst of new evidence, hash-join a prediction's
   * whole history: a prediction whose evidence was all recent was slower than
   * one with twenty times as much older evidence.
   */
  private async topEvidence(prediction: Prediction): Promise<TopEvidence[]> {
    const occurredAt = outcomeOf(prediction.status) === null ? null : prediction.outcomeOccurredAt;
    for (let candidates = TOP_EVIDENCE; ; candidates *= 4) {
      const rows = await this.sql.query<TopEvidenceRow>(
        `WITH candidate AS MATERIALIZED (
           (SELECT 'largest' AS "end", "evidenceId", "likelihoodRatio", "reliability", "deltaLogOdds" FROM "EvidenceImpact"
             WHERE "predictionId" = $1::uuid ORDER BY "deltaLogOdds" DESC LIMIT $2)
           UNION ALL
           (SELECT 'smallest' AS "end", "evidenceId", "likelihoodRatio", "reliability", "deltaLogOdds" FROM "EvidenceImpact"
             WHERE "predictionId" = $1::uuid ORDER BY "deltaLogOdds" ASC LIMIT $2)
         )
         SELECT candidate."end", evidence."id"::text AS "evidenceId", evidence."summary", evidence."sourceUrl", evidence."observedAt",
                candidate."likelihoodRatio", candidate."reliability", candidate."deltaLogOdds",
                -- Retracted, or a repeat its story does not count (it moved nothing): not among the movers.
                evidence."retractedAt" IS NOT NULL OR NOT EXISTS (
                  SELECT 1 FROM "EvidenceStoryImpact" AS story
                   WHERE story."storyId" = evidence."storyId" AND story."predictionId" = $1::uuid AND story."strongestEvidenceId" = evidence."id") AS "uncounted",
                -- Filtered after the evidenceId index, not beside it: with statistics behind a burst, the planner
                -- intersected it with the prediction's whole (predictionId, createdAt) range for every candidate.
                (SELECT max(entry."createdAt") FILTER (WHERE entry."predictionId" = $1::uuid AND entry."kind" = 'evidence')
                   FROM "AuditEntry" AS entry WHERE entry."evidenceId" = evidence."id") AS "recordedAt"
           FROM candidate JOIN "Evidence" AS evidence ON evidence."id" = candidate."evidenceId"`,
        [prediction.id, candidates],
        'scorecard-top-evidence',
      );
      // Each end needs its own five standing, or to have run out of history: retractions may have thinned one end only.
      const settled = (['largest', 'smallest'] as const).every((end) => {
        const fromEnd = rows.filter((row) => row.end === end);
        return fromEnd.length < candidates || fromEnd.filter((row) => !row.uncounted).length >= TOP_EVIDENCE;
      });
      if (!settled) continue;
      const seen = new Set<string>();
      return rows
        .filter((row) => !row.uncounted && !seen.has(row.evidenceId) && seen.add(row.evidenceId))
        .sort((a, b) => Math.abs(b.deltaLogOdds) - Math.abs(a.deltaLogOdds))
        .slice(0, TOP_EVIDENCE)
        .map(({ end: _end, uncounted: _uncounted, recordedAt, ...evidence }) => ({
          ...evidence,
          afterTheFact: occurredAt !== null && (recordedAt?.getTime() ?? 0) > occurredAt.getTime(),
        }));
    }
  }

}

const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * DAY_MS);

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Per analyst over the predictions they forecast before the event: count, mean scores and calibration; best mean Brier first. */
function leaderboard(tracks: readonly ScoredTrack[]): AnalystStanding[] {
  const byAnalyst = new Map<string, ScoredTrack[]>();
  for (const track of tracks) {
    if (track.track === 'analyst') byAnalyst.set(track.forecaster, [...(byAnalyst.get(track.forecaster) ?? []), track]);
  }
  return [...byAnalyst.entries()]
    .map(([forecaster, own]) => ({
      forecaster,
      forecasterName: own.at(-1)!.forecasterName,
      resolvedCount: own.length,
      meanBrier: mean(own.map((track) => track.brier)),
      meanLogScore: mean(own.map((track) => track.logScore)),
      meanTimeAveragedBrier: mean(own.map((track) => track.timeAveragedBrier)),
      calibration: calibrationTable(own.map((track) => ({ probability: track.probability, outcome: track.outcome }))),
    }))
    .sort((a, b) => a.meanBrier - b.meanBrier || a.forecaster.localeCompare(b.forecaster));
}

function modelVersusTeam(pairs: readonly { model: number | null; team: number | null }[]): ModelVersusTeam {
  const both = pairs.filter((pair): pair is { model: number; team: number } => pair.model !== null && pair.team !== null);
  const modelBetter = both.filter((pair) => pair.model < pair.team).length;
  const teamBetter = both.filter((pair) => pair.team < pair.model).length;
  return {
    predictions: both.length,
    modelMeanBrier: both.length > 0 ? mean(both.map((pair) => pair.model)) : null,
    teamMeanBrier: both.length > 0 ? mean(both.map((pair) => pair.team)) : null,
    modelBetter,
    teamBetter,
    ties: both.length - modelBetter - teamBetter,
    modelBeatTeamRate: both.length > 0 ? modelBetter / both.length : null,
  };
}
