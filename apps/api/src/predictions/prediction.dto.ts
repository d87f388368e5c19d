import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, IsUUID, Length, MaxLength } from 'class-validator';

import type { AuditEntry, Prediction, PredictionRevision } from '#db';
import { describeMove, describeStory, storyOfEntry, type Explanation, type TeamForecast, type WhatIf } from '#predictions';

import { IsNotBlank } from '../http/validation/is-not-blank.decorator.js';
import { IsProbability } from '../http/validation/is-probability.decorator.js';
import { IsOmittable } from '../http/validation/is-omittable.decorator.js';
import { IsSlug } from '../http/validation/is-slug.decorator.js';
import { IsUtcTimestamp } from '../http/validation/is-utc-timestamp.decorator.js';
import { PageQueryDto } from '../http/validation/page-query.dto.js';

const STATUSES = ['open', 'due', 'resolved_true', 'resolved_false', 'annulled'] as const;

export class PredictionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];
}

export class PredictionDto {
  @ApiProperty() id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() title!: string;
  @ApiProperty() statement!: string;
  @ApiProperty() resolutionCriteria!: string;
  @ApiProperty({ description: 'Prior probability, 0..1' }) prior!: number;
  @ApiProperty({ description: 'Current probability, 0..1' }) probability!: number;
  @ApiProperty({ description: 'Current log-odds ln(p / (1 - p))' }) logOdds!: number;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ description: '"X happens by the deadline": each quiet day lowers the odds' }) eventByDeadline!: boolean;
  @ApiProperty() deadline!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the resolution was recorded' }) resolvedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the event happened (or was settled), as the resolver stated' })
  outcomeOccurredAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) resolutionNote!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) resolutionSourceUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the deadline job marked it due' }) dueAt!: string | null;
  @ApiProperty({ description: 'Text revision; every earlier one is at /revisions' }) revision!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: "The team forecast beside the model's: geometric mean of the odds of each analyst's latest forecast; null with none",
  })
  teamProbability!: number | null;
  @ApiProperty({ description: 'How many analysts the team forecast aggregates' }) teamForecasters!: number;
}

export class PredictionPageDto {
  @ApiProperty({ type: [PredictionDto] }) items!: PredictionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toPredictionDto(prediction: Prediction, team: TeamForecast | null = null): PredictionDto {
  return {
    id: prediction.id,
    slug: prediction.slug,
    title: prediction.title,
    statement: prediction.statement,
    resolutionCriteria: prediction.resolutionCriteria,
    prior: prediction.prior,
    probability: prediction.probability,
    logOdds: prediction.logOdds,
    status: prediction.status,
    eventByDeadline: prediction.eventByDeadline,
    deadline: prediction.deadline.toISOString(),
    resolvedAt: prediction.resolvedAt?.toISOString() ?? null,
    outcomeOccurredAt: prediction.outcomeOccurredAt?.toISOString() ?? null,
    resolutionNote: prediction.resolutionNote,
    resolutionSourceUrl: prediction.resolutionSourceUrl,
    dueAt: prediction.dueAt?.toISOString() ?? null,
    revision: prediction.revision,
    createdAt: prediction.createdAt.toISOString(),
    updatedAt: prediction.updatedAt.toISOString(),
    teamProbability: team?.probability ?? null,
    teamForecasters: team?.forecasters ?? 0,
  };
}

export class CreatePredictionDto {
  @ApiProperty({ example: 'taiwan-export-controls-24m' })
  @IsSlug()
  slug!: string;

  @ApiProperty() @IsString() @Length(1, 300) @IsNotBlank() title!: string;
  @ApiProperty() @IsString() @Length(1, 5000) @IsNotBlank() statement!: string;
  @ApiProperty() @IsString() @Length(1, 5000) @IsNotBlank() resolutionCriteria!: string;

  @ApiProperty({ description: 'Prior probability, within 0.001..0.999', example: 0.4 })
  @IsProbability()
  prior!: number;

  @ApiProperty({ description: 'ISO 8601; must be in the future' })
  @IsUtcTimestamp()
  deadline!: string;

  @ApiPropertyOptional({ description: '"X happens by the deadline": each quiet day lowers the odds', default: false })
  @IsOptional()
  @IsBoolean()
  eventByDeadline?: boolean;
}

/**
 * Text only: the probability moves through evidence and overrides, never through an edit.
 * A field can be left out, never cleared: `null` is refused like any other non-string.
 */
export class UpdatePredictionDto {
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 300) @IsNotBlank() title?: string;
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 5000) @IsNotBlank() statement?: string;
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 5000) @IsNotBlank() resolutionCriteria?: string;
}

export class OverrideDto {
  @ApiProperty({ description: 'The new probability, within 0.001..0.999' })
  @IsProbability()
  probability!: number;

  @ApiProperty() @IsString() @Length(1, 2000) @IsNotBlank() reason!: string;
}

export class ResolveDto {
  @ApiProperty({ enum: ['true', 'false', 'annulled'] })
  @IsIn(['true', 'false', 'annulled'])
  outcome!: 'true' | 'false' | 'annulled';

  @ApiProperty() @IsString() @Length(1, 5000) @IsNotBlank() note!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  sourceUrl?: string;

  @ApiPropertyOptional({
    description: 'When the event happened, if not now (ISO 8601 with a UTC offset); not before the prediction was created. Every score is taken at this time.',
  })
  @IsOptional()
  @IsUtcTimestamp()
  occurredAt?: string;
}

export class UndoResolutionDto {
  @ApiProperty() @IsString() @Length(1, 2000) @IsNotBlank() reason!: string;
}

export class WhatIfQueryDto {
  @ApiProperty({ description: 'Comma-separated evidence ids to leave out', example: '0193...,0194...' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((id) => id.trim()).filter(Boolean) : value))
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  exclude!: string[];
}

export class ExplainQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'The time to explain (ISO 8601); default now' })
  @IsOptional()
  @IsUtcTimestamp()
  at?: string;
}

export class AuditEntryDto {
  @ApiProperty() id!: string;
  @ApiProperty() predictionId!: string;
  @ApiProperty() sequence!: number;
  @ApiProperty({ enum: ['prior', 'evidence', 'retraction', 'override', 'quiet_day', 'resolution', 'resolution_undone'] }) kind!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) evidenceId!: string | null;
  @ApiProperty() logOddsBefore!: number;
  @ApiProperty() deltaLogOdds!: number;
  @ApiProperty() logOddsAfter!: number;
  @ApiProperty() probabilityBefore!: number;
  @ApiProperty() probabilityAfter!: number;
  @ApiProperty({ description: '`user:<id>`, `apikey:<id>` (before people existed) or `system:<job>`' }) actor!: string;
  @ApiProperty({ description: "The person's name (or `Bellwether (<job>)` for a job); an `apikey:<id>` actor written before people existed names the key's person" }) actorName?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Object }) detail!: unknown;
  @ApiProperty() createdAt!: string;
  @ApiProperty() prevHash!: string;
  @ApiProperty({ description: 'sha256(prevHash + canonical JSON of the entry)' }) hash!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class HistoryPointDto {
  @ApiProperty() sequence!: number;
  @ApiProperty() at!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() probability!: number;
  @ApiProperty() logOdds!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'The team forecast in force at that time; null before the first analyst forecast' })
  teamProbability!: number | null;
  @ApiProperty({ description: 'Recorded after the event the resolution names: kept, not scored' }) afterTheFact!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The evidence behind the move, if any' }) evidenceId!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Evidence recorded but not counted: it reports the same story as this evidence, which the story counts instead (the move is 0)',
  })
  countedOnceWith!: string | null;
}

export class HistoryPageDto {
  @ApiProperty({ type: [HistoryPointDto] }) items!: HistoryPointDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ConfidenceMoveDto {
  @ApiProperty({ type: PredictionDto }) prediction!: PredictionDto;
  @ApiProperty({ type: AuditEntryDto }) entry!: AuditEntryDto;
}

export class ExcludedEvidenceDto {
  @ApiProperty() evidenceId!: string;
  @ApiProperty({ description: 'The story it counts in' }) storyId!: string;
  @ApiProperty({
    description:
      'Net dL taken out by leaving it out, on top of the excluded evidence listed before it: its story is recounted without it (a repeat the story ' +
      'does not count takes out nothing; the counted item falls back to the next strongest), counting only what moved after the last override',
  })
  deltaLogOdds!: number;
}

export class WhatIfDto {
  @ApiProperty() predictionId!: string;
  @ApiProperty() slug!: string;
  @ApiProperty({ description: 'The probability as recorded' }) probability!: number;
  @ApiProperty({ description: 'The probability without the excluded evidence' }) whatIfProbability!: number;
  @ApiProperty() logOdds!: number;
  @ApiProperty() whatIfLogOdds!: number;
  @ApiProperty({ type: [ExcludedEvidenceDto] }) excluded!: ExcludedEvidenceDto[];
}

export class EvidenceReferenceDto {
  @ApiProperty() id!: string;
  @ApiProperty() summary!: string;
}

export class MoveStoryDto {
  @ApiProperty() id!: string;
  @ApiPropertyOptional({ nullable: true, type: EvidenceReferenceDto, description: 'The evidence the story counted on this prediction after the move' })
  counted!: EvidenceReferenceDto | null;
  @ApiPropertyOptional({ nullable: true, type: EvidenceReferenceDto, description: 'Recorded but not counted: counted once with this evidence of the same story' })
  countedOnceWith!: EvidenceReferenceDto | null;
}

export class ExplainedMoveDto {
  @ApiProperty() sequence!: number;
  @ApiProperty() at!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ description: 'The cause in words, with the evidence (or the reason) behind it' }) cause!: string;
  @ApiPropertyOptional({ nullable: true, type: Object }) evidence!: { id: string; summary: string; sourceUrl: string | null; observedAt: string; retractedAt: string | null } | null;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ description: '`user:<id>`, `apikey:<id>` (before people existed) or `system:<job>`' }) actor!: string;
  @ApiProperty({ description: "The person's name (or `Bellwether (<job>)` for a job); an `apikey:<id>` actor written before people existed names the key's person" }) actorName?: string;
  @ApiProperty() deltaLogOdds!: number;
  @ApiProperty() probabilityBefore!: number;
  @ApiProperty() probabilityAfter!: number;
  @ApiProperty({
    description: 'Recorded after the event the resolution names (whatever its observedAt): it stays in the trail and in the probability, and no score counts it',
  })
  afterTheFact!: boolean;
  @ApiPropertyOptional({ nullable: true, type: MoveStoryDto, description: "Evidence and retractions: the story's part in the move (a story counts once, as its strongest live item)" })
  story!: MoveStoryDto | null;
}

export class ExplanationDto {
  @ApiProperty() predictionId!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() at!: string;
  @ApiProperty() prior!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'In force at `at`; null before the prediction existed' }) probability!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Once resolved, when the event happened: the scores count only moves recorded by then' })
  occurredAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'How the scores treat the moves listed; null until resolved' })
  scoring!: string | null;
  @ApiProperty({ type: [ExplainedMoveDto] }) moves!: ExplainedMoveDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class RevisionDto {
  @ApiProperty() revision!: number;
  @ApiProperty() title!: string;
  @ApiProperty() statement!: string;
  @ApiProperty() resolutionCriteria!: string;
  @ApiProperty() editedBy!: string;
  @ApiProperty({ description: "The person's name" }) editedByName?: string;
  @ApiProperty() createdAt!: string;
}

export class RevisionListDto {
  @ApiProperty({ type: [RevisionDto] }) items!: RevisionDto[];
}

export function toAuditEntryDto(entry: AuditEntry): AuditEntryDto {
  return { ...entry, detail: entry.detail, createdAt: entry.createdAt.toISOString() };
}

export function toHistoryPointDto(entry: AuditEntry, teamProbability: number | null = null, afterTheFact = false): HistoryPointDto {
  return {
    sequence: entry.sequence,
    at: entry.createdAt.toISOString(),
    kind: entry.kind,
    probability: entry.probabilityAfter,
    logOdds: entry.logOddsAfter,
    teamProbability,
    afterTheFact,
    evidenceId: entry.evidenceId,
    countedOnceWith: entry.kind === 'evidence' ? (storyOfEntry(entry)?.countedOnceWith ?? null) : null,
  };
}

export const AFTER_THE_FACT_RULE =
  'Scores are taken at the time the event happened: moves marked afterTheFact were recorded after it (evidence by its recording time, whatever its observedAt) and are left out of every score.';

export function toWhatIfDto(whatIf: WhatIf): WhatIfDto {
  return {
    predictionId: whatIf.prediction.id,
    slug: whatIf.prediction.slug,
    probability: whatIf.prediction.probability,
    whatIfProbability: whatIf.probability,
    logOdds: whatIf.prediction.logOdds,
    whatIfLogOdds: whatIf.logOdds,
    excluded: whatIf.excluded,
  };
}

export function toExplanationDto(explanation: Explanation): ExplanationDto {
  return {
    predictionId: explanation.prediction.id,
    slug: explanation.prediction.slug,
    at: explanation.at.toISOString(),
    prior: explanation.prediction.prior,
    probability: explanation.probability,
    occurredAt: explanation.occurredAt?.toISOString() ?? null,
    scoring: explanation.occurredAt ? AFTER_THE_FACT_RULE : null,
    moves: explanation.moves.items.map((move) => {
      const { entry, evidence, afterTheFact, story } = move;
      const storyPart = describeStory(move);
      return {
        sequence: entry.sequence,
        at: entry.createdAt.toISOString(),
        kind: entry.kind,
        cause:
          (evidence ? `${describeMove(entry.kind)}: ${evidence.summary}` : entry.reason ? `${describeMove(entry.kind)}: ${entry.reason}` : describeMove(entry.kind)) +
          (storyPart ? ` (${storyPart})` : ''),
        evidence: evidence
          ? {
              id: evidence.id,
              summary: evidence.summary,
              sourceUrl: evidence.sourceUrl,
              observedAt: evidence.observedAt.toISOString(),
              retractedAt: evidence.retractedAt?.toISOString() ?? null,
            }
          : null,
        reason: entry.reason,
        actor: entry.actor,
        deltaLogOdds: entry.deltaLogOdds,
        probabilityBefore: entry.probabilityBefore,
        probabilityAfter: entry.probabilityAfter,
        afterTheFact,
        story,
      };
    }),
    nextCursor: explanation.moves.nextCursor,
  };
}

export function toRevisionDto(revision: PredictionRevision): RevisionDto {
  return {
    revision: revision.revision,
    title: revision.title,
    statement: revision.statement,
    resolutionCriteria: revision.resolutionCriteria,
    editedBy: revision.editedBy,
    createdAt: revision.createdAt.toISOString(),
  };
}
