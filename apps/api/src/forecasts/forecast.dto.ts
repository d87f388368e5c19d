import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

import type { Forecast } from '#db';
import type { ForecastHistory, TeamForecast } from '#predictions';

import { IsProbability } from '../http/validation/is-probability.decorator.js';

export const TEAM_AGGREGATE =
  "geometric mean of the odds of each analyst's latest forecast: p = 1 / (1 + e^-mean(ln(p_i / (1 - p_i))))";

export class RecordForecastDto {
  @ApiProperty({ description: 'Your probability that the prediction comes true, within 0.001..0.999', example: 0.35 })
  @IsProbability()
  probability!: number;

  @ApiPropertyOptional({ description: 'Why, in a sentence or two' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ForecastDto {
  @ApiProperty() id!: string;
  @ApiProperty() predictionId!: string;
  @ApiProperty({ description: '`user:<id>` of the analyst' }) forecaster!: string;
  @ApiProperty({ description: "The analyst's name" }) forecasterName!: string;
  @ApiProperty() probability!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) note!: string | null;
  @ApiProperty() createdAt!: string;
}

export class TeamForecastDto {
  @ApiProperty() probability!: number;
  @ApiProperty({ description: 'How many analysts it aggregates' }) forecasters!: number;
  @ApiProperty({ description: 'When the latest of their forecasts was made' }) asOf!: string;
  @ApiProperty() aggregate!: string;
}

export class AnalystForecastsDto {
  @ApiProperty() forecaster!: string;
  @ApiProperty() forecasterName!: string;
  @ApiProperty({ type: ForecastDto, description: 'Their current view' }) latest!: ForecastDto;
  @ApiProperty({ type: [ForecastDto], description: 'Oldest first' }) forecasts!: ForecastDto[];
}

export class ForecastHistoryDto {
  @ApiProperty() predictionId!: string;
  @ApiProperty() slug!: string;
  @ApiProperty({ description: "The model's probability now" }) probability!: number;
  @ApiPropertyOptional({ nullable: true, type: TeamForecastDto }) team!: TeamForecastDto | null;
  @ApiProperty({ type: [AnalystForecastsDto] }) analysts!: AnalystForecastsDto[];
}

export function toForecastDto(forecast: Forecast): ForecastDto {
  return {
    id: forecast.id,
    predictionId: forecast.predictionId,
    forecaster: forecast.forecaster,
    forecasterName: forecast.forecasterName,
    probability: forecast.probability,
    note: forecast.note,
    createdAt: forecast.createdAt.toISOString(),
  };
}

export function toTeamForecastDto(team: TeamForecast | null): TeamForecastDto | null {
  return team ? { probability: team.probability, forecasters: team.forecasters, asOf: team.asOf.toISOString(), aggregate: TEAM_AGGREGATE } : null;
}

export function toForecastHistoryDto(history: ForecastHistory): ForecastHistoryDto {
  return {
    predictionId: history.prediction.id,
    slug: history.prediction.slug,
    probability: history.prediction.probability,
    team: toTeamForecastDto(history.team),
    analysts: history.analysts.map((analyst) => ({
      forecaster: analyst.forecaster,
      forecasterName: analyst.forecasterName,
      latest: toForecastDto(analyst.latest),
      forecasts: analyst.forecasts.map(toForecastDto),
    })),
  };
}
