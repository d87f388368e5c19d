import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { WebhookDeliveryService, WebhookEndpointsService } from '#notify';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams, LogoutForm } from './web-forms.dto.js';
import { pageContext } from './web-page-context.js';
import { WebPages } from './web-page.decorator.js';

const DELIVERIES_SHOWN = 10;

/** Webhook endpoints with their recent delivery log, for admins as in the API. Creating and editing stays in the API. */
@WebPages()
@RequireRole('admin')
@Controller('app/admin/webhooks')
export class WebWebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveryService,
  ) {}

  @Get()
  @Render('webhooks')
  async webhooksPage(@Req() request: Request) {
    const page = await this.endpoints.list({ limit: 100 });
    const endpoints = await Promise.all(
      page.items.map(async (endpoint) => ({ endpoint, deliveries: (await this.endpoints.deliveries(endpoint.id, { limit: DELIVERIES_SHOWN })).items })),
    );
    return { ...pageContext(request, 'Webhooks', 'webhooks'), endpoints, more: page.nextCursor !== null };
  }

  @Post(':id/test')
  async test(@Param() params: IdParams, @Body() _form: LogoutForm, @Res() response: Response): Promise<void> {
    const endpoint = await this.endpoints.get(params.id);
    await this.deliveries.ping(endpoint.id);
    response.redirect(303, '/app/admin/webhooks');
  }
}
