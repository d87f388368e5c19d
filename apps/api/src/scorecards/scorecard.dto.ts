import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import type { AnalystStanding, ScoredTrack, Scorecard, ScorecardsTable } from '#predictions';
import type { LinkedIndicator } from '#signals';

import { TEAM_AGGREGATE, TeamForecastDto, toTeamForecastDto } from '../forecasts/forecast.dto.js';
import { AFTER_THE_FACT_RULE, PredictionDto, toPredictionDto } from '../predictions/prediction.dto.js';

export const BRIER_FORM = 'one-term: (p - o)^2 of the probability held at the time the event happened (occurredAt), 0 (perfect) to 1 (certain and wrong)';

export class ChangeDto {
  @ApiProperty({ description: 'Probability now minus 7 days ago (since creation if younger)' }) d7!: number;
  @ApiProperty() d30!: number;
  @ApiProperty() d90!: number;
}

export class TopEvidenceDto {
  @ApiProperty() evidenceId!: string;
  @ApiProperty() summary!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) sourceUrl!: string | null;
  @ApiProperty() observedAt!: string;
  @ApiProperty() likelihoodRatio!: number;
  @ApiProperty() reliability!: number;
  @ApiProperty() deltaLogOdds!: number;
  @ApiProperty({ description: 'Recorded after the event the resolution names: in the trail, not in the scores' }) afterTheFact!: boolean;
}

export class LatestReadingDto {
  @ApiProperty() value!: number;
  @ApiProperty() observedAt!: string;
}

export class LinkedIndicatorDto {
  @ApiProperty() indicatorId!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty() unit!: string;
  @ApiProperty() threshold!: number;
  @ApiProperty() likelihoodRatioUp!: number;
  @ApiProperty() likelihoodRatioDown!: number;
  @ApiPropertyOptional({ nullable: true, type: LatestReadingDto }) latestReading!: LatestReadingDto | null;
}

export class ScoresDto {
  @ApiProperty({ description: BRIER_FORM }) brier!: number;
  @ApiProperty({ description: 'ln(p) if it happened, ln(1 - p) if not; 0 is perfect' }) logScore!: number;
  @ApiProperty({ description: 'Mean one-term Brier of the probability at the end of each UTC day from creation to the event' }) timeAveragedBrier!: number;
  @ApiProperty({ description: 'The probability scored: the one held at the event time' }) probability!: number;
  @ApiProperty({ description: 'When the event happened: every score is taken at this time' }) occurredAt!: string;
  @ApiProperty({ description: 'Moves recorded after the event (kept in the trail, left out of the scores)' }) afterTheFact!: number;
  @ApiProperty() rule!: string;
}

export class TrackScoreDto {
  @ApiProperty({ enum: ['model', 'team', 'analyst'] }) track!: string;
  @ApiProperty({ description: '`user:<id>` on an analyst track (one per person, whichever keys they used), empty otherwise' }) forecaster!: string;
  @ApiProperty() forecasterName!: string;
  @ApiProperty({ description: 'The probability the track held at the event time' }) probability!: number;
  @ApiProperty() brier!: number;
  @ApiProperty() logScore!: number;
  @ApiProperty({ description: 'From the track\'s first forecast (the model: creation) to the event' }) timeAveragedBrier!: number;
  @ApiProperty({ description: 'Moves or forecasts of the track recorded after the event, not scored' }) afterTheFact!: number;
}

export class ScorecardDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['open', 'due', 'resolved_true', 'resolved_false', 'annulled'] }) status!: string;
  @ApiProperty() prior!: number;
  @ApiProperty() probability!: number;
  @ApiProperty({ type: ChangeDto }) change!: ChangeDto;
  @ApiProperty({ type: [TopEvidenceDto], description: 'The evidence that moved it most, by |dL| (retracted evidence left out)' }) topEvidence!: TopEvidenceDto[];
  @ApiProperty({ type: [LinkedIndicatorDto] }) indicators!: LinkedIndicatorDto[];
  @ApiProperty() deadline!: string;
  @ApiProperty({ description: 'Milliseconds until the deadline (0 once past)' }) timeLeftMs!: number;
  @ApiProperty({ description: 'Whole days until the deadline (0 once past)' }) timeLeftDays!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) resolvedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: ScoresDto, description: "The model's scores at the event time; null until resolved true or false" }) scores!: ScoresDto | null;
  @ApiPropertyOptional({ nullable: true, type: TeamForecastDto, description: 'The team forecast now, beside the model' }) team!: TeamForecastDto | null;
  @ApiProperty({ type: [TrackScoreDto], description: 'Once resolved true or false: the model, the team and each analyst, scored the same way' }) tracks!: TrackScoreDto[];
  @ApiProperty({ description: 'Which Brier score is reported' }) brierForm!: string;
}

export class CalibrationBinDto {
  @ApiProperty() lower!: number;
  @ApiProperty() upper!: number;
  @ApiProperty() count!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) meanForecast!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) observedFrequency!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Wilson 95% interval of the observed frequency' }) wilsonLower!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) wilsonUpper!: number | null;
}

export class ScorecardRowDto extends PredictionDto {
  @ApiPropertyOptional({ nullable: true, type: Number, description: BRIER_FORM }) brier!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Once resolved: the probability scored, held at the event time' }) scoredProbability!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: "Once resolved: the team's Brier at the event time" }) teamBrier!: number | null;
}

export class AnalystStandingDto {
  @ApiProperty() forecaster!: string;
  @ApiProperty() forecasterName!: string;
  @ApiProperty({ description: 'Predictions resolved true or false that they forecast before the event' }) resolvedCount!: number;
  @ApiProperty() meanBrier!: number;
  @ApiProperty() meanLogScore!: number;
  @ApiProperty() meanTimeAveragedBrier!: number;
  @ApiProperty({ type: [CalibrationBinDto] }) calibration!: CalibrationBinDto[];
}

export class ModelVersusTeamDto {
  @ApiProperty({ description: 'Resolved predictions with both a model and a team score' }) predictions!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) modelMeanBrier!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) teamMeanBrier!: number | null;
  @ApiProperty({ description: "Predictions where the model's Brier was lower than the team's" }) modelBetter!: number;
  @ApiProperty() teamBetter!: number;
  @ApiProperty() ties!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'How often the model beat the team: modelBetter / predictions' }) modelBeatTeamRate!: number | null;
}

export class ScorecardsDto {
  @ApiProperty({ type: [ScorecardRowDto] }) predictions!: ScorecardRowDto[];
  @ApiProperty({ type: [CalibrationBinDto], description: 'Ten bins of the probability at resolution, over predictions resolved true or false' })
  calibration!: CalibrationBinDto[];
  @ApiProperty() resolvedCount!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) meanBrier!: number | null;
  @ApiProperty({ type: [AnalystStandingDto], description: 'Per analyst, best mean Brier first' }) leaderboard!: AnalystStandingDto[];
  @ApiProperty({ type: ModelVersusTeamDto }) modelVersusTeam!: ModelVersusTeamDto;
  @ApiProperty() brierForm!: string;
  @ApiProperty() teamAggregate!: string;
  @ApiProperty() scoring!: string;
}

/** The scorecard of the predictions library beside the indicators the signals library links to the prediction. */
export function toScorecardDto(scorecard: Scorecard, indicators: readonly LinkedIndicator[]): ScorecardDto {
  const { prediction } = scorecard;
  return {
    id: prediction.id,
    slug: prediction.slug,
    title: prediction.title,
    status: prediction.status,
    prior: prediction.prior,
    probability: prediction.probability,
    change: scorecard.change,
    topEvidence: scorecard.topEvidence.map((item) => ({ ...item, observedAt: item.observedAt.toISOString(), afterTheFact: item.afterTheFact ?? false })),
    indicators: indicators.map((indicator) => ({
      ...indicator,
      latestReading: indicator.latestReading
        ? { value: indicator.latestReading.value, observedAt: indicator.latestReading.observedAt.toISOString() }
        : null,
    })),
    deadline: prediction.deadline.toISOString(),
    timeLeftMs: scorecard.timeLeftMs,
    timeLeftDays: Math.floor(scorecard.timeLeftMs / 86_400_000),
    resolvedAt: prediction.resolvedAt?.toISOString() ?? null,
    scores: scorecard.scores ? { ...scorecard.scores, occurredAt: scorecard.scores.occurredAt.toISOString(), rule: AFTER_THE_FACT_RULE } : null,
    team: toTeamForecastDto(scorecard.team),
    tracks: scorecard.tracks.map(toTrackScoreDto),
    brierForm: BRIER_FORM,
  };
}

function toTrackScoreDto(track: ScoredTrack): TrackScoreDto {
  return {
    track: track.track,
    forecaster: track.forecaster,
    forecasterName: track.forecasterName,
    probability: track.probability,
    brier: track.brier,
    logScore: track.logScore,
    timeAveragedBrier: track.timeAveragedBrier,
    afterTheFact: track.afterTheFact,
  };
}

function toAnalystStandingDto(standing: AnalystStanding): AnalystStandingDto {
  return { ...standing };
}

export function toScorecardsDto(table: ScorecardsTable): ScorecardsDto {
  return {
    predictions: table.predictions.map(({ prediction, brier, scoredProbability, team, teamBrier }) => ({
      ...toPredictionDto(prediction, team ?? null),
      brier,
      scoredProbability: scoredProbability ?? null,
      teamBrier: teamBrier ?? null,
    })),
    calibration: table.calibration,
    resolvedCount: table.resolvedCount,
    meanBrier: table.meanBrier,
    leaderboard: (table.leaderboard ?? []).map(toAnalystStandingDto),
    modelVersusTeam: table.modelVersusTeam ?? {
      predictions: 0,
      modelMeanBrier: null,
      teamMeanBrier: null,
      modelBetter: 0,
      teamBetter: 0,
      ties: 0,
      modelBeatTeamRate: null,
    },
    brierForm: BRIER_FORM,
    teamAggregate: TEAM_AGGREGATE,
    scoring: AFTER_THE_FACT_RULE,
  };
}
