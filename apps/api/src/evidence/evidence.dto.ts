import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

import { MAX_LIKELIHOOD_RATIO, MAX_RULE_QUERY_LENGTH, MIN_LIKELIHOOD_RATIO } from '#core';
import type { EvidenceMove, EvidenceSearchHit, EvidenceWithImpacts, RecordedEvidence, RetractedEvidence } from '#predictions';

import { IsUtcTimestamp } from '../http/is-utc-timestamp.decorator.js';
import { TimeWindowPageQueryDto } from '../http/page-query.dto.js';

/**
 * EvidenceService enforces the ranges for every caller; stating them here too
 * puts them in the OpenAPI document and reports every bad field of a request at once.
 */
export class EvidenceImpactDto {
  @ApiProperty({ description: 'Prediction id or slug', example: 'deepseek-blacklisted-12m' })
  @IsString()
  @Length(1, 100)
  prediction!: string;

  @ApiPropertyOptional({ description: 'P(E | true) / P(E | false), within 0.01..100. Or give direction and strength.', example: 2 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(MIN_LIKELIHOOD_RATIO)
  @Max(MAX_LIKELIHOOD_RATIO)
  likelihoodRatio?: number;

  @ApiPropertyOptional({ enum: ['supports', 'contradicts'] })
  @IsOptional()
  @IsIn(['supports', 'contradicts'])
  direction?: 'supports' | 'contradicts';

  @ApiPropertyOptional({ enum: ['weak', 'moderate', 'strong'], description: 'LR 1.5 / 3 / 10 (or 1/that when contradicting)' })
  @IsOptional()
  @IsIn(['weak', 'moderate', 'strong'])
  strength?: 'weak' | 'moderate' | 'strong';
}

export class RecordEvidenceDto {
  @ApiProperty({ example: 'BIS adds two Chinese AI labs to the Entity List' })
  @IsString()
  @Length(1, 2000)
  summary!: string;

  @ApiPropertyOptional({ example: 'https://www.federalregister.gov/...' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  sourceUrl?: string;

  @ApiProperty({ description: 'When the evidence was observed (ISO 8601)' })
  @IsUtcTimestamp()
  observedAt!: string;

  @ApiPropertyOptional({ description: 'Source reliability r in [0, 1]; dL = r * ln(LR)', default: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  reliability?: number;

  @ApiProperty({ type: [EvidenceImpactDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => EvidenceImpactDto)
  impacts!: EvidenceImpactDto[];
}

export class RetractEvidenceDto {
  @ApiProperty({ example: 'The report was withdrawn by its publisher' })
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export class EvidenceListQueryDto extends TimeWindowPageQueryDto {
  @ApiPropertyOptional({ description: 'Prediction id or slug' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  prediction?: string;

  @ApiPropertyOptional({ description: 'Indicator id or slug: evidence derived from its readings' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  indicator?: string;

  @ApiPropertyOptional({
    description: 'A search of the summaries in the rule query language: the matching evidence, best first, each with its rank and highlight',
    example: '"entity list" OR sanction*',
    maxLength: MAX_RULE_QUERY_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RULE_QUERY_LENGTH)
  q?: string;

}

export class EvidenceMoveDto {
  @ApiProperty() predictionId!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() likelihoodRatio!: number;
  @ApiProperty({ description: 'dL = r * ln(LR) (negated for a retraction)' }) deltaLogOdds!: number;
  @ApiProperty() probabilityBefore!: number;
  @ApiProperty() probabilityAfter!: number;
}

export class RecordedEvidenceDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: [EvidenceMoveDto] }) impacts!: EvidenceMoveDto[];
}

export class RetractedEvidenceDto extends RecordedEvidenceDto {
  @ApiProperty() retractedAt!: string;
}

export class EvidenceImpactViewDto {
  @ApiProperty() predictionId!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() likelihoodRatio!: number;
  @ApiProperty() reliability!: number;
  @ApiProperty() deltaLogOdds!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) direction!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) strength!: string | null;
}

export class EvidenceDto {
  @ApiProperty() id!: string;
  @ApiProperty() summary!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) sourceUrl!: string | null;
  @ApiProperty() observedAt!: string;
  @ApiProperty() reliability!: number;
  @ApiProperty() actor!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) indicatorReadingId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) signalItemId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) retractedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) retractionReason!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [EvidenceImpactViewDto] }) impacts!: EvidenceImpactViewDto[];
}

export class EvidenceSearchResultDto extends EvidenceDto {
  @ApiProperty({ description: 'ts_rank_cd of the summary for the query' }) rank!: number;
  @ApiProperty({ description: 'The summary with the matched words in <mark>' }) highlight!: string;
}

export class EvidencePageDto {
  @ApiProperty({ type: [EvidenceSearchResultDto], description: 'With q, ranked and each with rank and highlight' }) items!: (EvidenceDto | EvidenceSearchResultDto)[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

function toMoveDto(move: EvidenceMove): EvidenceMoveDto {
  return { ...move };
}

export function toRecordedEvidenceDto(recorded: RecordedEvidence): RecordedEvidenceDto {
  return { id: recorded.id, impacts: recorded.impacts.map(toMoveDto) };
}

export function toRetractedEvidenceDto(retracted: RetractedEvidence): RetractedEvidenceDto {
  return { id: retracted.id, retractedAt: retracted.retractedAt.toISOString(), impacts: retracted.impacts.map(toMoveDto) };
}

export function toEvidenceSearchResultDto(hit: EvidenceSearchHit): EvidenceSearchResultDto {
  return { ...toEvidenceDto(hit), rank: hit.rank, highlight: hit.highlight };
}

export function toEvidenceDto(evidence: EvidenceWithImpacts): EvidenceDto {
  return {
    id: evidence.id,
    summary: evidence.summary,
    sourceUrl: evidence.sourceUrl,
    observedAt: evidence.observedAt.toISOString(),
    reliability: evidence.reliability,
    actor: evidence.actor,
    indicatorReadingId: evidence.indicatorReadingId,
    signalItemId: evidence.signalItemId,
    retractedAt: evidence.retractedAt?.toISOString() ?? null,
    retractionReason: evidence.retractionReason,
    createdAt: evidence.createdAt.toISOString(),
    impacts: evidence.impacts.map((impact) => ({
      predictionId: impact.predictionId,
      slug: impact.prediction.slug,
      likelihoodRatio: impact.likelihoodRatio,
      reliability: impact.reliability,
      deltaLogOdds: impact.deltaLogOdds,
      direction: impact.direction,
      strength: impact.strength,
    })),
  };
}
