import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { Principal } from '#auth';
import { EvidenceService, ForecastsService, PredictionsService } from '#predictions';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import {
  checkEvidenceForm,
  checkForecastForm,
  checkResolveForm,
  checkRetractForm,
  EvidenceFormBody,
  ForecastFormBody,
  ResolveFormBody,
  RetractFormBody,
  RetractParams,
  type FieldErrors,
} from './web-action-forms.js';
import { checkUndoResolutionForm, UndoResolutionFormBody } from './web-authoring-forms.js';
import { OverrideForm, OverviewQuery, PredictionPageQuery, SlugParams } from './web-forms.dto.js';
import { isFetchRequest, pageContext } from './web-page-context.js';
import { WebPageModelsService, type OverviewSort } from './web-page-models.service.js';
import { WebPages } from './web-page.decorator.js';
import type { WebRequest } from './web-session.guard.js';
import { fieldErrorsOf } from './web-setup-forms.js';

/** A form sent back with what was wrong: which form, each field's error, and what was typed, to fill it in again. */
export interface FormFailure {
  form: 'forecast' | 'evidence' | 'resolve' | 'retract' | 'undo';
  errors: FieldErrors;
  values: Record<string, string | undefined>;
  /** The evidence a retraction was for. */
  target?: string;
}

const DONE_MESSAGES: Record<string, string> = {
  evidence: 'Evidence recorded.',
  override: 'Probability set.',
  resolve: 'Prediction resolved.',
  forecast: 'Forecast recorded.',
  retract: 'Evidence retracted.',
  created: 'Prediction created.',
  saved: 'Saved: a new revision of the text.',
  unchanged: 'Nothing changed, so no new revision.',
  undo: 'Resolution undone: the prediction takes evidence and forecasts again.',
};

function withoutToken<T extends { _csrf: string }>(form: T): Record<string, string | undefined> {
  const { _csrf: _token, ...values } = form;
  return values as Record<string, string | undefined>;
}

function actorOfRequest(request: Request): string | null {
  const principal = (request as WebRequest).webSession?.principal;
  return principal ? actorOf(principal) : null;
}

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
    private readonly forecasts: ForecastsService,
  ) {}

  /** The prediction page; with a failed form, its errors beside its fields (status 400), nothing written. */
  private async renderPrediction(request: Request, response: Response, slug: string, query: Partial<PredictionPageQuery>, failure: FormFailure | null = null): Promise<void> {
    const model = await this.models.prediction(slug, { exclude: query.exclude ?? [], at: parseAt(query.at), same: query.same ?? [], actor: actorOfRequest(request) });
    const done = query.done ? (DONE_MESSAGES[query.done] ?? null) : null;
    response.status(failure ? 400 : 200).render('prediction', { ...pageContext(request, model.prediction.title), ...model, done, failure, liveTopic: `prediction:${model.prediction.slug}` });
  }

  @Get()
  @Render('overview')
  async overview(@Req() request: Request, @Query() query: OverviewQuery) {
    const sort = (query.sort ?? 'deadline') as OverviewSort;
    const order = query.order === 'desc' ? 'desc' : 'asc';
    return { ...pageContext(request, 'Overview', 'overview'), ...(await this.models.overview(sort, order)), liveTopic: 'overview' };
  }

  @Get('predictions/:slug')
  async prediction(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Query() query: PredictionPageQuery): Promise<void> {
    await this.renderPrediction(request, response, params.slug, query);
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
  async addEvidence(@Req() request: Request, @Param() params: SlugParams, @Body() form: EvidenceFormBody, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const checked = checkEvidenceForm(form);
    if (!checked.ok) return this.renderPrediction(request, response, params.slug, {}, { form: 'evidence', errors: checked.errors, values: withoutToken(form) });
    const value = checked.value;
    const prediction = await this.predictions.get(params.slug);
    const recorded = await this.evidence.record(
      {
        summary: value.summary,
        sourceUrl: value.sourceUrl,
        observedAt: value.observedAt ?? new Date(),
        ...(value.reliability === null ? {} : { reliability: value.reliability }),
        impacts: ['likelihoodRatio' in value.weight ? { prediction: prediction.id, likelihoodRatio: value.weight.likelihoodRatio } : { prediction: prediction.id, ...value.weight }],
        ...(value.independentReason === null ? {} : { independent: { reason: value.independentReason } }),
      },
      actorOf(principal),
    );
    // The page warns when it looked like the same story as earlier evidence (and was counted once with it, unless marked independent).
    const same = recorded.sameStory.map((match): [string, string] => ['same', match.evidenceId]);
    response.redirect(303, `/app/predictions/${prediction.slug}?${new URLSearchParams([['done', 'evidence'], ...same]).toString()}`);
  }

  /**
   * Take evidence back, with a reason: the probability moves back by what it added, and the trail
   * keeps both. Through a confirmation page, as resolving: a retraction cannot be undone.
   */
  @Post('predictions/:slug/evidence/:id/retract')
  @RequireRole('analyst')
  async retract(
    @Req() request: Request,
    @Param() params: RetractParams,
    @Body() form: RetractFormBody,
    @CurrentPrincipal() principal: Principal,
    @Res() response: Response,
  ): Promise<void> {
    const checked = checkRetractForm(form);
    if (!checked.ok) return this.renderPrediction(request, response, params.slug, {}, { form: 'retract', errors: checked.errors, values: withoutToken(form), target: params.id });
    const prediction = await this.predictions.get(params.slug);
    if (form.confirm !== 'yes') {
      // Cannot be taken back: the page repeats what goes and why, and only its button retracts.
      const item = await this.models.evidenceItem(params.id);
      const impact = item.impacts.find((each) => each.predictionId === prediction.id) ?? null;
      response.status(200).render('retract-confirm', { ...pageContext(request, `Retract “${item.summary}”?`), prediction, item, impact, reason: checked.value.reason });
      return;
    }
    await this.evidence.retract(params.id, checked.value.reason, actorOf(principal));
    response.redirect(303, `/app/predictions/${prediction.slug}?done=retract`);
  }

  /** Your own probability, beside the model's; the earlier ones are kept. */
  @Post('predictions/:slug/forecast')
  @RequireRole('analyst')
  async forecast(@Req() request: Request, @Param() params: SlugParams, @Body() form: ForecastFormBody, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const checked = checkForecastForm(form);
    if (!checked.ok) return this.renderPrediction(request, response, params.slug, {}, { form: 'forecast', errors: checked.errors, values: withoutToken(form) });
    const prediction = await this.predictions.get(params.slug);
    await this.forecasts.record(prediction.id, checked.value, { actor: actorOf(principal), name: principal.name });
    response.redirect(303, `/app/predictions/${prediction.slug}?done=forecast#forecasts`);
  }

  @Post('predictions/:slug/override')
  @RequireRole('analyst')
  async override(@Param() params: SlugParams, @Body() form: OverrideForm, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const move = await this.predictions.override(params.slug, form.percent / 100, form.reason, actorOf(principal));
    response.redirect(303, `/app/predictions/${move.prediction.slug}?done=override`);
  }

  /**
   * Resolving cannot be taken back from the page: the form leads to a confirmation that repeats what
   * will be recorded, and only its "Resolve" (confirm=yes) writes. A form with a wrong or missing
   * field comes back with the field named, at either step.
   */
  @Post('predictions/:slug/resolve')
  @RequireRole('analyst')
  async resolve(@Req() request: Request, @Param() params: SlugParams, @Body() form: ResolveFormBody, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const checked = checkResolveForm(form);
    if (!checked.ok) return this.renderPrediction(request, response, params.slug, {}, { form: 'resolve', errors: checked.errors, values: withoutToken(form) });
    const value = checked.value;
    if (form.confirm !== 'yes') {
      const prediction = await this.predictions.get(params.slug);
      response.status(200).render('resolve-confirm', { ...pageContext(request, `Resolve ${prediction.title}?`), prediction, resolution: value, values: withoutToken(form) });
      return;
    }
    const move = await this.predictions.resolve(params.slug, { outcome: value.outcome, note: value.note, sourceUrl: value.sourceUrl, occurredAt: value.occurredAt }, actorOf(principal));
    response.redirect(303, `/app/predictions/${move.prediction.slug}?done=resolve`);
  }

  /**
   * Undoing a resolution reopens the prediction (an audit entry of its own; the resolution stays in
   * the trail). Admins only, as in the API; through a confirmation, as resolving, with a reason.
   */
  @Post('predictions/:slug/undo-resolution')
  @RequireRole('admin')
  async undoResolution(@Req() request: Request, @Param() params: SlugParams, @Body() form: UndoResolutionFormBody, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const failed = (errors: FieldErrors) => this.renderPrediction(request, response, params.slug, {}, { form: 'undo', errors, values: withoutToken(form) });
    const checked = checkUndoResolutionForm(form);
    if (!checked.ok) return failed(checked.errors);
    const prediction = await this.predictions.get(params.slug);
    if (form.confirm !== 'yes') {
      response.status(200).render('undo-confirm', { ...pageContext(request, `Undo the resolution of ${prediction.title}?`), prediction, reason: checked.value.reason });
      return;
    }
    try {
      await this.predictions.undoResolution(prediction.id, checked.value.reason, actorOf(principal));
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (!errors) throw error;
      return failed(errors);
    }
    response.redirect(303, `/app/predictions/${prediction.slug}?done=undo`);
  }
}
