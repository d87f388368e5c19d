import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import type { Principal } from '#auth';
import { IndicatorLinksService, IndicatorReadingsService, IndicatorsService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { IdOrSlugParams, PageQueryDto, TimeWindowPageQueryDto } from '../http/validation/page-query.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import {
  CreateIndicatorDto,
  IndicatorDto,
  IndicatorLinkListDto,
  IndicatorPageDto,
  IndicatorReadingPageDto,
  RecordedReadingDto,
  RecordReadingDto,
  ReplaceIndicatorLinksDto,
  toIndicatorDto,
  toIndicatorLinkDto,
  toIndicatorReadingDto,
  toRecordedReadingDto,
  UpdateIndicatorDto,
} from './indicator.dto.js';

@ApiTags('indicators')
@ApiBearerAuth()
@Controller('indicators')
export class IndicatorsController {
  constructor(
    private readonly indicators: IndicatorsService,
    private readonly readings: IndicatorReadingsService,
    private readonly links: IndicatorLinksService,
  ) {}

  @Get()
  @ApiOkResponse({ type: IndicatorPageDto })
  async list(@Query() query: PageQueryDto): Promise<IndicatorPageDto> {
    const page = await this.indicators.list(query);
    return { items: page.items.map(toIndicatorDto), nextCursor: page.nextCursor };
  }

  @Post()
  @Idempotent()
  @RequireRole('analyst')
  @ApiCreatedResponse({ type: IndicatorDto, description: 'No readings and no links yet: add them under /readings and /links' })
  async create(@Body() body: CreateIndicatorDto): Promise<IndicatorDto> {
    return toIndicatorDto(await this.indicators.create({ ...body, description: body.description ?? '' }));
  }

  @Get(':idOrSlug')
  @ApiOkResponse({ type: IndicatorDto })
  async get(@Param() params: IdOrSlugParams): Promise<IndicatorDto> {
    return toIndicatorDto(await this.indicators.get(params.idOrSlug));
  }

  @Patch(':idOrSlug')
  @RequireRole('analyst')
  @ApiOkResponse({ type: IndicatorDto, description: 'Name, description and unit; the slug stays' })
  async update(@Param() params: IdOrSlugParams, @Body() body: UpdateIndicatorDto): Promise<IndicatorDto> {
    return toIndicatorDto(await this.indicators.update(params.idOrSlug, body));
  }

  @Post(':idOrSlug/readings')
  @Idempotent()
  @RequireRole('analyst')
  @ApiCreatedResponse({ type: RecordedReadingDto, description: 'The reading, and the evidence recorded for each threshold it crossed' })
  async recordReading(@Param() params: IdOrSlugParams, @Body() body: RecordReadingDto, @CurrentPrincipal() principal: Principal): Promise<RecordedReadingDto> {
    const indicator = await this.indicators.get(params.idOrSlug);
    const recorded = await this.readings.record(indicator.id, { ...body, observedAt: new Date(body.observedAt) }, actorOf(principal));
    return toRecordedReadingDto(recorded);
  }

  @Get(':idOrSlug/readings')
  @ApiOkResponse({ type: IndicatorReadingPageDto, description: 'The series in observedAt order' })
  async listReadings(@Param() params: IdOrSlugParams, @Query() query: TimeWindowPageQueryDto): Promise<IndicatorReadingPageDto> {
    const page = await this.readings.list(params.idOrSlug, {
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      cursor: query.cursor,
      limit: query.limit,
    });
    return { items: page.items.map(toIndicatorReadingDto), nextCursor: page.nextCursor };
  }

  @Get(':idOrSlug/links')
  @ApiOkResponse({ type: IndicatorLinkListDto })
  async listLinks(@Param() params: IdOrSlugParams): Promise<IndicatorLinkListDto> {
    return { items: (await this.links.list(params.idOrSlug)).map(toIndicatorLinkDto) };
  }

  @Put(':idOrSlug/links')
  @RequireRole('analyst')
  @ApiOkResponse({ type: IndicatorLinkListDto, description: 'The indicator\'s links, replaced by those sent' })
  async replaceLinks(@Param() params: IdOrSlugParams, @Body() body: ReplaceIndicatorLinksDto): Promise<IndicatorLinkListDto> {
    return { items: (await this.links.replace(params.idOrSlug, body.links)).map(toIndicatorLinkDto) };
  }
}
