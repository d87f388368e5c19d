import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import type { Scorecard, ScorecardsTable } from '#predictions';

import { PredictionDto, toPredictionDto } from '../predictions/prediction.dto.js';

export const BRIER_FORM = 'one-term: (p - o)^2 of the probability at resolution, 0 (perfect) to 1 (certain and wrong)';

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
  @ApiProperty({ description: 'Mean one-term Brier of the probability at the end of each UTC day from creation to resolution' }) timeAveragedBrier!: number;
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
  @ApiPropertyOptional({ nullable: true, type: ScoresDto, description: 'null until resolved true or false' }) scores!: ScoresDto | null;
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
}

export class ScorecardsDto {
  @ApiProperty({ type: [ScorecardRowDto] }) predictions!: ScorecardRowDto[];
  @ApiProperty({ type: [CalibrationBinDto], description: 'Ten bins of the probability at resolution, over predictions resolved true or false' })
  calibration!: CalibrationBinDto[];
  @ApiProperty() resolvedCount!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) meanBrier!: number | null;
  @ApiProperty() brierForm!: string;
}

export function toScorecardDto(scorecard: Scorecard): ScorecardDto {
  const { prediction } = scorecard;
  return {
    id: prediction.id,
    slug: prediction.slug,
    title: prediction.title,
    status: prediction.status,
    prior: prediction.prior,
    probability: prediction.probability,
    change: scorecard.change,
    topEvidence: scorecard.topEvidence.map((item) => ({ ...item, observedAt: item.observedAt.toISOString() })),
    indicators: scorecard.indicators.map((indicator) => ({
      ...indicator,
      latestReading: indicator.latestReading
        ? { value: indicator.latestReading.value, observedAt: indicator.latestReading.observedAt.toISOString() }
        : null,
    })),
    deadline: prediction.deadline.toISOString(),
    timeLeftMs: scorecard.timeLeftMs,
    timeLeftDays: Math.floor(scorecard.timeLeftMs / 86_400_000),
    resolvedAt: prediction.resolvedAt?.toISOString() ?? null,
    scores: scorecard.scores,
    brierForm: BRIER_FORM,
  };
}

export function toScorecardsDto(table: ScorecardsTable): ScorecardsDto {
  return {
    predictions: table.predictions.map(({ prediction, brier }) => ({ ...toPredictionDto(prediction), brier })),
    calibration: table.calibration,
    resolvedCount: table.resolvedCount,
    meanBrier: table.meanBrier,
    brierForm: BRIER_FORM,
  };
}
