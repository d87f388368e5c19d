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
  IsUUID,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

import { MAX_RULE_QUERY_LENGTH } from '#core';
import { MAX_EVIDENCE_IMPACTS } from '#predictions';
import { MAX_MANUAL_SIGNALS, type AcceptedSignal, type ManualSubmission, type RankedSignalItem, type ReviewItem, type SignalItemView, type SignalRoute, type StorySummary } from '#signals';

import { EvidenceImpactDto, EvidenceMoveDto, SameStoryDto, toSameStoryDto } from '../evidence/evidence.dto.js';
import { IsNotBlank } from '../http/validation/is-not-blank.decorator.js';
import { IsUtcTimestamp } from '../http/validation/is-utc-timestamp.decorator.js';
import { PageQueryDto } from '../http/validation/page-query.dto.js';

const STATUSES = ['pending', 'suggested', 'accepted', 'rejected', 'unmatched'] as const;

export class SignalListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'A search in the rule query language (words, "phrases", OR, AND, -exclusions, (groups), prefix*): the matching items, best first, each with its rank and highlight',
    example: 'deepseek (sanction* OR "entity list")',
    maxLength: MAX_RULE_QUERY_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RULE_QUERY_LENGTH)
  q?: string;

  @ApiPropertyOptional({ enum: STATUSES, description: 'pending is the review inbox' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ description: 'Only items fetched from this source' })
  @IsOptional()
  @IsUUID('all')
  sourceId?: string;
}

export class SignalInboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only items fetched from this source' })
  @IsOptional()
  @IsUUID('all')
  sourceId?: string;
}

export class ManualSignalDto {
  @ApiProperty({ example: 'Provincial fund announces domestic AI chip subsidies' })
  @IsString()
  @Length(1, 1000)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @ApiPropertyOptional({ example: 'https://example.com/news/123', description: 'Items with the same canonical URL are one item' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  summary?: string;

  @ApiPropertyOptional({ description: 'ISO 8601' })
  @IsOptional()
  @IsUtcTimestamp()
  publishedAt?: string;
}

export class SubmitSignalsDto {
  @ApiProperty({ type: [ManualSignalDto], maxItems: MAX_MANUAL_SIGNALS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MANUAL_SIGNALS)
  @ValidateNested({ each: true })
  @Type(() => ManualSignalDto)
  items!: ManualSignalDto[];
}

export class SignalSubmissionDto {
  @ApiProperty() received!: number;
  @ApiProperty({ description: 'Stored by this submission' }) new!: number;
  @ApiProperty({ description: 'Already stored (deduped by canonical URL, else by content)' }) duplicates!: number;
  @ApiProperty({ description: 'New items that matched a rule' }) matched!: number;
  @ApiProperty({ description: 'New items a rule accepted as evidence at once' }) autoAccepted!: number;
  @ApiProperty({ description: 'New items no rule matched that the routing model finds relevant: suggested for review' }) suggested!: number;
  @ApiProperty({ type: [String], description: 'Ids of the new items' }) createdIds!: string[];
  @ApiProperty({ type: () => [RoutedSignalDto], description: 'The new items as routed, in the order submitted: status, and per target who routed it there, the score and the proposed direction' })
  items!: RoutedSignalDto[];
}

export class AcceptSignalDto {
  @ApiPropertyOptional({ type: [EvidenceImpactDto], description: 'Your own impacts; without them, those of the rules the item matched' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EVIDENCE_IMPACTS)
  @ValidateNested({ each: true })
  @Type(() => EvidenceImpactDto)
  impacts?: EvidenceImpactDto[];

  @ApiPropertyOptional({ description: 'Source reliability r in [0, 1]', default: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  reliability?: number;

  @ApiPropertyOptional({ description: 'The evidence summary; defaults to the item\'s title' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  @IsNotBlank()
  summary?: string;
}

export class RejectSignalDto {
  @ApiProperty({ example: 'Rumour, no primary source' })
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export class SignalMatchImpactDto {
  @ApiProperty({ description: 'Prediction id' }) prediction!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) predictionSlug!: string | null;
  @ApiProperty({ enum: ['supports', 'contradicts'] }) direction!: string;
  @ApiProperty({ enum: ['weak', 'moderate', 'strong'] }) strength!: string;
}

export class SignalMatchIndicatorDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
}

export class SignalMatchDto {
  @ApiProperty() ruleId!: string;
  @ApiProperty() ruleName!: string;
  @ApiPropertyOptional({ nullable: true, type: SignalMatchIndicatorDto }) indicator!: SignalMatchIndicatorDto | null;
  @ApiProperty({ type: [SignalMatchImpactDto] }) impacts!: SignalMatchImpactDto[];
  @ApiProperty() autoAccept!: boolean;
  @ApiProperty({ type: [String], description: 'The rule\'s words and phrases the item contains, as the rule writes them' }) terms!: string[];
}

export class SignalRouteImpactDto extends SignalMatchImpactDto {}

export class SignalRouteDto {
  @ApiProperty({ description: 'The indicator\'s or prediction\'s slug' }) target!: string;
  @ApiProperty({ enum: ['indicator', 'prediction'] }) targetKind!: string;
  @ApiProperty({ description: 'The indicator\'s or prediction\'s id' }) targetId!: string;
  @ApiProperty({ enum: ['rule', 'model', 'both'], description: 'Who routed the item to the target: a matched rule, the routing model, or both' }) via!: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'The routing model\'s calibrated probability that an analyst would route the item here; null where the model does not know the target' })
  score!: number | null;
  @ApiProperty({ enum: ['supports', 'contradicts'], description: 'The proposed direction: the model\'s (it reads negation: "denies", "will not", "dropped from", "cut") unless a matched rule says contradicts' })
  direction!: string;
  @ApiProperty({ type: [String], description: 'The matched rules\' terms, then the words and concepts (@set, @a + @b) that raised the model\'s score most' }) terms!: string[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The direction cue the model read, when the direction is the model\'s and rests on one' }) cue!: string | null;
  @ApiProperty({ type: [SignalRouteImpactDto], description: 'What accepting the item without impacts of your own records for this target' }) impacts!: SignalRouteImpactDto[];
}

export class RoutedSignalDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['pending', 'suggested', 'unmatched'], description: 'pending: a rule routed it; suggested: only the model did (never accepted without a person); unmatched: neither' }) status!: string;
  @ApiProperty({ type: [SignalRouteDto] }) routes!: SignalRouteDto[];
}

export class SignalSuggestionDto {
  @ApiProperty({ description: 'Prediction id' }) prediction!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) predictionSlug!: string | null;
  @ApiProperty({ enum: ['supports', 'contradicts'], description: 'The direction the routing model proposes' }) direction!: string;
  @ApiProperty({ enum: ['weak', 'moderate', 'strong'] }) strength!: string;
  @ApiProperty({ description: 'The routing model\'s probability that an analyst would route the item here' }) probability!: number;
  @ApiProperty({ type: [String], description: 'The words and concepts that weighed most, strongest first' }) terms!: string[];
}

export class SignalDto {
  @ApiProperty() id!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Null for manual submissions' }) sourceId!: string | null;
  @ApiProperty() title!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) summary!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) publishedAt!: string | null;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ type: [SignalMatchDto], description: 'The rules it matched, as they were when it was routed' }) matches!: SignalMatchDto[];
  @ApiProperty({ type: [SignalRouteDto], description: 'Per target the item is routed to: via rule, model or both, the model\'s score, the proposed direction, the words, and the impacts accepting records' })
  routes!: SignalRouteDto[];
  @ApiProperty({ type: [SignalSuggestionDto], description: 'For a suggested item (only the model routed it): the predictions its routes would move' }) suggestions!: SignalSuggestionDto[];
  @ApiProperty({ type: [String], description: 'The matched rules\' terms found in the item, or the words a suggestion rests on' }) matchedTerms!: string[];
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Best ts_rank_cd among the matched rules, or the suggestion\'s probability' }) relevance!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) evidenceId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) rejectionReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) reviewedBy!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The person's name" }) reviewedByName?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) reviewedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the item last came back for review because the evidence it was accepted as was retracted' })
  reopenedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The reason that retraction gave' }) reopenReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The story the item reports (GET /v1/stories/:id): reports of one event are one story, decided together' })
  storyId!: string | null;
  @ApiProperty() createdAt!: string;
}

export class SignalSearchResultDto extends SignalDto {
  @ApiProperty({ description: 'ts_rank_cd of the item for the query (title words weigh more)' }) rank!: number;
  @ApiProperty({ description: 'Title and summary with the matched words in <mark>' }) highlight!: string;
}

export class SignalPageDto {
  @ApiProperty({ type: [SignalSearchResultDto], description: 'With q, ranked and each with rank and highlight' }) items!: (SignalDto | SignalSearchResultDto)[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class StoryItemSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Null for manual submissions' }) sourceId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The feed's name, or for an item submitted by hand the link's site" }) sourceName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) publishedAt!: string | null;
  @ApiProperty({ enum: STATUSES }) status!: string;
}

export class StorySummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['open', 'accepted', 'rejected'] }) status!: string;
  @ApiProperty({ description: 'Distinct sources among its items (a feed; for items submitted by hand, the link\'s site)' }) sourceCount!: number;
  @ApiProperty({ example: 'reported by 3 sources' }) reportedBy!: string;
  @ApiProperty({ type: [StoryItemSummaryDto], description: "Its items: the card's own first, then by publication" }) items!: StoryItemSummaryDto[];
}

export class InboxItemDto extends SignalDto {
  @ApiProperty({ description: 'log2(relevance) + days since 1970 of publication: one day newer counts as twice as relevant' }) priority!: number;
  @ApiProperty({ type: StorySummaryDto, description: 'The story this card stands for: the inbox lists each story once, as its most relevant waiting item' }) story!: StorySummaryDto;
}

export class InboxPageDto {
  @ApiProperty({ type: [InboxItemDto], description: 'One per story' }) items!: InboxItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class AcceptedSignalDto {
  @ApiProperty() evidenceId!: string;
  @ApiProperty({ type: [EvidenceMoveDto], description: 'Each prediction moved, with its probability before and after' }) impacts!: EvidenceMoveDto[];
  @ApiProperty({ type: SignalDto, description: 'The item the evidence was recorded from' }) signal!: SignalDto;
  @ApiProperty({ description: 'The story the evidence counts in: this item\'s story, every item of which is now accepted' }) storyId!: string;
  @ApiProperty({ type: StorySummaryDto }) story!: StorySummaryDto;
  @ApiProperty({ type: [SameStoryDto], description: 'Warnings: earlier evidence of the same predictions this looks like the same story as (it joined the first one\'s story unless named otherwise)' })
  sameStory!: SameStoryDto[];
}

export function toSignalDto(item: SignalItemView): SignalDto {
  return {
    id: item.id,
    sourceId: item.sourceId,
    title: item.title,
    url: item.url,
    summary: item.summary,
    publishedAt: item.publishedAt?.toISOString() ?? null,
    status: item.status,
    matches: item.matches,
    routes: item.routes.map(toSignalRouteDto),
    suggestions: item.suggestions,
    matchedTerms: item.matchedTerms,
    relevance: item.relevance,
    evidenceId: item.evidenceId,
    rejectionReason: item.rejectionReason,
    reviewedBy: item.reviewedBy,
    reviewedAt: item.reviewedAt?.toISOString() ?? null,
    reopenedAt: item.reopenedAt?.toISOString() ?? null,
    reopenReason: item.reopenReason,
    storyId: item.storyId,
    createdAt: item.createdAt.toISOString(),
  };
}

export function toSignalSearchResultDto(item: RankedSignalItem): SignalSearchResultDto {
  return { ...toSignalDto(item), rank: item.rank, highlight: item.highlight };
}

export function toStorySummaryDto(story: StorySummary): StorySummaryDto {
  return { ...story, items: story.items.map((item) => ({ ...item, publishedAt: item.publishedAt?.toISOString() ?? null })) };
}

export function toInboxItemDto(item: ReviewItem): InboxItemDto {
  return { ...toSignalDto(item), priority: item.priority, story: toStorySummaryDto(item.story) };
}

export function toAcceptedSignalDto(accepted: AcceptedSignal): AcceptedSignalDto {
  return {
    evidenceId: accepted.evidence.id,
    impacts: accepted.evidence.impacts.map((move) => ({ ...move })),
    signal: toSignalDto(accepted.item),
    storyId: accepted.evidence.storyId,
    story: toStorySummaryDto(accepted.story),
    sameStory: accepted.evidence.sameStory.map(toSameStoryDto),
  };
}

export function toSignalRouteDto(route: SignalRoute): SignalRouteDto {
  return { ...route, impacts: route.impacts.map((impact) => ({ ...impact })) };
}

export function toSignalSubmissionDto(submission: ManualSubmission): SignalSubmissionDto {
  return { ...submission, items: submission.items.map((item) => ({ id: item.id, status: item.status, routes: item.routes.map(toSignalRouteDto) })) };
}
