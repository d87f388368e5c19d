import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNumber, IsOptional, IsString, IsUrl, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';

import { MAX_LIKELIHOOD_RATIO, MIN_LIKELIHOOD_RATIO } from '#core';
import type { Indicator, IndicatorReading } from '#db';
import type { IndicatorLinkView, RecordedReading } from '#signals';

import { IsNotBlank } from '../http/validation/is-not-blank.decorator.js';
import { IsOmittable } from '../http/validation/is-omittable.decorator.js';
import { IsSlug } from '../http/validation/is-slug.decorator.js';
import { IsUtcTimestamp } from '../http/validation/is-utc-timestamp.decorator.js';

export class IndicatorDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() unit!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class IndicatorPageDto {
  @ApiProperty({ type: [IndicatorDto] }) items!: IndicatorDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toIndicatorDto(indicator: Indicator): IndicatorDto {
  return {
    id: indicator.id,
    slug: indicator.slug,
    name: indicator.name,
    description: indicator.description,
    unit: indicator.unit,
    createdAt: indicator.createdAt.toISOString(),
    updatedAt: indicator.updatedAt.toISOString(),
  };
}

export class CreateIndicatorDto {
  @ApiProperty({ example: 'huawei-ascend-adoption' })
  @IsSlug()
  slug!: string;

  @ApiProperty({ example: 'Huawei Ascend adoption' }) @IsString() @Length(1, 300) @IsNotBlank() name!: string;

  @ApiPropertyOptional({ description: 'What is measured and where it comes from', default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiProperty({ example: '% of new deployments', description: 'What a reading counts in' }) @IsString() @Length(1, 50) @IsNotBlank() unit!: string;
}

/**
 * Name, description and unit; the slug stays, since sources, rules and links name the indicator by
 * it. A field can be left out, never cleared to null.
 */
export class UpdateIndicatorDto {
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 300) @IsNotBlank() name?: string;
  @ApiPropertyOptional() @IsOmittable() @IsString() @MaxLength(5000) description?: string;
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 50) @IsNotBlank() unit?: string;
}

export class RecordReadingDto {
  @ApiProperty({ example: 27.5, description: 'In the indicator\'s unit' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @ApiProperty({ description: 'When the value was observed (ISO 8601); at most a day ahead' })
  @IsUtcTimestamp()
  observedAt!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ example: 'https://example.com/report' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  sourceUrl?: string;
}

export class IndicatorReadingDto {
  @ApiProperty() id!: string;
  @ApiProperty() indicatorId!: string;
  @ApiProperty() value!: number;
  @ApiProperty() observedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) note!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) sourceUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The JSON or CSV source it came from' }) sourceId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty() createdAt!: string;
}

export class IndicatorReadingPageDto {
  @ApiProperty({ type: [IndicatorReadingDto] }) items!: IndicatorReadingDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ThresholdCrossingDto {
  @ApiProperty() linkId!: string;
  @ApiProperty() predictionId!: string;
  @ApiProperty() predictionSlug!: string;
  @ApiProperty() threshold!: number;
  @ApiProperty({ enum: ['up', 'down'] }) direction!: 'up' | 'down';
  @ApiProperty() likelihoodRatio!: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The derived evidence; null when the prediction is resolved' })
  evidenceId!: string | null;
}

export class RecordedReadingDto extends IndicatorReadingDto {
  @ApiProperty({ description: 'The same value at the same time was already recorded; nothing new was stored' }) duplicate!: boolean;
  @ApiProperty({ type: [ThresholdCrossingDto], description: 'Thresholds this reading crossed, each with the evidence it recorded' })
  crossings!: ThresholdCrossingDto[];
}

export class IndicatorLinkInputDto {
  @ApiProperty({ description: 'Prediction id or slug', example: 'us-china-ai-bifurcation' })
  @IsString()
  @Length(1, 100)
  prediction!: string;

  @ApiProperty({ example: 30 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  threshold!: number;

  @ApiProperty({ description: `Likelihood ratio applied when a reading crosses the threshold upward (${MIN_LIKELIHOOD_RATIO}..${MAX_LIKELIHOOD_RATIO})`, example: 2 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(MIN_LIKELIHOOD_RATIO)
  @Max(MAX_LIKELIHOOD_RATIO)
  likelihoodRatioUp!: number;

  @ApiProperty({ description: `Likelihood ratio applied when a reading crosses the threshold downward (${MIN_LIKELIHOOD_RATIO}..${MAX_LIKELIHOOD_RATIO})`, example: 0.5 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(MIN_LIKELIHOOD_RATIO)
  @Max(MAX_LIKELIHOOD_RATIO)
  likelihoodRatioDown!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ReplaceIndicatorLinksDto {
  @ApiProperty({ type: [IndicatorLinkInputDto], description: 'The indicator\'s links after the call; an empty list removes them all' })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => IndicatorLinkInputDto)
  links!: IndicatorLinkInputDto[];
}

export class IndicatorLinkDto {
  @ApiProperty() id!: string;
  @ApiProperty() indicatorId!: string;
  @ApiProperty() predictionId!: string;
  @ApiProperty() predictionSlug!: string;
  @ApiProperty() threshold!: number;
  @ApiProperty() likelihoodRatioUp!: number;
  @ApiProperty() likelihoodRatioDown!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) note!: string | null;
  @ApiProperty() createdAt!: string;
}

export class IndicatorLinkListDto {
  @ApiProperty({ type: [IndicatorLinkDto] }) items!: IndicatorLinkDto[];
}

export function toIndicatorReadingDto(reading: IndicatorReading): IndicatorReadingDto {
  return {
    id: reading.id,
    indicatorId: reading.indicatorId,
    value: reading.value,
    observedAt: reading.observedAt.toISOString(),
    note: reading.note,
    sourceUrl: reading.sourceUrl,
    sourceId: reading.sourceId,
    createdBy: reading.createdById,
    createdAt: reading.createdAt.toISOString(),
  };
}

export function toRecordedReadingDto(recorded: RecordedReading): RecordedReadingDto {
  return { ...toIndicatorReadingDto(recorded.reading), duplicate: recorded.duplicate, crossings: recorded.crossings.map((crossing) => ({ ...crossing })) };
}

export function toIndicatorLinkDto(link: IndicatorLinkView): IndicatorLinkDto {
  return {
    id: link.id,
    indicatorId: link.indicatorId,
    predictionId: link.predictionId,
    predictionSlug: link.predictionSlug,
    threshold: link.threshold,
    likelihoodRatioUp: link.likelihoodRatioUp,
    likelihoodRatioDown: link.likelihoodRatioDown,
    note: link.note,
    createdAt: link.createdAt.toISOString(),
  };
}
