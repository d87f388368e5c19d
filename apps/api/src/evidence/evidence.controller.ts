import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import type { Principal } from '#auth';
import { EvidenceQueriesService, EvidenceService } from '#predictions';
import { IndicatorReadingsService, RulesService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { IdParams } from '../http/validation/page-query.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import {
  EvidenceDto,
  EvidenceListQueryDto,
  EvidencePageDto,
  RecordedEvidenceDto,
  RecordEvidenceDto,
  RetractedEvidenceDto,
  RetractEvidenceDto,
  toEvidenceDto,
  toEvidenceImpactInput,
  toEvidenceSearchResultDto,
  toRecordedEvidenceDto,
  toRetractedEvidenceDto,
} from './evidence.dto.js';

@ApiTags('evidence')
@ApiBearerAuth()
@Controller('evidence')
export class EvidenceController {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly evidenceQueries: EvidenceQueriesService,
    private readonly readings: IndicatorReadingsService,
    private readonly rules: RulesService,
  ) {}

  @Post()
  @Idempotent()
  @RequireRole('analyst')
  @ApiCreatedResponse({ type: RecordedEvidenceDto, description: 'Each prediction moved, with its probability before and after' })
  async record(@Body() body: RecordEvidenceDto, @CurrentPrincipal() principal: Principal): Promise<RecordedEvidenceDto> {
    const recorded = await this.evidence.record(
      { ...body, observedAt: new Date(body.observedAt), impacts: body.impacts.map(toEvidenceImpactInput) },
      actorOf(principal),
    );
    return toRecordedEvidenceDto(recorded);
  }

  @Get()
  @ApiOkResponse({ type: EvidencePageDto })
  async list(@Query() query: EvidenceListQueryDto): Promise<EvidencePageDto> {
    const filter = {
      prediction: query.prediction,
      // Evidence keeps the reading it came from; which readings are an indicator's is the signals library's to say.
      indicatorReadingIds: query.indicator === undefined ? undefined : await this.readings.readingIdsOf(query.indicator),
      observedFrom: query.from ? new Date(query.from) : undefined,
      observedTo: query.to ? new Date(query.to) : undefined,
      storyId: query.story,
      cursor: query.cursor,
      limit: query.limit,
    };
    if (query.q !== undefined) {
      // The query language is the rules' (one parser, one error naming q and the position); the evidence table is searched by its owner.
      const found = await this.evidenceQueries.search({ ...filter, tsQuery: await this.rules.compile(query.q, 'q') });
      return { items: found.items.map(toEvidenceSearchResultDto), nextCursor: found.nextCursor };
    }
    const page = await this.evidenceQueries.list(filter);
    return { items: page.items.map(toEvidenceDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: EvidenceDto })
  async get(@Param() params: IdParams): Promise<EvidenceDto> {
    return toEvidenceDto(await this.evidenceQueries.get(params.id));
  }

  @Post(':id/retract')
  @Idempotent()
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ type: RetractedEvidenceDto, description: 'The compensating move on each prediction; nothing is deleted' })
  async retract(
    @Param() params: IdParams,
    @Body() body: RetractEvidenceDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RetractedEvidenceDto> {
    return toRetractedEvidenceDto(await this.evidence.retract(params.id, body.reason, actorOf(principal)));
  }
}
