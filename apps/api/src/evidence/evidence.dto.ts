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
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

import { MAX_LIKELIHOOD_RATIO, MAX_RULE_QUERY_LENGTH, MIN_LIKELIHOOD_RATIO } from '#core';
import {
  MAX_EVIDENCE_IMPACTS,
  type EvidenceImpactInput,
  type EvidenceMove,
  type EvidenceSearchHit,
  type EvidenceWithImpacts,
  type RecordedEvidence,
  type RetractedEvidence,
  type SameStoryWarning,
  type StoryMove,
} from '#predictions';

import { IsAlternativeTo } from '../http/validation/is-alternative-to.decorator.js';
import { IsNotBlank } from '../http/validation/is-not-blank.decorator.js';
import { IsUtcTimestamp } from '../http/validation/is-utc-timestamp.decorator.js';
import { TimeWindowPageQueryDto } from '../http/validation/page-query.dto.js';

/**
 * The shape and ranges of evidence are checked here, once, and every bad field
 * of a request is reported at once; EvidenceService keeps only what needs the
 * database or the clock (the prediction exists and is open, observedAt).
 */
export class EvidenceImpactDto {
  @ApiProperty({ description: 'Prediction id or slug', example: 'deepseek-blacklisted-12m' })
  @IsString()
  @Length(1, 100)
  prediction!: string;

  @ApiPropertyOptional({ description: 'P(E | true) / P(E | false), within 0.01..100. Or give direction and strength.', example: 2 })
  // Checked when given (so it can be refused beside a direction or strength), or when neither alternative is.
  @ValidateIf((impact: EvidenceImpactDto) => impact.likelihoodRatio !== undefined || (impact.direction === undefined && impact.strength === undefined))
  @IsAlternativeTo(['direction', 'strength'])
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(MIN_LIKELIHOOD_RATIO)
  @Max(MAX_LIKELIHOOD_RATIO)
  likelihoodRatio?: number;

  @ApiPropertyOptional({ enum: ['supports', 'contradicts'], description: 'With strength, when no likelihoodRatio is given' })
  @ValidateIf((impact: EvidenceImpactDto) => impact.likelihoodRatio === undefined)
  @IsIn(['supports', 'contradicts'])
  direction?: 'supports' | 'contradicts';

  @ApiPropertyOptional({ enum: ['weak', 'moderate', 'strong'], description: 'LR 1.5 / 3 / 10 (or 1/that when contradicting)' })
  @ValidateIf((impact: EvidenceImpactDto) => impact.likelihoodRatio === undefined)
  @IsIn(['weak', 'moderate', 'strong'])
  strength?: 'weak' | 'moderate' | 'strong';
}

export class IndependenceDto {
  @ApiProperty({ example: 'A second deployment, at another operator, reported the same week' })
  @IsString()
  @Length(1, 2000)
  @IsNotBlank()
  reason!: string;
}

export class RecordEvidenceDto {
  @ApiProperty({ example: 'BIS adds two Chinese AI labs to the Entity List' })
  @IsString()
  @Length(1, 2000)
  @IsNotBlank()
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
  @ArrayMaxSize(MAX_EVIDENCE_IMPACTS)
  @ValidateNested({ each: true })
  @Type(() => EvidenceImpactDto)
  impacts!: EvidenceImpactDto[];

  @ApiPropertyOptional({
    description:
      'The story this evidence reports (the storyId of earlier evidence, or a signal item\'s story): it joins that story, which counts once per prediction, ' +
      'as its strongest item. Without it, evidence joins the story of earlier evidence of the same predictions with the same canonical link or a near-same summary.',
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID('all')
  storyId?: string;

  @ApiPropertyOptional({
    type: () => IndependenceDto,
    description: 'Count it as a story of its own although it looks like the same story as earlier evidence; the reason goes into the audit trail with who said so',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => IndependenceDto)
  independent?: IndependenceDto;
}

export class RetractEvidenceDto {
  @ApiProperty({ example: 'The report was withdrawn by its publisher' })
  @IsString()
  @Length(1, 2000)
  @IsNotBlank()
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

  @ApiPropertyOptional({ description: 'Story id: the evidence of one story', format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  story?: string;
}

export class StoryMoveDto {
  @ApiProperty({ description: 'The story the evidence counts in' }) id!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The evidence the story counts on this prediction after the move (its strongest live item); null once none is live' })
  counted!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Recorded but not counted: the evidence of the same story it is counted once with' })
  countedOnceWith!: string | null;
  @ApiProperty({ description: "This evidence's own dL = r * ln(LR)" }) itemDeltaLogOdds!: number;
  @ApiProperty({ description: "What the story added to the prediction's log-odds before the move" }) deltaLogOddsBefore!: number;
  @ApiProperty({ description: "What the story adds to the prediction's log-odds after the move" }) deltaLogOddsAfter!: number;
}

export class EvidenceMoveDto {
  @ApiProperty() predictionId!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() likelihoodRatio!: number;
  @ApiProperty({
    description:
      "What the prediction moved: the change of its story's contribution (a story counts once, as its strongest live item). " +
      'For evidence that starts a story, dL = r * ln(LR); for a weaker repeat, 0; for a retraction, back to the next strongest item or by all the story added.',
  })
  deltaLogOdds!: number;
  @ApiProperty() probabilityBefore!: number;
  @ApiProperty() probabilityAfter!: number;
  @ApiProperty({ type: StoryMoveDto }) story!: StoryMoveDto;
}

export class SameStoryDto {
  @ApiProperty() evidenceId!: string;
  @ApiProperty() storyId!: string;
  @ApiProperty() summary!: string;
  @ApiProperty() recordedAt!: string;
  @ApiProperty({ enum: ['story', 'url', 'summary'], description: 'Named the same story, linked the same page (canonically), or said nearly the same within a week' })
  matchedBy!: 'story' | 'url' | 'summary';
}

export class RecordedEvidenceDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The story it counts in' }) storyId!: string;
  @ApiProperty({ description: 'Recorded as a story of its own although it looked like the same story as sameStory' }) independent!: boolean;
  @ApiProperty({
    type: [SameStoryDto],
    description: 'Warnings: earlier evidence of the same predictions this looks like the same story as, best match first. Unless independent, it joined the first one\'s story.',
  })
  sameStory!: SameStoryDto[];
  @ApiProperty({ type: [EvidenceMoveDto] }) impacts!: EvidenceMoveDto[];
}

export class RetractedEvidenceDto {
  @ApiProperty() id!: string;
  @ApiProperty() retractedAt!: string;
  @ApiProperty({ type: [EvidenceMoveDto], description: "The compensating move on each prediction: its story recounted without this evidence" })
  impacts!: EvidenceMoveDto[];
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
  @ApiProperty({ description: '`user:<id>`, `apikey:<id>` (before people existed) or `system:<job>`' }) actor!: string;
  @ApiProperty({ description: "The person's name (or `Bellwether (<job>)` for a job); an `apikey:<id>` actor written before people existed names the key's person" }) actorName?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) indicatorReadingId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) signalItemId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) retractedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) retractionReason!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'The story it counts in: on each prediction a story counts once, as its strongest live item' }) storyId!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Recorded as a story of its own although it looked like the same story as earlier evidence: why' })
  independenceReason!: string | null;
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
  return { ...move, story: toStoryMoveDto(move.story) };
}

function toStoryMoveDto(story: StoryMove): StoryMoveDto {
  return { ...story };
}

export function toSameStoryDto(warning: SameStoryWarning): SameStoryDto {
  return { ...warning, recordedAt: warning.recordedAt.toISOString() };
}

export function toRecordedEvidenceDto(recorded: RecordedEvidence): RecordedEvidenceDto {
  return {
    id: recorded.id,
    storyId: recorded.storyId,
    independent: recorded.independent,
    sameStory: recorded.sameStory.map(toSameStoryDto),
    impacts: recorded.impacts.map(toMoveDto),
  };
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
    storyId: evidence.storyId,
    independenceReason: evidence.independenceReason,
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

/** A validated impact as the library takes it: a likelihood ratio, or a direction with a strength. */
export function toEvidenceImpactInput(impact: EvidenceImpactDto): EvidenceImpactInput {
  if (impact.likelihoodRatio !== undefined) return { prediction: impact.prediction, likelihoodRatio: impact.likelihoodRatio };
  return { prediction: impact.prediction, direction: impact.direction!, strength: impact.strength! };
}
