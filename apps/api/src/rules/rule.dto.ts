import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';

import type { RuleView } from '#signals';

import { PageQueryDto } from '../http/page-query.dto.js';

const DIRECTIONS = ['supports', 'contradicts'] as const;
const STRENGTHS = ['weak', 'moderate', 'strong'] as const;
const NOT_BLANK = /\S/;
const TERMS_DESCRIPTION = 'Case-insensitive whole-word keywords or phrases, searched in title and summary';

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
    IsOptional()(target, key);
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

  @terms() allTerms?: string[];
  @terms() anyTerms?: string[];
  @terms() noneTerms?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Limit the rule to these sources; empty or absent means every source (manual submissions included)' })
  @IsOptional()
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
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RuleImpactDto)
  impacts?: RuleImpactDto[];

  @ApiPropertyOptional({ default: false, description: 'Accept matching items as evidence without review' })
  @IsOptional()
  @IsBoolean()
  autoAccept?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** Only what is sent changes; `indicator: null` removes the indicator. */
export class UpdateRuleDto extends PartialType(CreateRuleDto) {}

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
  @ApiProperty({ type: [String] }) allTerms!: string[];
  @ApiProperty({ type: [String] }) anyTerms!: string[];
  @ApiProperty({ type: [String] }) noneTerms!: string[];
  @ApiProperty({ type: [String] }) sourceIds!: string[];
  @ApiPropertyOptional({ nullable: true, type: RuleIndicatorDto }) indicator!: RuleIndicatorDto | null;
  @ApiProperty({ type: [RuleImpactViewDto] }) impacts!: RuleImpactViewDto[];
  @ApiProperty() autoAccept!: boolean;
  @ApiProperty() enabled!: boolean;
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
    allTerms: rule.allTerms,
    anyTerms: rule.anyTerms,
    noneTerms: rule.noneTerms,
    sourceIds: rule.sourceIds,
    indicator: rule.indicator,
    impacts: rule.impacts.map((impact) => ({ ...impact })),
    autoAccept: rule.autoAccept,
    enabled: rule.enabled,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}
