import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { SUBSCRIBABLE_EVENT_TYPES } from '#events';
import { WebhookDeliveryService, WebhookEndpointsService, type WebhookEndpointView } from '#notify';

import { RequireRole } from '../auth/auth.decorators.js';
import { DeliveryParams, WebhooksPageQuery, type FieldErrors } from './web-action-forms.js';
import { IdParams, LogoutForm, ToggleForm } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPages } from './web-page.decorator.js';
import { checkWebhookForm, ConfirmFormBody, DONE, fieldErrorsOf, typedValues, WebhookFormBody, type SetupForm } from './web-setup-forms.js';

const DELIVERIES_SHOWN = 10;
const FIELDS = { minProbabilityChange: 'minChangePoints' };

function endpointValues(endpoint: WebhookEndpointView): Record<string, unknown> {
  return {
    url: endpoint.url,
    events: endpoint.events,
    format: endpoint.format,
    description: endpoint.description,
    minChangePoints: endpoint.minProbabilityChange === null ? '' : Math.round(endpoint.minProbabilityChange * 1000) / 10,
    enabled: endpoint.enabled ? 'on' : '',
  };
}

/** Webhook endpoints with their recent delivery log, for admins as in the API: added (the secret shown once), edited, disabled, deleted behind a confirmation. */
@WebPages()
@RequireRole('admin')
@Controller('app/admin/webhooks')
export class WebWebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveryService,
  ) {}

  private async renderWebhooks(request: Request, response: Response, form: SetupForm, extra: { done?: string | null; redelivered?: string | null; created?: { url: string; secret: string } } = {}): Promise<void> {
    const page = await this.endpoints.list({ limit: 100 });
    const endpoints = await Promise.all(
      page.items.map(async (endpoint) => ({ endpoint, deliveries: (await this.endpoints.deliveries(endpoint.id, { limit: DELIVERIES_SHOWN })).items })),
    );
    if (extra.created) response.setHeader('Cache-Control', 'no-store');
    response.status(form.errors ? 400 : 200).render('webhooks', {
      ...pageContext(request, 'Webhooks', 'webhooks'),
      endpoints,
      more: page.nextCursor !== null,
      eventChoices: SUBSCRIBABLE_EVENT_TYPES,
      form,
      done: extra.done ?? null,
      redelivered: extra.redelivered ?? null,
      created: extra.created ?? null,
    });
  }

  private renderEdit(request: Request, response: Response, endpoint: WebhookEndpointView, form: SetupForm): void {
    response.status(form.errors ? 400 : 200).render('setup-edit', {
      ...pageContext(request, `Edit ${endpoint.url}`, 'webhooks'),
      heading: `Edit ${endpoint.url}`,
      back: { href: '/app/admin/webhooks', label: 'Webhooks' },
      formView: 'partials/webhook-form',
      eventChoices: SUBSCRIBABLE_EVENT_TYPES,
      form,
    });
  }

  @Get()
  async webhooksPage(@Req() request: Request, @Res() response: Response, @Query() query: WebhooksPageQuery): Promise<void> {
    const redelivered = query.redelivered === 'ok' ? 'Redelivered: the endpoint accepted it.' : query.redelivered === 'failed' ? 'Redelivered, and it failed again: see the error in the log.' : null;
    await this.renderWebhooks(request, response, { action: '/app/admin/webhooks', mode: 'create', values: {}, errors: null }, { redelivered, done: query.done ? DONE[query.done] : null });
  }

  /** The answer is the page itself, with the secret: it is shown this once and never put in an address. */
  @Post()
  async create(@Req() request: Request, @Res() response: Response, @Body() form: WebhookFormBody): Promise<void> {
    const failed = (errors: FieldErrors) => this.renderWebhooks(request, response, { action: '/app/admin/webhooks', mode: 'create', values: typedValues(form), errors });
    const checked = checkWebhookForm(form, SUBSCRIBABLE_EVENT_TYPES);
    if (!checked.ok) return failed(checked.errors);
    let created: { endpoint: WebhookEndpointView; secret: string };
    try {
      created = await this.endpoints.create(checked.value);
    } catch (error) {
      const errors = fieldErrorsOf(error, FIELDS);
      if (!errors) throw error;
      return failed(errors);
    }
    await this.renderWebhooks(request, response, { action: '/app/admin/webhooks', mode: 'create', values: {}, errors: null }, { created: { url: created.endpoint.url, secret: created.secret } });
  }

  @Get(':id/edit')
  async editPage(@Req() request: Request, @Res() response: Response, @Param() params: IdParams): Promise<void> {
    const endpoint = await this.endpoints.get(params.id);
    this.renderEdit(request, response, endpoint, { action: `/app/admin/webhooks/${endpoint.id}/edit`, mode: 'edit', values: endpointValues(endpoint), errors: null });
  }

  @Post(':id/edit')
  async edit(@Req() request: Request, @Res() response: Response, @Param() params: IdParams, @Body() form: WebhookFormBody): Promise<void> {
    const endpoint = await this.endpoints.get(params.id);
    const failed = (errors: FieldErrors) => this.renderEdit(request, response, endpoint, { action: `/app/admin/webhooks/${endpoint.id}/edit`, mode: 'edit', values: typedValues(form), errors });
    const checked = checkWebhookForm(form, SUBSCRIBABLE_EVENT_TYPES);
    if (!checked.ok) return failed(checked.errors);
    try {
      await this.endpoints.update(endpoint.id, checked.value);
    } catch (error) {
      const errors = fieldErrorsOf(error, FIELDS);
      if (!errors) throw error;
      return failed(errors);
    }
    response.redirect(303, '/app/admin/webhooks?done=saved');
  }

  @Post(':id/enabled')
  async toggle(@Param() params: IdParams, @Body() form: ToggleForm, @Res() response: Response): Promise<void> {
    await this.endpoints.update(params.id, { enabled: form.enabled === 'true' });
    response.redirect(303, '/app/admin/webhooks?done=saved');
  }

  /** Deleting an endpoint cannot be undone (its delivery log goes with it): the first post shows what goes, and only its button deletes. */
  @Post(':id/delete')
  async remove(@Req() request: Request, @Res() response: Response, @Param() params: IdParams, @Body() form: ConfirmFormBody): Promise<void> {
    const endpoint = await this.endpoints.get(params.id);
    if (form.confirm !== 'yes') {
      response.status(200).render('delete-confirm', {
        ...pageContext(request, `Delete ${endpoint.url}?`, 'webhooks'),
        what: `the endpoint ${endpoint.url}`,
        consequence: 'No more events are delivered to it, and its delivery log goes with it. To stop deliveries for a while, disable it instead.',
        action: `/app/admin/webhooks/${endpoint.id}/delete`,
        back: { href: '/app/admin/webhooks', label: 'Webhooks' },
      });
      return;
    }
    await this.endpoints.delete(endpoint.id);
    response.redirect(303, '/app/admin/webhooks?done=deleted');
  }

  /** One more attempt of a delivery now (a failed one, typically): the log shows how it went. */
  @Post(':id/deliveries/:deliveryId/redeliver')
  async redeliver(@Param() params: DeliveryParams, @Body() _form: LogoutForm, @Res() response: Response): Promise<void> {
    const { attempt } = await this.deliveries.redeliver(params.id, params.deliveryId);
    response.redirect(303, `/app/admin/webhooks?redelivered=${attempt.succeeded ? 'ok' : 'failed'}#hook-${params.id}`);
  }

  @Post(':id/test')
  async test(@Param() params: IdParams, @Body() _form: LogoutForm, @Res() response: Response): Promise<void> {
    const endpoint = await this.endpoints.get(params.id);
    await this.deliveries.ping(endpoint.id);
    response.redirect(303, '/app/admin/webhooks');
  }
}
