import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import type { RoutingEvaluation } from '#core';
import type { RoutingModelHistory, RoutingModelVersion } from '#signals';

export class TargetFiguresDto {
  @ApiProperty({ description: 'Indicator or prediction slug' }) target!: string;
  @ApiProperty() precision!: number;
  @ApiProperty() recall!: number;
  @ApiProperty() f1!: number;
  @ApiProperty() truePositives!: number;
  @ApiProperty() falsePositives!: number;
  @ApiProperty() falseNegatives!: number;
}

export class OverallFiguresDto {
  @ApiProperty() precision!: number;
  @ApiProperty() recall!: number;
  @ApiProperty() f1!: number;
}

export class DirectionFiguresDto {
  @ApiProperty({ description: 'Item-target pairs labelled relevant, whose direction was judged' }) pairs!: number;
  @ApiProperty() accuracy!: number;
  @ApiProperty({ description: 'Of those, the pairs labelled contradicts' }) contradicting!: number;
  @ApiProperty({ description: 'How many of them the model called contradicts' }) contradictingFound!: number;
}

export class RoutingFiguresDto {
  @ApiProperty({ type: [TargetFiguresDto] }) targets!: TargetFiguresDto[];
  @ApiProperty({ type: OverallFiguresDto, description: 'Every routing decision pooled' }) micro!: OverallFiguresDto;
  @ApiProperty({ type: OverallFiguresDto, description: 'Targets averaged, each weighing the same' }) macro!: OverallFiguresDto;
  @ApiProperty({ type: DirectionFiguresDto }) direction!: DirectionFiguresDto;
}

export class HoldoutFiguresDto {
  @ApiProperty({ description: 'The latest decisions, held out of training' }) decisions!: number;
  @ApiProperty({ type: OverallFiguresDto, description: 'This version on them' }) micro!: OverallFiguresDto;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'The version it was compared with, on the same decisions' }) activeMicroF1!: number | null;
}

export class RoutingModelEvaluationDto {
  @ApiProperty({ type: RoutingFiguresDto, description: '5-fold cross-validation over everything the version was trained on' }) crossValidation!: RoutingFiguresDto;
  @ApiProperty({ type: RoutingFiguresDto, description: 'The same out-of-fold decisions on the labelled development examples alone: the basis versions are compared on' })
  labelled!: RoutingFiguresDto;
  @ApiPropertyOptional({ nullable: true, type: HoldoutFiguresDto }) holdout!: HoldoutFiguresDto | null;
  @ApiProperty() labelledExamples!: number;
  @ApiProperty({ description: 'Analysts\' decisions trained on' }) decisions!: number;
  @ApiProperty({ description: 'Term sets read as concepts' }) termSets!: number;
}

export class RoutingModelVersionDto {
  @ApiProperty() id!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ enum: ['active', 'rejected', 'retired'], description: 'active: routes items now; rejected: scored worse than the active version when trained; retired: replaced by a later version' })
  status!: string;
  @ApiProperty() trainedAt!: string;
  @ApiProperty({ description: 'Labelled examples and decisions trained on' }) examples!: number;
  @ApiProperty({ type: RoutingModelEvaluationDto }) evaluation!: RoutingModelEvaluationDto;
  @ApiProperty({ description: 'Why the version has its status' }) reason!: string;
}

export class RoutingModelHistoryDto {
  @ApiPropertyOptional({ nullable: true, type: RoutingModelVersionDto, description: 'The version routing uses; null before the first is trained' }) active!: RoutingModelVersionDto | null;
  @ApiProperty({ type: [RoutingModelVersionDto], description: 'Every version, newest first' }) versions!: RoutingModelVersionDto[];
}

export class RetrainRequestedDto {
  @ApiProperty({ description: 'The queued job; requests within one minute share it' }) jobId!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
}

function toFigures(evaluation: RoutingEvaluation): RoutingFiguresDto {
  return {
    targets: evaluation.targets.map(({ target, precision, recall, f1, truePositives, falsePositives, falseNegatives }) => ({ target, precision, recall, f1, truePositives, falsePositives, falseNegatives })),
    micro: { precision: evaluation.micro.precision, recall: evaluation.micro.recall, f1: evaluation.micro.f1 },
    macro: { ...evaluation.macro },
    direction: { pairs: evaluation.direction.pairs, accuracy: evaluation.direction.accuracy, contradicting: evaluation.direction.contradicting, contradictingFound: evaluation.direction.contradictingFound },
  };
}

export function toRoutingModelVersionDto(version: RoutingModelVersion): RoutingModelVersionDto {
  const { evaluation } = version;
  return {
    id: version.id,
    version: version.version,
    status: version.status,
    trainedAt: version.trainedAt.toISOString(),
    examples: version.examples,
    evaluation: {
      crossValidation: toFigures(evaluation.crossValidation),
      labelled: toFigures(evaluation.labelled),
      holdout: evaluation.holdout
        ? { decisions: evaluation.holdout.decisions, micro: { precision: evaluation.holdout.micro.precision, recall: evaluation.holdout.micro.recall, f1: evaluation.holdout.micro.f1 }, activeMicroF1: evaluation.holdout.activeMicroF1 }
        : null,
      labelledExamples: evaluation.labelledExamples,
      decisions: evaluation.decisions,
      termSets: evaluation.termSets,
    },
    reason: version.reason,
  };
}

export function toRoutingModelHistoryDto(history: RoutingModelHistory): RoutingModelHistoryDto {
  return { active: history.active ? toRoutingModelVersionDto(history.active) : null, versions: history.versions.map(toRoutingModelVersionDto) };
}
