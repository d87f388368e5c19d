import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { IndicatorsService } from '#signals';

import { IdOrSlugParams, PageQueryDto } from '../http/page-query.dto.js';
import { IndicatorDto, IndicatorPageDto, toIndicatorDto } from './indicator.dto.js';

@ApiTags('indicators')
@ApiBearerAuth()
@Controller('indicators')
export class IndicatorsController {
  constructor(private readonly indicators: IndicatorsService) {}

  @Get()
  @ApiOkResponse({ type: IndicatorPageDto })
  async list(@Query() query: PageQueryDto): Promise<IndicatorPageDto> {
    const page = await this.indicators.list(query);
    return { items: page.items.map(toIndicatorDto), nextCursor: page.nextCursor };
  }

  @Get(':idOrSlug')
  @ApiOkResponse({ type: IndicatorDto })
  async get(@Param() params: IdOrSlugParams): Promise<IndicatorDto> {
    return toIndicatorDto(await this.indicators.get(params.idOrSlug));
  }
}
