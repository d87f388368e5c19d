import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';

import { MAX_RULE_QUERY_LENGTH } from '#core';

import type { RulePreview, RuleView } from '#signals';

import { IsOmittable } from '../http/validation/is-omittable.decorator.js';
import { IsUtcTimestamp } from '../http/validation/is-utc-timestamp.decorator.js';
import { PageQueryDto } from '../http/validation/page-query.dto.js';

const DIRECTIONS = ['supports', 'contradicts'] as const;
const STRENGTHS = ['weak', 'moderate', 'strong'] as const;
const NOT_BLANK = /\S/;
const TERMS_DESCRIPTION = 'Deprecated: terms as rules had them before queries; without a query they are turned into one (all: each phrase, any: one of them, none: none of them)';
export const QUERY_DESCRIPTION =
  'Full-text query over title and summary, English stemming: words, "phrases", OR (binds tighter than AND), AND or juxtaposition, -word or NOT, (groups), prefix*. ' +
  'Example: deepseek OR "high-flyer" (hire OR hiring OR recruit* OR "job ad") (chip OR asic OR silicon) -marketing';

export class RuleImpactDto {
  @ApiProperty({ description: 'Prediction id or slug', example: 'us-china-ai-bifurcation' })
  @IsString()
  @Length(1, 100)
  prediction!: string;

  @ApiProperty({ enum: DIRECTIONS })
  @IsIn(DIRECTIONS)
  direction!: (typeof DIRECTIONS)[number];

  @ApiProperty({ enum: STRENGTHS, description: 'LR 1.5 / 3 / 10 (or 1/that when contradicting)' })
  @IsIn(STRENGTHS)
  strength!: (typeof STRENGTHS)[number];
}

function terms(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ type: [String], description: TERMS_DESCRIPTION, default: [] })(target, key);
    IsOmittable()(target, key);
    IsArray()(target, key);
    ArrayMaxSize(100)(target, key);
    IsString({ each: true })(target, key);
    Length(1, 200, { each: true })(target, key);
    Matches(NOT_BLANK, { each: true, message: '$property must not hold blank terms' })(target, key);
  };
}

export class CreateRuleDto {
  @ApiProperty({ example: 'Huawei Ascend adoption' })
  @IsString()
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  name!: string;

  @ApiPropertyOptional({ description: QUERY_DESCRIPTION, maxLength: MAX_RULE_QUERY_LENGTH, example: 'ascend* (huawei OR 910b OR 910c) -wellness' })
  @IsOmittable()
  @IsString()
  @Length(1, MAX_RULE_QUERY_LENGTH)
  query?: string;

  @terms() allTerms?: string[];
  @terms() anyTerms?: string[];
  @terms() noneTerms?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Limit the rule to these sources; empty or absent means every source (manual submissions included)' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  sourceIds?: string[];

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Indicator id or slug the matching items are about' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  indicator?: string | null;

  @ApiPropertyOptional({ type: [RuleImpactDto], default: [] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RuleImpactDto)
  impacts?: RuleImpactDto[];

  @ApiPropertyOptional({ default: false, description: 'Accept matching items as evidence without review' })
  @IsOmittable()
  @IsBoolean()
  autoAccept?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}

/** Only what is sent changes; `indicator: null` removes the indicator. */
/** null is refused for what cannot be cleared (PartialType would let it through as if left out). */
export class UpdateRuleDto extends PartialType(CreateRuleDto, { skipNullProperties: false }) {}

export class RuleListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  enabled?: boolean;
}

export class RuleImpactViewDto {
  @ApiProperty({ description: 'Prediction id' }) prediction!: string;
  @ApiProperty({ enum: DIRECTIONS }) direction!: string;
  @ApiProperty({ enum: STRENGTHS }) strength!: string;
}

export class RuleIndicatorDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
}

export class RuleDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: QUERY_DESCRIPTION }) query!: string;
  @ApiProperty({ type: [String] }) sourceIds!: string[];
  @ApiPropertyOptional({ nullable: true, type: RuleIndicatorDto }) indicator!: RuleIndicatorDto | null;
  @ApiProperty({ type: [RuleImpactViewDto] }) impacts!: RuleImpactViewDto[];
  @ApiProperty() autoAccept!: boolean;
  @ApiProperty() enabled!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When an analyst last changed it; null while it is as the seed wrote it' }) editedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class RulePageDto {
  @ApiProperty({ type: [RuleDto] }) items!: RuleDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toRuleDto(rule: RuleView): RuleDto {
  return {
    id: rule.id,
    name: rule.name,
    query: rule.query,
    sourceIds: rule.sourceIds,
    indicator: rule.indicator,
    impacts: rule.impacts.map((impact) => ({ ...impact })),
    autoAccept: rule.autoAccept,
    enabled: rule.enabled,
    editedAt: rule.editedAt?.toISOString() ?? null,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

export class PreviewRuleDto {
  @ApiProperty({ description: QUERY_DESCRIPTION, example: 'deepseek (sanction* OR "entity list" OR blacklist*)' })
  @IsString()
  @Length(1, MAX_RULE_QUERY_LENGTH)
  query!: string;

  @ApiPropertyOptional({ description: 'Only items stored since (ISO 8601); default: all' })
  @IsOptional()
  @IsUtcTimestamp()
  since?: string;
}

export class RerunRuleDto {
  @ApiProperty({ description: 'Route again the unmatched items stored since (ISO 8601)' })
  @IsUtcTimestamp()
  since!: string;
}

export class RulePreviewItemDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'Title and summary with the matched words in <mark>...</mark>' }) highlight!: string;
  @ApiProperty({ enum: ['pending', 'accepted', 'rejected', 'unmatched', 'suggested'] }) status!: string;
  @ApiProperty() rank!: number;
  @ApiProperty() createdAt!: string;
}

export class RulePreviewDto {
  @ApiProperty({ description: 'How many stored items the query matches' }) count!: number;
  @ApiProperty({ type: [RulePreviewItemDto], description: 'The best-ranked 50' }) items!: RulePreviewItemDto[];
  @ApiProperty({ description: 'Matched items analysts accepted' }) accepted!: number;
  @ApiProperty({ description: 'Matched items analysts rejected' }) rejected!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'accepted / (accepted + rejected); null without decisions' }) precision!: number | null;
  @ApiProperty({ description: 'Accepted items (in the same period) the query would miss' }) acceptedMissed!: number;
}

export class RerunOutcomeDto {
  @ApiProperty() matched!: number;
  @ApiProperty() unmatched!: number;
  @ApiProperty() autoAccepted!: number;
  @ApiProperty({ description: 'Items still unmatched that resemble accepted ones: suggested for review' }) suggested!: number;
}

export function toRulePreviewDto(preview: RulePreview): RulePreviewDto {
  return { ...preview, items: preview.items.map((item) => ({ ...item, createdAt: item.createdAt.toISOString() })) };
}
