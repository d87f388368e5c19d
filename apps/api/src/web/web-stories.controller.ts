import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { Principal } from '#auth';
import { StoriesService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { IdParams, LinkStoryItemForm, SplitStoryItemForm, StoryItemParams } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPages } from './web-page.decorator.js';

/** A story's page: its reports and sources, its decision, the evidence recorded from it and its net move; analysts link and split items here. */
@WebPages()
@Controller('app/stories')
export class WebStoriesController {
  constructor(private readonly stories: StoriesService) {}

  @Get(':id')
  @Render('story')
  async storyPage(@Req() request: Request, @Param() params: IdParams) {
    const story = await this.stories.get(params.id);
    return { ...pageContext(request, `Story: ${story.items[0]?.title ?? story.id}`, 'inbox'), story };
  }

  @Post(':id/link')
  @RequireRole('analyst')
  async link(@Param() params: IdParams, @Body() form: LinkStoryItemForm, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    await this.stories.link(params.id, form.itemId, actorOf(principal));
    response.redirect(303, `/app/stories/${params.id}`);
  }

  @Post(':id/items/:itemId/split')
  @RequireRole('analyst')
  async split(@Param() params: StoryItemParams, @Body() _form: SplitStoryItemForm, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    await this.stories.split(params.id, params.itemId, actorOf(principal));
    response.redirect(303, `/app/stories/${params.id}`);
  }
}
