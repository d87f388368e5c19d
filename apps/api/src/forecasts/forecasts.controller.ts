import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import type { Principal } from '#auth';
import { ForecastsService } from '#predictions';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { IdOrSlugParams } from '../http/validation/page-query.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import { ForecastDto, ForecastHistoryDto, RecordForecastDto, toForecastDto, toForecastHistoryDto } from './forecast.dto.js';

@ApiTags('forecasts')
@ApiBearerAuth()
@Controller('predictions/:idOrSlug/forecasts')
export class ForecastsController {
  constructor(private readonly forecasts: ForecastsService) {}

  @Post()
  @Idempotent()
  @RequireRole('analyst')
  @ApiCreatedResponse({ type: ForecastDto, description: "The analyst's own probability; it supersedes their earlier ones, which are kept" })
  async record(@Param() params: IdOrSlugParams, @Body() body: RecordForecastDto, @CurrentPrincipal() principal: Principal): Promise<ForecastDto> {
    return toForecastDto(await this.forecasts.record(params.idOrSlug, body, { actor: actorOf(principal), name: principal.name }));
  }

  @Get()
  @ApiOkResponse({ type: ForecastHistoryDto, description: 'Every forecast per analyst, and the team forecast beside the model' })
  async history(@Param() params: IdOrSlugParams): Promise<ForecastHistoryDto> {
    return toForecastHistoryDto(await this.forecasts.history(params.idOrSlug));
  }
}
