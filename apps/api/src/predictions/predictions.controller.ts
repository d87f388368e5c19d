import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import type { Principal } from '#auth';
import {
  ForecastsService,
  isAfterTheFact,
  PredictionHistoryService,
  PredictionsService,
  ScorecardService,
  teamProbabilityAt,
  type ConfidenceMove,
} from '#predictions';
import { IndicatorLinksService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { IdOrSlugParams, PageQueryDto } from '../http/validation/page-query.dto.js';
import { ScorecardDto, toScorecardDto } from '../scorecards/scorecard.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import {
  AuditPageDto,
  ConfidenceMoveDto,
  CreatePredictionDto,
  ExplainQueryDto,
  ExplanationDto,
  HistoryPageDto,
  OverrideDto,
  PredictionDto,
  PredictionListQueryDto,
  PredictionPageDto,
  ResolveDto,
  RevisionListDto,
  toAuditEntryDto,
  toExplanationDto,
  toHistoryPointDto,
  toPredictionDto,
  toRevisionDto,
  toWhatIfDto,
  UndoResolutionDto,
  UpdatePredictionDto,
  WhatIfDto,
  WhatIfQueryDto,
} from './prediction.dto.js';

function toConfidenceMoveDto(move: ConfidenceMove): ConfidenceMoveDto {
  return { prediction: toPredictionDto(move.prediction), entry: toAuditEntryDto(move.entry) };
}

@ApiTags('predictions')
@ApiBearerAuth()
@Controller('predictions')
export class PredictionsController {
  constructor(
    private readonly predictions: PredictionsService,
    private readonly history: PredictionHistoryService,
    private readonly scorecards: ScorecardService,
    private readonly forecasts: ForecastsService,
    private readonly links: IndicatorLinksService,
  ) {}

  @Get()
  @ApiOkResponse({ type: PredictionPageDto })
  async list(@Query() query: PredictionListQueryDto): Promise<PredictionPageDto> {
    const page = await this.predictions.list(query);
    return { items: page.items.map((prediction) => toPredictionDto(prediction, prediction.team)), nextCursor: page.nextCursor };
  }

  @Post()
  @Idempotent()
  @RequireRole('analyst')
  @ApiCreatedResponse({ type: PredictionDto })
  async create(@Body() body: CreatePredictionDto, @CurrentPrincipal() principal: Principal): Promise<PredictionDto> {
    return toPredictionDto(await this.predictions.create({ ...body, deadline: new Date(body.deadline) }, actorOf(principal)));
  }

  @Get(':idOrSlug')
  @ApiOkResponse({ type: PredictionDto })
  async get(@Param() params: IdOrSlugParams): Promise<PredictionDto> {
    const prediction = await this.predictions.getWithTeam(params.idOrSlug);
    return toPredictionDto(prediction, prediction.team);
  }

  @Patch(':idOrSlug')
  @RequireRole('analyst')
  @ApiOkResponse({ type: PredictionDto, description: 'Text fields only; every earlier version is kept (see /revisions)' })
  async update(@Param() params: IdOrSlugParams, @Body() body: UpdatePredictionDto, @CurrentPrincipal() principal: Principal): Promise<PredictionDto> {
    return toPredictionDto(await this.predictions.updateText(params.idOrSlug, body, actorOf(principal)));
  }

  @Get(':idOrSlug/revisions')
  @ApiOkResponse({ type: RevisionListDto })
  async revisions(@Param() params: IdOrSlugParams): Promise<RevisionListDto> {
    return { items: (await this.predictions.revisions(params.idOrSlug)).map(toRevisionDto) };
  }

  @Post(':idOrSlug/override')
  @Idempotent()
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ type: ConfidenceMoveDto })
  async override(@Param() params: IdOrSlugParams, @Body() body: OverrideDto, @CurrentPrincipal() principal: Principal): Promise<ConfidenceMoveDto> {
    return toConfidenceMoveDto(await this.predictions.override(params.idOrSlug, body.probability, body.reason, actorOf(principal)));
  }

  @Post(':idOrSlug/resolve')
  @Idempotent()
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ type: ConfidenceMoveDto })
  async resolve(@Param() params: IdOrSlugParams, @Body() body: ResolveDto, @CurrentPrincipal() principal: Principal): Promise<ConfidenceMoveDto> {
    const resolution = { ...body, occurredAt: body.occurredAt ? new Date(body.occurredAt) : null };
    return toConfidenceMoveDto(await this.predictions.resolve(params.idOrSlug, resolution, actorOf(principal)));
  }

  @Post(':idOrSlug/undo-resolution')
  @Idempotent()
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ type: ConfidenceMoveDto, description: 'An audit entry of its own; the earlier resolution stays in the trail' })
  async undoResolution(
    @Param() params: IdOrSlugParams,
    @Body() body: UndoResolutionDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConfidenceMoveDto> {
    return toConfidenceMoveDto(await this.predictions.undoResolution(params.idOrSlug, body.reason, actorOf(principal)));
  }

  @Get(':idOrSlug/history')
  @ApiOkResponse({ type: HistoryPageDto, description: "The model's probability after each move, in audit order, with the team forecast in force then" })
  async probabilityHistory(@Param() params: IdOrSlugParams, @Query() query: PageQueryDto): Promise<HistoryPageDto> {
    const { prediction, page } = await this.history.entries(params.idOrSlug, query);
    const team = await this.forecasts.teamSeries(prediction.id);
    return {
      items: page.items.map((entry) => toHistoryPointDto(entry, teamProbabilityAt(team, entry.createdAt), isAfterTheFact(entry, prediction.outcomeOccurredAt))),
      nextCursor: page.nextCursor,
    };
  }

  @Get(':idOrSlug/audit')
  @ApiOkResponse({ type: AuditPageDto })
  async audit(@Param() params: IdOrSlugParams, @Query() query: PageQueryDto): Promise<AuditPageDto> {
    const { page } = await this.history.entries(params.idOrSlug, query);
    return { items: page.items.map(toAuditEntryDto), nextCursor: page.nextCursor };
  }

  @Get(':idOrSlug/what-if')
  @ApiOkResponse({ type: WhatIfDto })
  async whatIf(@Param() params: IdOrSlugParams, @Query() query: WhatIfQueryDto): Promise<WhatIfDto> {
    return toWhatIfDto(await this.history.whatIf(params.idOrSlug, query.exclude));
  }

  @Get(':idOrSlug/explain')
  @ApiOkResponse({ type: ExplanationDto })
  async explain(@Param() params: IdOrSlugParams, @Query() query: ExplainQueryDto): Promise<ExplanationDto> {
    const at = query.at ? new Date(query.at) : new Date();
    return toExplanationDto(await this.history.explain(params.idOrSlug, at, query));
  }

  @Get(':idOrSlug/scorecard')
  @ApiOkResponse({ type: ScorecardDto })
  async scorecard(@Param() params: IdOrSlugParams): Promise<ScorecardDto> {
    const scorecard = await this.scorecards.scorecard(params.idOrSlug);
    return toScorecardDto(scorecard, await this.links.linkedTo(scorecard.prediction.id));
  }
}
