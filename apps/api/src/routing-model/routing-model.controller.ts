import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import type { Principal } from '#auth';
import { RoutingModelsService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { RetrainRequestedDto, RoutingModelHistoryDto, toRoutingModelHistoryDto } from './routing-model.dto.js';

/** The learned second stage of routing: its versions with their evaluations, and retraining on request. */
@ApiTags('routing-model')
@ApiBearerAuth()
@Controller('routing-model')
export class RoutingModelController {
  constructor(private readonly models: RoutingModelsService) {}

  @Get()
  @ApiOkResponse({ type: RoutingModelHistoryDto, description: 'The active version with its evaluation, and every version, newest first' })
  async history(): Promise<RoutingModelHistoryDto> {
    return toRoutingModelHistoryDto(await this.models.history());
  }

  @Post('retrain')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiAcceptedResponse({ type: RetrainRequestedDto, description: 'Queued for a worker: the candidate becomes active if it scores no worse than the active version, else it is kept as rejected' })
  async retrain(@CurrentPrincipal() principal: Principal): Promise<RetrainRequestedDto> {
    return { ...(await this.models.requestRetrain(actorOf(principal))), status: 'queued' };
  }
}
