import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { Principal } from '#auth';
import type { Indicator, Prediction } from '#db';
import { PredictionsService } from '#predictions';
import { IndicatorLinksService, IndicatorsService, type IndicatorLinkView } from '#signals';

import { actorOf, CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import type { FieldErrors } from './web-action-forms.js';
import {
  checkIndicatorForm,
  checkIndicatorLinksForm,
  checkIndicatorTextForm,
  checkPredictionForm,
  checkPredictionTextForm,
  IndicatorFormBody,
  IndicatorLinksFormBody,
  PredictionFormBody,
  PredictionTextDto,
  renamed,
} from './web-authoring-forms.js';
import { SlugParams } from './web-forms.dto.js';
import { pageContext, type NavSection } from './web-page-context.js';
import { WebPages } from './web-page.decorator.js';
import { DoneQuery, fieldErrorsOf, typedValues, type SetupForm } from './web-setup-forms.js';

interface AuthoringPage {
  heading: string;
  nav: NavSection;
  back: { href: string; label: string };
  formView: string;
  form: SetupForm;
  [more: string]: unknown;
}

function linkValues(links: IndicatorLinkView[]): Record<string, unknown> {
  return {
    linkPrediction: links.map((link) => link.predictionSlug),
    linkThreshold: links.map((link) => String(link.threshold)),
    linkUp: links.map((link) => String(link.likelihoodRatioUp)),
    linkDown: links.map((link) => String(link.likelihoodRatioDown)),
    linkNote: links.map((link) => link.note ?? ''),
  };
}

/**
 * Predictions and indicators made and edited in the browser, and which predictions an indicator
 * bears on, through the services and with the rules of POST/PATCH /v1/predictions, POST/PATCH
 * /v1/indicators and PUT /v1/indicators/:idOrSlug/links; analysts, as in the API.
 */
@WebPages()
@RequireRole('analyst')
@Controller('app')
export class WebAuthoringController {
  constructor(
    private readonly predictions: PredictionsService,
    private readonly indicators: IndicatorsService,
    private readonly links: IndicatorLinksService,
  ) {}

  private render(request: Request, response: Response, page: AuthoringPage): void {
    response.status(page.form.errors ? 400 : 200).render('setup-edit', { ...pageContext(request, page.heading, page.nav), ...page });
  }

  /** The service's refusal of the input (a slug in use, a deadline past), named beside its field; anything else is not the form's fault. */
  private refusal(error: unknown, rename?: (field: string) => string): FieldErrors {
    const errors = fieldErrorsOf(error);
    if (!errors) throw error;
    return renamed(errors, rename);
  }

  private renderNewPrediction(request: Request, response: Response, values: Record<string, unknown>, errors: FieldErrors | null): void {
    this.render(request, response, {
      heading: 'New prediction',
      nav: 'overview',
      back: { href: '/app', label: 'Predictions' },
      formView: 'partials/prediction-form',
      form: { action: '/app/new/prediction', mode: 'create', values, errors },
    });
  }

  @Get('new/prediction')
  newPredictionPage(@Req() request: Request, @Res() response: Response): void {
    this.renderNewPrediction(request, response, {}, null);
  }

  @Post('new/prediction')
  async createPrediction(@Req() request: Request, @Res() response: Response, @Body() form: PredictionFormBody, @CurrentPrincipal() principal: Principal): Promise<void> {
    const checked = checkPredictionForm(form);
    if (!checked.ok) return this.renderNewPrediction(request, response, typedValues(form), checked.errors);
    let created: Prediction;
    try {
      created = await this.predictions.create({ ...checked.value, deadline: new Date(checked.value.deadline) }, actorOf(principal));
    } catch (error) {
      return this.renderNewPrediction(request, response, typedValues(form), this.refusal(error));
    }
    response.redirect(303, `/app/predictions/${created.slug}?done=created`);
  }

  private renderPredictionEdit(request: Request, response: Response, prediction: Prediction, values: Record<string, unknown>, errors: FieldErrors | null): void {
    this.render(request, response, {
      heading: `Edit ${prediction.title}`,
      nav: 'overview',
      back: { href: `/app/predictions/${prediction.slug}`, label: prediction.slug },
      formView: 'partials/prediction-form',
      form: { action: `/app/predictions/${prediction.slug}/edit`, mode: 'edit', values, errors },
      prediction,
    });
  }

  @Get('predictions/:slug/edit')
  async editPredictionPage(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams): Promise<void> {
    const prediction = await this.predictions.get(params.slug);
    const { title, statement, resolutionCriteria } = prediction;
    this.renderPredictionEdit(request, response, prediction, { title, statement, resolutionCriteria }, null);
  }

  /** Only what changed is sent, so saving the form as it stands adds no revision. */
  @Post('predictions/:slug/edit')
  async editPrediction(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Body() form: PredictionFormBody, @CurrentPrincipal() principal: Principal): Promise<void> {
    const prediction = await this.predictions.get(params.slug);
    const checked = checkPredictionTextForm(form);
    if (!checked.ok) return this.renderPredictionEdit(request, response, prediction, typedValues(form), checked.errors);
    const text = checked.value;
    const changed: Partial<PredictionTextDto> = Object.fromEntries((['title', 'statement', 'resolutionCriteria'] as const).filter((field) => text[field] !== prediction[field]).map((field) => [field, text[field]]));
    if (Object.keys(changed).length === 0) return response.redirect(303, `/app/predictions/${prediction.slug}?done=unchanged`);
    try {
      await this.predictions.updateText(prediction.id, changed, actorOf(principal));
    } catch (error) {
      return this.renderPredictionEdit(request, response, prediction, typedValues(form), this.refusal(error));
    }
    response.redirect(303, `/app/predictions/${prediction.slug}?done=saved`);
  }

  private renderNewIndicator(request: Request, response: Response, values: Record<string, unknown>, errors: FieldErrors | null): void {
    this.render(request, response, {
      heading: 'New indicator',
      nav: 'indicators',
      back: { href: '/app/indicators', label: 'Indicators' },
      formView: 'partials/indicator-form',
      form: { action: '/app/new/indicator', mode: 'create', values, errors },
    });
  }

  @Get('new/indicator')
  newIndicatorPage(@Req() request: Request, @Res() response: Response): void {
    this.renderNewIndicator(request, response, {}, null);
  }

  @Post('new/indicator')
  async createIndicator(@Req() request: Request, @Res() response: Response, @Body() form: IndicatorFormBody): Promise<void> {
    const checked = checkIndicatorForm(form);
    if (!checked.ok) return this.renderNewIndicator(request, response, typedValues(form), checked.errors);
    let created: Indicator;
    try {
      created = await this.indicators.create({ ...checked.value, description: checked.value.description ?? '' });
    } catch (error) {
      return this.renderNewIndicator(request, response, typedValues(form), this.refusal(error));
    }
    // Next, what it bears on.
    response.redirect(303, `/app/indicators/${created.slug}/links?done=created`);
  }

  private renderIndicatorEdit(request: Request, response: Response, indicator: Indicator, values: Record<string, unknown>, errors: FieldErrors | null): void {
    this.render(request, response, {
      heading: `Edit ${indicator.name}`,
      nav: 'indicators',
      back: { href: `/app/indicators/${indicator.slug}`, label: indicator.slug },
      formView: 'partials/indicator-form',
      form: { action: `/app/indicators/${indicator.slug}/edit`, mode: 'edit', values, errors },
      indicator,
    });
  }

  @Get('indicators/:slug/edit')
  async editIndicatorPage(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams): Promise<void> {
    const indicator = await this.indicators.get(params.slug);
    const { name, description, unit } = indicator;
    this.renderIndicatorEdit(request, response, indicator, { name, description, unit }, null);
  }

  @Post('indicators/:slug/edit')
  async editIndicator(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Body() form: IndicatorFormBody): Promise<void> {
    const indicator = await this.indicators.get(params.slug);
    const checked = checkIndicatorTextForm(form);
    if (!checked.ok) return this.renderIndicatorEdit(request, response, indicator, typedValues(form), checked.errors);
    await this.indicators.update(indicator.id, checked.value);
    response.redirect(303, `/app/indicators/${indicator.slug}?done=saved`);
  }

  private async renderLinks(request: Request, response: Response, indicator: Indicator, values: Record<string, unknown>, errors: FieldErrors | null, done: string | null = null): Promise<void> {
    const choices = await this.predictions.list({ limit: 200 });
    this.render(request, response, {
      heading: `What ${indicator.name} bears on`,
      nav: 'indicators',
      back: { href: `/app/indicators/${indicator.slug}`, label: indicator.slug },
      formView: 'partials/indicator-links-form',
      form: { action: `/app/indicators/${indicator.slug}/links`, mode: 'edit', values, errors },
      indicator,
      predictionChoices: choices.items.map(({ slug, title }) => ({ slug, title })),
      done,
    });
  }

  @Get('indicators/:slug/links')
  async linksPage(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Query() query: DoneQuery): Promise<void> {
    const indicator = await this.indicators.get(params.slug);
    const done = query.done === 'created' ? 'Indicator added. Now choose the predictions it bears on, or leave it unlinked.' : null;
    await this.renderLinks(request, response, indicator, linkValues(await this.links.list(indicator.id)), null, done);
  }

  /** The rows replace every link of the indicator, as PUT /v1/indicators/:idOrSlug/links does. */
  @Post('indicators/:slug/links')
  async saveLinks(@Req() request: Request, @Res() response: Response, @Param() params: SlugParams, @Body() form: IndicatorLinksFormBody): Promise<void> {
    const indicator = await this.indicators.get(params.slug);
    const checked = checkIndicatorLinksForm(form);
    if (!checked.ok) return this.renderLinks(request, response, indicator, typedValues(form), checked.errors);
    try {
      await this.links.replace(indicator.id, checked.value);
    } catch (error) {
      return this.renderLinks(request, response, indicator, typedValues(form), this.refusal(error, checked.rowOf));
    }
    response.redirect(303, `/app/indicators/${indicator.slug}?done=links`);
  }
}
