import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { PredictionsService } from '#predictions';

import { IdOrSlugParams } from '../http/page-query.dto.js';
import { PredictionDto, PredictionListQueryDto, PredictionPageDto, toPredictionDto } from './prediction.dto.js';

@ApiTags('predictions')
@ApiBearerAuth()
@Controller('predictions')
export class PredictionsController {
  constructor(private readonly predictions: PredictionsService) {}

  @Get()
  @ApiOkResponse({ type: PredictionPageDto })
  async list(@Query() query: PredictionListQueryDto): Promise<PredictionPageDto> {
    const page = await this.predictions.list(query);
    return { items: page.items.map(toPredictionDto), nextCursor: page.nextCursor };
  }

  @Get(':idOrSlug')
  @ApiOkResponse({ type: PredictionDto })
  async get(@Param() params: IdOrSlugParams): Promise<PredictionDto> {
    return toPredictionDto(await this.predictions.get(params.idOrSlug));
  }
}
