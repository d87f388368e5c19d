import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { PredictionsService } from '#predictions';
import { RulesService, SignalSearchService, SourceIngestionService, SourcesService, TermSetsService, type RulePreview, type RuleView, type SourceView } from '#signals';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams, LogoutForm, ToggleForm } from './web-forms.dto.js';
import type { FieldErrors } from './web-action-forms.js';
import { pageContext } from './web-page-context.js';
import { checkRuleForm, checkSourceForm, ConfirmFormBody, DONE, DoneQuery, fieldErrorsOf, RuleFormBody, SourceFormBody, typedValues, type SetupForm } from './web-setup-forms.js';
import { WebPages } from './web-page.decorator.js';

const SOURCE_FIELDS = { intervalSeconds: 'intervalMinutes' };

function sourceValues(source: SourceView): Record<string, unknown> {
  return {
    name: source.name,
    kind: source.kind,
    url: source.url,
    intervalMinutes: source.intervalSeconds === null ? '' : source.intervalSeconds / 60,
    schedule: source.schedule,
    indicator: source.indicator?.slug ?? '',
    jsonPointer: source.jsonPointer,
    csvValueColumn: source.csvValueColumn,
    csvTimeColumn: source.csvTimeColumn,
    enabled: source.enabled ? 'on' : '',
  };
}

function ruleValues(rule: RuleView): Record<string, unknown> {
  return {
    name: rule.name,
    query: rule.query,
    indicator: rule.indicator?.slug ?? '',
    impactPrediction: rule.impacts.map((impact) => impact.prediction),
    impactDirection: rule.impacts.map((impact) => impact.direction),
    impactStrength: rule.impacts.map((impact) => impact.strength),
    autoAccept: rule.autoAccept ? 'on' : '',
    enabled: rule.enabled ? 'on' : '',
  };
}

/** The preview's highlights: the item's text escaped, ts_headline's <mark>s kept. */
function previewModel(preview: RulePreview) {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return { ...preview, items: preview.items.map((item) => ({ ...item, highlightHtml: escape(item.highlight).replace(/&lt;(\/?)mark&gt;/g, '<$1mark>') })) };
}

/** Sources and rules, with the roles the API asks for them (analyst): listed, added, edited, deleted behind a confirmation. */
@WebPages()
@RequireRole('analyst')
@Controller('app/admin')
export class WebAdminController {
  constructor(
    private readonly sources: SourcesService,
    private readonly ingestion: SourceIngestionService,
    private readonly rules: RulesService,
    private readonly predictions: PredictionsService,
    private readonly termSets: TermSetsService,
    private readonly search: SignalSearchService,
  ) {}

  private async renderSources(request: Request, response: Response, form: SetupForm, done: string | null = null): Promise<void> {
    const page = await this.sources.list({ limit: 200 });
    response.status(form.errors ? 400 : 200).render('sources', { ...pageContext(request, 'Sources', 'sources'), sources: page.items, more: page.nextCursor !== null, form, done });
  }

  private renderSourceEdit(request: Request, response: Response, source: SourceView, form: SetupForm): void {
    response.status(form.errors ? 400 : 200).render('setup-edit', {
      ...pageContext(request, `Edit ${source.name}`, 'sources'),
      heading: `Edit ${source.name}`,
      back: { href: '/app/admin/sources', label: 'Sources' },
      formView: 'partials/source-form',
      form,
    });
  }

  @Get('sources')
  async sourcesPage(@Req() request: Request, @Res() response: Response, @Query() query: DoneQuery): Promise<void> {
    await this.renderSources(request, response, { action: '/app/admin/sources', mode: 'create', values: {}, errors: null }, query.done ? DONE[query.done] : null);
  }

  @Post('sources')
  async createSource(@Req() request: Request, @Res() response: Response, @Body() form: SourceFormBody): Promise<void> {
    const failed = (errors: FieldErrors) => this.renderSources(request, response, { action: '/app/admin/sources', mode: 'create', values: typedValues(form), errors });
    const checked = checkSourceForm(form);
    if (!checked.ok) return failed(checked.errors);
    try {
      await this.sources.create(checked.value);
    } catch (error) {
      const errors = fieldErrorsOf(error, SOURCE_FIELDS);
      if (!errors) throw error;
      return failed(errors);
    }
    response.redirect(303, '/app/admin/sources?done=created');
  }

  @Get('sources/:id/edit')
  async editSourcePage(@Req() request: Request, @Res() response: Response, @Param() params: IdParams): Promise<void> {
    const source = await this.sources.get(params.id);
    this.renderSourceEdit(request, response, source, { action: `/app/admin/sources/${source.id}/edit`, mode: 'edit', values: sourceValues(source), errors: null });
  }

  @Post('sources/:id/edit')
  async editSource(@Req() request: Request, @Res() response: Response, @Param() params: IdParams, @Body() form: SourceFormBody): Promise<void> {
    const source = await this.sources.get(params.id);
    const failed = (errors: FieldErrors) => this.renderSourceEdit(request, response, source, { action: `/app/admin/sources/${source.id}/edit`, mode: 'edit', values: typedValues(form), errors });
    const checked = checkSourceForm(form);
    if (!checked.ok) return failed(checked.errors);
    try {
      await this.sources.update(source.id, checked.value);
    } catch (error) {
      const errors = fieldErrorsOf(error, SOURCE_FIELDS);
      if (!errors) throw error;
      return failed(errors);
    }
    response.redirect(303, '/app/admin/sources?done=saved');
  }

  /** Deleting a source cannot be undone: the first post shows what goes, and only its button (confirm=yes) deletes. */
  @Post('sources/:id/delete')
  async deleteSource(@Req() request: Request, @Res() response: Response, @Param() params: IdParams, @Body() form: ConfirmFormBody): Promise<void> {
    const source = await this.sources.get(params.id);
    if (form.confirm !== 'yes') {
      response.status(200).render('delete-confirm', {
        ...pageContext(request, `Delete ${source.name}?`, 'sources'),
        what: `the source “${source.name}”`,
        consequence: `It is no longer fetched (${source.url}). The items it brought stay in the inbox and the evidence recorded from them stays.`,
        action: `/app/admin/sources/${source.id}/delete`,
        back: { href: '/app/admin/sources', label: 'Sources' },
      });
      return;
    }
    await this.sources.remove(source.id);
    response.redirect(303, '/app/admin/sources?done=deleted');
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

  /** What the rule forms choose from: the predictions (for impacts) and the term sets a query can name. */
  private async ruleChoices() {
    const [predictions, termSets] = await Promise.all([this.predictions.list({ limit: 200 }), this.termSets.list({ limit: 200 })]);
    return { predictionChoices: predictions.items.map(({ id, slug, title }) => ({ id, slug, title })), termSets: termSets.items };
  }

  private async renderRules(request: Request, response: Response, form: SetupForm, done: string | null = null, preview: ReturnType<typeof previewModel> | null = null): Promise<void> {
    const [page, choices] = await Promise.all([this.rules.list({ limit: 200 }), this.ruleChoices()]);
    const slugs = new Map(choices.predictionChoices.map((prediction) => [prediction.id, prediction.slug]));
    response.status(form.errors ? 400 : 200).render('rules', { ...pageContext(request, 'Rules', 'rules'), rules: page.items, slugs, more: page.nextCursor !== null, ...choices, form, done, preview });
  }

  private async renderRuleEdit(request: Request, response: Response, rule: RuleView, form: SetupForm, preview: ReturnType<typeof previewModel> | null = null): Promise<void> {
    response.status(form.errors ? 400 : 200).render('setup-edit', {
      ...pageContext(request, `Edit ${rule.name}`, 'rules'),
      ...(await this.ruleChoices()),
      heading: `Edit ${rule.name}`,
      back: { href: '/app/admin/rules', label: 'Rules' },
      formView: 'partials/rule-form',
      form: { ...form, ruleId: rule.id },
      preview,
    });
  }

  @Get('rules')
  async rulesPage(@Req() request: Request, @Res() response: Response, @Query() query: DoneQuery): Promise<void> {
    await this.renderRules(request, response, { action: '/app/admin/rules', mode: 'create', values: {}, errors: null }, query.done ? DONE[query.done] : null);
  }

  @Post('rules')
  async createRule(@Req() request: Request, @Res() response: Response, @Body() form: RuleFormBody): Promise<void> {
    const failed = (errors: FieldErrors) => this.renderRules(request, response, { action: '/app/admin/rules', mode: 'create', values: typedValues(form), errors });
    const checked = checkRuleForm(form);
    if (!checked.ok) return failed(checked.errors);
    try {
      await this.rules.create({ ...checked.value, sourceIds: [] });
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (!errors) throw error;
      return failed(errors);
    }
    response.redirect(303, '/app/admin/rules?done=created');
  }

  /**
   * Which stored items the query would match, as POST /v1/rules/preview answers, shown under the
   * form it came from (the add form, or a rule's edit form); nothing is saved.
   */
  @Post('rules/preview')
  async previewRule(@Req() request: Request, @Res() response: Response, @Body() form: RuleFormBody): Promise<void> {
    const rule = form.ruleId ? await this.rules.get(form.ruleId) : null;
    const values = typedValues(form);
    const render = (errors: FieldErrors | null, preview: ReturnType<typeof previewModel> | null) =>
      rule
        ? this.renderRuleEdit(request, response, rule, { action: `/app/admin/rules/${rule.id}/edit`, mode: 'edit', values, errors }, preview)
        : this.renderRules(request, response, { action: '/app/admin/rules', mode: 'create', values, errors }, null, preview);
    if (!form.query?.trim()) return render({ query: 'Query is required' }, null);
    try {
      return await render(null, previewModel(await this.search.preview(form.query.trim(), null)));
    } catch (error) {
      const errors = fieldErrorsOf(error, {}, 'query');
      if (!errors) throw error;
      return render(errors, null);
    }
  }

  @Get('rules/:id/edit')
  async editRulePage(@Req() request: Request, @Res() response: Response, @Param() params: IdParams): Promise<void> {
    const rule = await this.rules.get(params.id);
    await this.renderRuleEdit(request, response, rule, { action: `/app/admin/rules/${rule.id}/edit`, mode: 'edit', values: ruleValues(rule), errors: null });
  }

  @Post('rules/:id/edit')
  async editRule(@Req() request: Request, @Res() response: Response, @Param() params: IdParams, @Body() form: RuleFormBody): Promise<void> {
    const rule = await this.rules.get(params.id);
    const failed = (errors: FieldErrors) => this.renderRuleEdit(request, response, rule, { action: `/app/admin/rules/${rule.id}/edit`, mode: 'edit', values: typedValues(form), errors });
    const checked = checkRuleForm(form);
    if (!checked.ok) return failed(checked.errors);
    try {
      await this.rules.update(rule.id, checked.value);
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (!errors) throw error;
      return failed(errors);
    }
    response.redirect(303, '/app/admin/rules?done=saved');
  }

  /** Deleting a rule cannot be undone: the first post shows what goes, and only its button (confirm=yes) deletes. */
  @Post('rules/:id/delete')
  async deleteRule(@Req() request: Request, @Res() response: Response, @Param() params: IdParams, @Body() form: ConfirmFormBody): Promise<void> {
    const rule = await this.rules.get(params.id);
    if (form.confirm !== 'yes') {
      response.status(200).render('delete-confirm', {
        ...pageContext(request, `Delete ${rule.name}?`, 'rules'),
        what: `the rule “${rule.name}”`,
        consequence: `New items are no longer matched against “${rule.query}”. The items it matched keep their snapshot of it, and evidence recorded from them stays.`,
        action: `/app/admin/rules/${rule.id}/delete`,
        back: { href: '/app/admin/rules', label: 'Rules' },
      });
      return;
    }
    await this.rules.delete(rule.id);
    response.redirect(303, '/app/admin/rules?done=deleted');
  }

  @Post('rules/:id/enabled')
  async toggleRule(@Param() params: IdParams, @Body() form: ToggleForm, @Res() response: Response): Promise<void> {
    await this.rules.update(params.id, { enabled: form.enabled === 'true' });
    response.redirect(303, '/app/admin/rules');
  }
}
