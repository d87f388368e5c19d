import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { Principal } from '#auth';
import { IndicatorReadingsService } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { calibrationChart } from './svg-chart.js';
import { checkReadingForm, ForecasterParams, IndicatorPageQuery, ReadingFormBody, type FormFailureOf } from './web-action-forms.js';
import { SlugParams } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPageModelsService } from './web-page-models.service.js';
import { WebPages } from './web-page.decorator.js';

const READING_OUTCOMES: Record<string, string> = {
  recorded: 'Reading recorded.',
  crossed: 'Reading recorded: it crossed a threshold and was recorded as evidence.',
  duplicate: 'That reading was already recorded; nothing changed.',
};

const INDICATOR_DONE: Record<string, string> = { saved: 'Saved.', links: 'Links saved: readings from now on move the predictions they bear on.' };

/** Indicators, calibration, the leaderboard and each person's track record: what the analysts watch and how good the forecasts were. */
@WebPages()
@Controller('app')
export class WebWatchController {
  constructor(
    private readonly models: WebPageModelsService,
    private readonly readings: IndicatorReadingsService,
  ) {}

  @Get('indicators')
  @Render('indicators')
  async indicators(@Req() request: Request) {
    return { ...pageContext(request, 'Indicators', 'indicators'), ...(await this.models.indicatorsPage()) };
  }

  @Get('indicators/:slug')
  async indicator(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Query() query: IndicatorPageQuery): Promise<void> {
    await this.renderIndicator(request, response, params.slug, null, query.reading ? READING_OUTCOMES[query.reading]! : null, query.done ? INDICATOR_DONE[query.done]! : null);
  }

  private async renderIndicator(request: Request, response: Response, slug: string, failure: FormFailureOf | null, readingOutcome: string | null, done: string | null = null): Promise<void> {
    const model = await this.models.indicator(slug);
    response.status(failure ? 400 : 200).render('indicator', { ...pageContext(request, model.indicator.name, 'indicators'), ...model, failure, readingOutcome, done });
  }

  /** A reading entered by hand; one that crosses a linked threshold becomes evidence, as through the API. */
  @Post('indicators/:slug/readings')
  @RequireRole('analyst')
  async addReading(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Body() form: ReadingFormBody, @CurrentPrincipal() principal: Principal): Promise<void> {
    const checked = checkReadingForm(form);
    if (!checked.ok) {
      const { _csrf: _token, ...values } = form;
      return this.renderIndicator(request, response, params.slug, { errors: checked.errors, values }, null);
    }
    const indicator = await this.models.indicatorRecord(params.slug);
    const recorded = await this.readings.record(indicator.id, { value: checked.value.value, observedAt: checked.value.observedAt ?? new Date(), sourceUrl: checked.value.sourceUrl }, actorOf(principal));
    const outcome = recorded.duplicate ? 'duplicate' : recorded.crossings.length > 0 ? 'crossed' : 'recorded';
    response.redirect(303, `/app/indicators/${indicator.slug}?reading=${outcome}`);
  }

  @Get('calibration')
  @Render('calibration')
  async calibration(@Req() request: Request) {
    const table = await this.models.calibration();
    return { ...pageContext(request, 'Calibration', 'calibration'), table, chart: calibrationChart(table.calibration) };
  }

  @Get('leaderboard')
  @Render('leaderboard')
  async leaderboard(@Req() request: Request) {
    return { ...pageContext(request, 'Leaderboard', 'leaderboard'), ...(await this.models.leaderboard()) };
  }

  /** One person's track record, by the actor that names them in the trail (`user:<id>`, `apikey:<id>`). */
  @Get('people/:forecaster')
  @Render('track-record')
  async trackRecord(@Req() request: Request, @Param() params: ForecasterParams) {
    const record = await this.models.trackRecord(params.forecaster);
    return { ...pageContext(request, `Track record of ${record.name}`, 'leaderboard'), record };
  }
}
