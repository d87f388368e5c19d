import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import type { Prediction } from '#db';

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
  @ApiPropertyOptional({ nullable: true }) resolvedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class PredictionPageDto {
  @ApiProperty({ type: [PredictionDto] }) items!: PredictionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toPredictionDto(prediction: Prediction): PredictionDto {
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
    createdAt: prediction.createdAt.toISOString(),
    updatedAt: prediction.updatedAt.toISOString(),
  };
}
