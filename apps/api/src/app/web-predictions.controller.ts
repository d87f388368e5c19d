import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { Principal } from '#auth';
import { EvidenceService, PredictionsService } from '#predictions';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { EvidenceForm, OverrideForm, OverviewQuery, PredictionPageQuery, ResolveForm, SlugParams } from './web-forms.dto.js';
import { isFetchRequest, pageContext } from './web-page-context.js';
import { WebPageModelsService, type OverviewSort } from './web-page-models.service.js';
import { WebPages } from './web-page.decorator.js';

/** An <input type="datetime-local"> has no zone; the pages speak UTC. */
function parseAt(at: string | undefined): Date | null {
  if (!at) return null;
  const parsed = new Date(/Z$/.test(at) ? at : `${at}Z`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

@WebPages()
@Controller('app')
export class WebPredictionsController {
  constructor(
    private readonly models: WebPageModelsService,
    private readonly predictions: PredictionsService,
    private readonly evidence: EvidenceService,
  ) {}

  @Get()
  @Render('overview')
  async overview(@Req() request: Request, @Query() query: OverviewQuery) {
    const sort = (query.sort ?? 'deadline') as OverviewSort;
    const order = query.order === 'desc' ? 'desc' : 'asc';
    return { ...pageContext(request, 'Overview', 'overview'), ...(await this.models.overview(sort, order)) };
  }

  @Get('predictions/:slug')
  async prediction(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Query() query: PredictionPageQuery): Promise<void> {
    const model = await this.models.prediction(params.slug, { exclude: query.exclude, at: parseAt(query.at) });
    response.render('prediction', { ...pageContext(request, model.prediction.title), ...model, done: query.done ?? null });
  }

  /** The chart alone, with the what-if line for the evidence ticked off (the page's script asks for it). */
  @Get('predictions/:slug/chart')
  async chart(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Query() query: PredictionPageQuery): Promise<void> {
    if (!isFetchRequest(request)) {
      response.redirect(303, `/app/predictions/${encodeURIComponent(params.slug)}?${new URLSearchParams(query.exclude.map((id): [string, string] => ['exclude', id])).toString()}#chart`);
      return;
    }
    const prediction = await this.predictions.get(params.slug);
    response.render('partials/chart', { ...pageContext(request, ''), prediction, chart: await this.models.chart(prediction.id, query.exclude) });
  }

  /** "Why was it p then", for a point of the chart. */
  @Get('predictions/:slug/explain')
  async explain(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Query() query: PredictionPageQuery): Promise<void> {
    const at = parseAt(query.at) ?? new Date();
    if (!isFetchRequest(request)) {
      response.redirect(303, `/app/predictions/${encodeURIComponent(params.slug)}?at=${encodeURIComponent(at.toISOString())}#explain`);
      return;
    }
    response.render('partials/explain', { ...pageContext(request, ''), explain: await this.models.explain(params.slug, at) });
  }

  /** The verified/broken badge of the prediction's own audit chain. */
  @Get('predictions/:slug/audit')
  async audit(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams): Promise<void> {
    const prediction = await this.predictions.get(params.slug);
    const audit = await this.models.auditBadge(prediction);
    if (isFetchRequest(request)) {
      response.render('partials/audit-badge', { ...pageContext(request, ''), audit, prediction });
      return;
    }
    response.render('audit', { ...pageContext(request, `Audit trail of ${prediction.title}`), audit, prediction });
  }

  @Post('predictions/:slug/evidence')
  @RequireRole('analyst')
  async addEvidence(@Param() params: SlugParams, @Body() form: EvidenceForm, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const prediction = await this.predictions.get(params.slug);
    await this.evidence.record(
      {
        summary: form.summary,
        sourceUrl: form.sourceUrl ?? null,
        observedAt: new Date(),
        ...(form.reliability === undefined ? {} : { reliability: form.reliability }),
        impacts: [{ prediction: prediction.id, direction: form.direction, strength: form.strength }],
      },
      actorOf(principal),
    );
    response.redirect(303, `/app/predictions/${prediction.slug}?done=evidence`);
  }

  @Post('predictions/:slug/override')
  @RequireRole('analyst')
  async override(@Param() params: SlugParams, @Body() form: OverrideForm, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const move = await this.predictions.override(params.slug, form.percent / 100, form.reason, actorOf(principal));
    response.redirect(303, `/app/predictions/${move.prediction.slug}?done=override`);
  }

  @Post('predictions/:slug/resolve')
  @RequireRole('analyst')
  async resolve(@Param() params: SlugParams, @Body() form: ResolveForm, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const move = await this.predictions.resolve(params.slug, { outcome: form.outcome, note: form.note }, actorOf(principal));
    response.redirect(303, `/app/predictions/${move.prediction.slug}?done=resolve`);
  }
}
