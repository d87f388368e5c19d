import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsNumber, IsOptional, IsString, IsUrl, IsUUID, Length, Matches, MaxLength } from 'class-validator';

import type { AuditEntry, Prediction, PredictionRevision } from '#db';
import { describeMove, type Explanation, type TeamForecast, type WhatIf } from '#predictions';

import { IsOmittable } from '../http/is-omittable.decorator.js';
import { IsUtcTimestamp } from '../http/is-utc-timestamp.decorator.js';
import { PageQueryDto } from '../http/page-query.dto.js';

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
  @IsString()
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'slug must be lower-case words joined by hyphens' })
  @MaxLength(100)
  slug!: string;

  @ApiProperty() @IsString() @Length(1, 300) title!: string;
  @ApiProperty() @IsString() @Length(1, 5000) statement!: string;
  @ApiProperty() @IsString() @Length(1, 5000) resolutionCriteria!: string;

  @ApiProperty({ description: 'Prior probability, within 0.001..0.999', example: 0.4 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
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
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 300) title?: string;
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 5000) statement?: string;
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 5000) resolutionCriteria?: string;
}

export class OverrideDto {
  @ApiProperty({ description: 'The new probability, within 0.001..0.999' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  probability!: number;

  @ApiProperty() @IsString() @Length(1, 2000) reason!: string;
}

export class ResolveDto {
  @ApiProperty({ enum: ['true', 'false', 'annulled'] })
  @IsIn(['true', 'false', 'annulled'])
  outcome!: 'true' | 'false' | 'annulled';

  @ApiProperty() @IsString() @Length(1, 5000) note!: string;

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
  @ApiProperty() @IsString() @Length(1, 2000) reason!: string;
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
  @ApiProperty() actor!: string;
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
  @ApiProperty({ description: 'Net dL taken out: its entry plus any retraction, after the last override (0 if an override came after it)' })
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

export class ExplainedMoveDto {
  @ApiProperty() sequence!: number;
  @ApiProperty() at!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ description: 'The cause in words, with the evidence (or the reason) behind it' }) cause!: string;
  @ApiPropertyOptional({ nullable: true, type: Object }) evidence!: { id: string; summary: string; sourceUrl: string | null; observedAt: string; retractedAt: string | null } | null;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty() actor!: string;
  @ApiProperty() deltaLogOdds!: number;
  @ApiProperty() probabilityBefore!: number;
  @ApiProperty() probabilityAfter!: number;
  @ApiProperty({
    description: 'Recorded after the event the resolution names (whatever its observedAt): it stays in the trail and in the probability, and no score counts it',
  })
  afterTheFact!: boolean;
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
    moves: explanation.moves.items.map(({ entry, evidence, afterTheFact }) => ({
      sequence: entry.sequence,
      at: entry.createdAt.toISOString(),
      kind: entry.kind,
      cause: evidence ? `${describeMove(entry.kind)}: ${evidence.summary}` : entry.reason ? `${describeMove(entry.kind)}: ${entry.reason}` : describeMove(entry.kind),
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
    })),
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
