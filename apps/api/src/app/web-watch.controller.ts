import { Controller, Get, Param, Render, Req } from '@nestjs/common';
import type { Request } from 'express';

import { calibrationChart } from './svg-chart.js';
import { SlugParams } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPageModelsService } from './web-page-models.service.js';
import { WebPages } from './web-page.decorator.js';

/** Indicators and calibration: what the analysts watch and how good the forecasts were. */
@WebPages()
@Controller('app')
export class WebWatchController {
  constructor(private readonly models: WebPageModelsService) {}

  @Get('indicators/:slug')
  @Render('indicator')
  async indicator(@Req() request: Request, @Param() params: SlugParams) {
    const model = await this.models.indicator(params.slug);
    return { ...pageContext(request, model.indicator.name), ...model };
  }

  @Get('calibration')
  @Render('calibration')
  async calibration(@Req() request: Request) {
    const table = await this.models.calibration();
    return { ...pageContext(request, 'Calibration', 'calibration'), table, chart: calibrationChart(table.calibration) };
  }
}
