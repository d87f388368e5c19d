import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { PredictionsService } from '#predictions';
import { RulesService, SourceIngestionService, SourcesService } from '#signals';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams, LogoutForm, ToggleForm } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPages } from './web-page.decorator.js';

/** Sources and rules, with the roles the API asks for them (analyst). */
@WebPages()
@RequireRole('analyst')
@Controller('app/admin')
export class WebAdminController {
  constructor(
    private readonly sources: SourcesService,
    private readonly ingestion: SourceIngestionService,
    private readonly rules: RulesService,
    private readonly predictions: PredictionsService,
  ) {}

  @Get('sources')
  @Render('sources')
  async sourcesPage(@Req() request: Request) {
    const page = await this.sources.list({ limit: 200 });
    return { ...pageContext(request, 'Sources', 'sources'), sources: page.items, more: page.nextCursor !== null };
  }

  @Post('sources/:id/fetch')
  async fetchNow(@Param() params: IdParams, @Body() _form: LogoutForm, @Res() response: Response): Promise<void> {
    const source = await this.sources.get(params.id);
    await this.ingestion.fetchSource(source.id);
    response.redirect(303, '/app/admin/sources');
  }

  @Post('sources/:id/enabled')
  async toggleSource(@Param() params: IdParams, @Body() form: ToggleForm, @Res() response: Response): Promise<void> {
    await this.sources.update(params.id, { enabled: form.enabled === 'true' });
    response.redirect(303, '/app/admin/sources');
  }

  @Get('rules')
  @Render('rules')
  async rulesPage(@Req() request: Request) {
    const [page, predictions] = await Promise.all([this.rules.list({ limit: 200 }), this.predictions.list({ limit: 200 })]);
    const slugs = new Map(predictions.items.map((prediction) => [prediction.id, prediction.slug]));
    return { ...pageContext(request, 'Rules', 'rules'), rules: page.items, slugs, more: page.nextCursor !== null };
  }

  @Post('rules/:id/enabled')
  async toggleRule(@Param() params: IdParams, @Body() form: ToggleForm, @Res() response: Response): Promise<void> {
    await this.rules.update(params.id, { enabled: form.enabled === 'true' });
    response.redirect(303, '/app/admin/rules');
  }
}
