import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import type { Principal } from '#auth';
import { SignalInboxService, StoriesService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { toEvidenceImpactInput } from '../evidence/evidence.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import { IdParams } from '../http/validation/page-query.dto.js';
import { AcceptedSignalDto, AcceptSignalDto, RejectSignalDto, toAcceptedSignalDto } from '../signals/signal.dto.js';
import { LinkStoryItemDto, SplitStoryDto, StoryDto, StoryItemParams, toStoryDto } from './story.dto.js';

@ApiTags('stories')
@ApiBearerAuth()
@Controller('stories')
export class StoriesController {
  constructor(
    private readonly stories: StoriesService,
    private readonly inbox: SignalInboxService,
  ) {}

  @Get(':id')
  @ApiOkResponse({ type: StoryDto, description: 'Its items and sources, its decision, the evidence recorded from it and its net move on each prediction' })
  async get(@Param() params: IdParams): Promise<StoryDto> {
    return toStoryDto(await this.stories.get(params.id));
  }

  @Post(':id/accept')
  @Idempotent()
  @RequireRole('analyst')
  @ApiCreatedResponse({ type: AcceptedSignalDto, description: 'One evidence item for the story (from its most relevant waiting item), every item accepted; 409 if already accepted' })
  async accept(@Param() params: IdParams, @Body() body: AcceptSignalDto, @CurrentPrincipal() principal: Principal): Promise<AcceptedSignalDto> {
    return toAcceptedSignalDto(await this.inbox.acceptStory(params.id, { ...body, impacts: body.impacts?.map(toEvidenceImpactInput) }, actorOf(principal)));
  }

  @Post(':id/reject')
  @Idempotent()
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ type: StoryDto, description: 'The story and every item of it rejected, with the reason' })
  async reject(@Param() params: IdParams, @Body() body: RejectSignalDto, @CurrentPrincipal() principal: Principal): Promise<StoryDto> {
    await this.inbox.rejectStory(params.id, body.reason, actorOf(principal));
    return toStoryDto(await this.stories.get(params.id));
  }

  @Post(':id/items')
  @Idempotent()
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ type: StoryDto, description: "The item joins this story and takes its decision (or waits, if it is open); recorded with who linked it. 409 if the item is what its story's evidence was recorded from" })
  async link(@Param() params: IdParams, @Body() body: LinkStoryItemDto, @CurrentPrincipal() principal: Principal): Promise<StoryDto> {
    return toStoryDto(await this.stories.link(params.id, body.itemId, actorOf(principal)));
  }

  @Delete(':id/items/:itemId')
  @Idempotent()
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOkResponse({ type: SplitStoryDto, description: "The item split off into an open story of its own; recorded with who did it. 409 for a story's only item or the item its evidence was recorded from" })
  async split(@Param() params: StoryItemParams, @CurrentPrincipal() principal: Principal): Promise<SplitStoryDto> {
    const { story, split } = await this.stories.split(params.id, params.itemId, actorOf(principal));
    return { story: toStoryDto(story), split: toStoryDto(split) };
  }
}
