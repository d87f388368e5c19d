import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

import type { StoryStanding } from '#predictions';
import type { StoryView } from '#signals';

import { EvidenceDto, toEvidenceDto } from '../evidence/evidence.dto.js';
import { SignalDto, toSignalDto } from '../signals/signal.dto.js';

export class StoryItemParams {
  @IsUUID('all')
  id!: string;

  @IsUUID('all')
  itemId!: string;
}

export class LinkStoryItemDto {
  @ApiProperty({ description: 'The signal item to put into this story (it leaves its own)', format: 'uuid' })
  @IsUUID('all')
  itemId!: string;
}

export class StoryItemDto extends SignalDto {
  @ApiPropertyOptional({ nullable: true, type: String, description: "The feed's name, or for an item submitted by hand the link's site" }) sourceName!: string | null;
}

export class StoryChangeDto {
  @ApiProperty({ enum: ['linked', 'split'], description: 'linked: an analyst put the item into storyId; split: took it out of fromStoryId into a story of its own' }) kind!: string;
  @ApiProperty() signalItemId!: string;
  @ApiProperty({ description: 'The story the item went to' }) storyId!: string;
  @ApiProperty({ description: 'The story it came from' }) fromStoryId!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ description: "The person's name (or `Bellwether (<job>)` for a job); an `apikey:<id>` actor written before people existed names the key's person" }) actorName?: string;
  @ApiProperty() createdAt!: string;
}

export class StoryMoveSummaryDto {
  @ApiProperty() predictionId!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: "What the story adds to the prediction's log-odds now: its strongest live item, counted once (0 once retracted)" }) deltaLogOdds!: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The evidence the story counts on this prediction' }) countedEvidenceId!: string | null;
  @ApiProperty({ description: "The prediction's probability now" }) probability!: number;
  @ApiProperty({ description: 'What it would be without the story' }) probabilityWithout!: number;
}

export class StoryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['open', 'accepted', 'rejected'], description: 'A decision on the story is a decision on all its items; an item joining a decided story takes its decision' }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The evidence accepting it recorded' }) evidenceId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) decidedBy!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The person's name" }) decidedByName?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) decidedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) rejectionReason!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ description: "Distinct sources among its items (a feed; for items submitted by hand, the link's site)" }) sourceCount!: number;
  @ApiProperty({ example: 'reported by 3 sources' }) reportedBy!: string;
  @ApiProperty({ type: [StoryItemDto], description: 'Its items, in order of publication' }) items!: StoryItemDto[];
  @ApiProperty({ type: [StoryChangeDto], description: "Analysts' links and splits into or out of it, oldest first" }) changes!: StoryChangeDto[];
  @ApiProperty({ type: [EvidenceDto], description: 'The evidence recorded from it' }) evidence!: EvidenceDto[];
  @ApiProperty({ type: [StoryMoveSummaryDto], description: 'Its net move on each prediction: what it adds now, counted once' }) moves!: StoryMoveSummaryDto[];
}

export class SplitStoryDto {
  @ApiProperty({ type: StoryDto, description: 'The story the item left' }) story!: StoryDto;
  @ApiProperty({ type: StoryDto, description: 'The item in a story of its own, open for review' }) split!: StoryDto;
}

export function toStoryMoveSummaryDto(standing: StoryStanding): StoryMoveSummaryDto {
  return { ...standing };
}

export function toStoryDto(story: StoryView): StoryDto {
  return {
    id: story.id,
    status: story.status,
    evidenceId: story.evidenceId,
    decidedBy: story.decidedBy,
    decidedAt: story.decidedAt?.toISOString() ?? null,
    rejectionReason: story.rejectionReason,
    createdAt: story.createdAt.toISOString(),
    updatedAt: story.updatedAt.toISOString(),
    sourceCount: story.sourceCount,
    reportedBy: story.reportedBy,
    items: story.items.map((item) => ({ ...toSignalDto(item), sourceName: item.sourceName })),
    changes: story.changes.map((change) => ({ ...change, createdAt: change.createdAt.toISOString() })),
    evidence: story.evidence.map(toEvidenceDto),
    moves: story.moves.map(toStoryMoveSummaryDto),
  };
}
