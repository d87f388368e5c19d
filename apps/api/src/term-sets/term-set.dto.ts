import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, Matches, MaxLength, ValidateBy, type ValidationOptions } from 'class-validator';

import { MAX_TERM_SET_TERM_LENGTH, MAX_TERM_SET_TERMS, parseTermSetTerm, RuleQuerySyntaxError, TERM_SET_NAME_PATTERN } from '#core';

import type { MatchDecisions, QueryComparison, SignalSearchHit, TermSetPreview, TermSetView } from '#signals';
import type { TermSetRevision } from '#db';

import { IsOmittable } from '../http/validation/is-omittable.decorator.js';
import { IsUtcTimestamp } from '../http/validation/is-utc-timestamp.decorator.js';

const NAME_DESCRIPTION = 'What queries write after @: lower-case letters, digits and underscores (up to 64)';
const TERMS_DESCRIPTION =
  'Each a word, a prefix* or a "phrase", English or Chinese (a Chinese term matches as the phrase of its character bigrams), as a rule query writes it; ' +
  `1 to ${MAX_TERM_SET_TERMS} terms of up to ${MAX_TERM_SET_TERM_LENGTH} characters. Sets do not nest.`;

/** Why the first term that is not one word, prefix* or "phrase" is not; null when every term is one. */
export function termProblem(terms: unknown): string | null {
  if (!Array.isArray(terms)) return null;
  for (const [index, term] of terms.entries()) {
    if (typeof term !== 'string') continue;
    try {
      parseTermSetTerm(term);
    } catch (error) {
      if (error instanceof RuleQuerySyntaxError) return `terms[${index}]: ${error.reason} at position ${error.position}`;
      throw error;
    }
  }
  return null;
}

/** Every term parses as one word, prefix* or "phrase"; the message names the first that does not, and why. */
function AreTermSetTerms(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'areTermSetTerms',
      validator: {
        validate: (value: unknown) => termProblem(value) === null,
        defaultMessage: (args) => termProblem(args?.value) ?? 'terms must each be one word, prefix* or "phrase"',
      },
    },
    options,
  );
}

function terms(required: boolean): PropertyDecorator {
  return (target, key) => {
    (required ? ApiProperty : ApiPropertyOptional)({
      type: [String],
      description: TERMS_DESCRIPTION,
      minItems: 1,
      maxItems: MAX_TERM_SET_TERMS,
      example: ['hire', 'recruit*', '"job ad"', '招聘'],
    })(target, key);
    if (!required) IsOmittable()(target, key);
    IsArray()(target, key);
    ArrayMinSize(1)(target, key);
    ArrayMaxSize(MAX_TERM_SET_TERMS)(target, key);
    IsString({ each: true })(target, key);
    Length(1, MAX_TERM_SET_TERM_LENGTH, { each: true })(target, key);
    Matches(/\S/, { each: true, message: '$property must not hold blank terms' })(target, key);
    AreTermSetTerms()(target, key);
  };
}

function description(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ maxLength: 500, example: 'Hiring, recruiting and the people hired' })(target, key);
    IsOmittable()(target, key);
    IsString()(target, key);
    MaxLength(500)(target, key);
  };
}

export class TermSetNameParams {
  @ApiProperty({ description: NAME_DESCRIPTION, example: 'hiring' })
  @Matches(TERM_SET_NAME_PATTERN, { message: 'name must be lower-case letters, digits and underscores (up to 64)' })
  name!: string;
}

export class CreateTermSetDto {
  @ApiProperty({ description: NAME_DESCRIPTION, example: 'hiring', pattern: TERM_SET_NAME_PATTERN.source })
  @IsString()
  @Matches(TERM_SET_NAME_PATTERN, { message: 'name must be lower-case letters, digits and underscores (up to 64)' })
  name!: string;

  @description() description?: string;

  @terms(true) terms!: string[];
}

/** Only what is sent changes; the name stays, since rules refer to it. */
export class UpdateTermSetDto {
  @description() description?: string;

  @terms(false) terms?: string[];
}

export class PreviewTermSetDto {
  @terms(true) terms!: string[];

  @ApiPropertyOptional({ description: 'Only items stored since (ISO 8601); default: all' })
  @IsOptional()
  @IsUtcTimestamp()
  since?: string;
}

export class TermSetRuleDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() enabled!: boolean;
}

export class TermSetDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: NAME_DESCRIPTION }) name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String], description: TERMS_DESCRIPTION }) terms!: string[];
  @ApiProperty({ description: 'Bumped on every change; every version is at /revisions' }) version!: number;
  @ApiProperty({ description: '`apikey:<id>` of whoever wrote this version, or `system:seed`' }) updatedBy!: string;
  @ApiProperty({ type: [TermSetRuleDto], description: 'The rules whose queries use the set' }) rules!: TermSetRuleDto[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TermSetPageDto {
  @ApiProperty({ type: [TermSetDto] }) items!: TermSetDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TermSetRevisionDto {
  @ApiProperty() version!: number;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String] }) terms!: string[];
  @ApiProperty({ description: '`apikey:<id>` or `system:seed`' }) editedBy!: string;
  @ApiProperty() createdAt!: string;
}

export class TermSetRevisionListDto {
  @ApiProperty({ type: [TermSetRevisionDto], description: 'Every version, oldest first, the current one last' }) items!: TermSetRevisionDto[];
}

export class MatchDecisionsDto {
  @ApiProperty({ description: 'Stored items matched' }) count!: number;
  @ApiProperty({ description: 'Of them, accepted by analysts' }) accepted!: number;
  @ApiProperty({ description: 'Of them, rejected by analysts' }) rejected!: number;
}

export class TermSetPreviewItemDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'Title and summary with the matched words in <mark>...</mark>' }) highlight!: string;
  @ApiProperty({ enum: ['pending', 'accepted', 'rejected', 'unmatched', 'suggested'] }) status!: string;
  @ApiProperty() rank!: number;
  @ApiProperty() createdAt!: string;
}

export class MatchChangeDto extends MatchDecisionsDto {
  @ApiProperty({ type: [TermSetPreviewItemDto], description: 'The best-ranked 10' }) items!: TermSetPreviewItemDto[];
}

export class TermSetRulePreviewDto {
  @ApiProperty({ type: TermSetRuleDto }) rule!: TermSetRuleDto;
  @ApiProperty({ type: MatchDecisionsDto, description: 'What the rule matches with the set as it is' }) current!: MatchDecisionsDto;
  @ApiProperty({ type: MatchDecisionsDto, description: 'What it would match with the proposed terms' }) proposed!: MatchDecisionsDto;
  @ApiProperty({ type: MatchChangeDto, description: 'Items it would newly match, and how analysts decided them' }) added!: MatchChangeDto;
  @ApiProperty({ type: MatchChangeDto, description: 'Items it would no longer match, and how analysts decided them' }) dropped!: MatchChangeDto;
}

export class TermSetTermsPreviewDto {
  @ApiPropertyOptional({ nullable: true, type: MatchDecisionsDto, description: 'Items holding any of the current terms; null for a set not yet created' }) current!: MatchDecisionsDto | null;
  @ApiProperty({ type: MatchDecisionsDto, description: 'Items holding any of the proposed terms' }) proposed!: MatchDecisionsDto;
}

export class TermSetPreviewDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: TermSetTermsPreviewDto }) terms!: TermSetTermsPreviewDto;
  @ApiProperty({ type: [TermSetRulePreviewDto], description: 'Each rule that uses the set, enabled ones first' }) rules!: TermSetRulePreviewDto[];
}

export function toTermSetDto(set: TermSetView): TermSetDto {
  return {
    id: set.id,
    name: set.name,
    description: set.description,
    terms: set.terms,
    version: set.version,
    updatedBy: set.updatedBy,
    rules: set.rules.map((rule) => ({ ...rule })),
    createdAt: set.createdAt.toISOString(),
    updatedAt: set.updatedAt.toISOString(),
  };
}

export function toTermSetRevisionDto(revision: TermSetRevision): TermSetRevisionDto {
  return { version: revision.version, description: revision.description, terms: revision.terms, editedBy: revision.editedBy, createdAt: revision.createdAt.toISOString() };
}

const toDecisionsDto = ({ count, accepted, rejected }: MatchDecisions): MatchDecisionsDto => ({ count, accepted, rejected });
const toItemDto = (item: SignalSearchHit): TermSetPreviewItemDto => ({ ...item, createdAt: item.createdAt.toISOString() });
const toChangeDto = (change: QueryComparison['added']): MatchChangeDto => ({ ...toDecisionsDto(change), items: change.items.map(toItemDto) });

export function toTermSetPreviewDto(preview: TermSetPreview): TermSetPreviewDto {
  return {
    name: preview.name,
    terms: { current: preview.terms.current && toDecisionsDto(preview.terms.current), proposed: toDecisionsDto(preview.terms.proposed) },
    rules: preview.rules.map((rule) => ({
      rule: { ...rule.rule },
      current: toDecisionsDto(rule.current),
      proposed: toDecisionsDto(rule.proposed),
      added: toChangeDto(rule.added),
      dropped: toChangeDto(rule.dropped),
    })),
  };
}
