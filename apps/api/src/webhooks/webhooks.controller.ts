import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { WebhookDeliveryService, WebhookEndpointsService } from '#notify';

import { RequireRole } from '../auth/auth.decorators.js';
import { IdParams, PageQueryDto } from '../http/validation/page-query.dto.js';
import { Idempotent } from '../http/idempotency/idempotency.decorator.js';
import {
  CreateWebhookDto,
  DeliveryAttemptResultDto,
  DeliveryListQueryDto,
  DeliveryPageDto,
  DeliveryParams,
  toAttemptDto,
  toDeliveryDto,
  toWebhookDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookPageDto,
  WebhookWithSecretDto,
} from './webhook.dto.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveryService,
  ) {}

  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: WebhookWithSecretDto, description: 'The endpoint and its secret, shown this once' })
  async create(@Body() body: CreateWebhookDto): Promise<WebhookWithSecretDto> {
    const { endpoint, secret } = await this.endpoints.create(body);
    return { ...toWebhookDto(endpoint), secret };
  }

  @Get()
  @ApiOkResponse({ type: WebhookPageDto })
  async list(@Query() query: PageQueryDto): Promise<WebhookPageDto> {
    const page = await this.endpoints.list(query);
    return { items: page.items.map(toWebhookDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookDto })
  async get(@Param() params: IdParams): Promise<WebhookDto> {
    return toWebhookDto(await this.endpoints.get(params.id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: WebhookDto })
  async update(@Param() params: IdParams, @Body() body: UpdateWebhookDto): Promise<WebhookDto> {
    return toWebhookDto(await this.endpoints.update(params.id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@Param() params: IdParams): Promise<void> {
    await this.endpoints.delete(params.id);
  }

  @Post(':id/rotate-secret')
  @Idempotent()
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookWithSecretDto, description: 'The new secret, shown this once; the old one also signs for 24 hours' })
  async rotateSecret(@Param() params: IdParams): Promise<WebhookWithSecretDto> {
    const { endpoint, secret } = await this.endpoints.rotateSecret(params.id);
    return { ...toWebhookDto(endpoint), secret };
  }

  @Get(':id/deliveries')
  @ApiOkResponse({ type: DeliveryPageDto, description: 'Newest first, each with every attempt' })
  async deliveryLog(@Param() params: IdParams, @Query() query: DeliveryListQueryDto): Promise<DeliveryPageDto> {
    const page = await this.endpoints.deliveries(params.id, query);
    return { items: page.items.map(toDeliveryDto), nextCursor: page.nextCursor };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @Idempotent()
  @HttpCode(200)
  @ApiOkResponse({ type: DeliveryAttemptResultDto, description: 'One attempt now, with the same webhook-id' })
  async redeliver(@Param() params: DeliveryParams): Promise<DeliveryAttemptResultDto> {
    const { delivery, attempt } = await this.deliveries.redeliver(params.id, params.deliveryId);
    return { deliveryId: delivery.id, status: delivery.status, attempt: toAttemptDto(attempt) };
  }

  @Post(':id/test')
  @Idempotent()
  @HttpCode(200)
  @ApiOkResponse({ type: DeliveryAttemptResultDto, description: 'A webhook.test event sent now to this endpoint alone' })
  async test(@Param() params: IdParams): Promise<DeliveryAttemptResultDto> {
    const endpoint = await this.endpoints.get(params.id);
    const { delivery, attempt } = await this.deliveries.ping(endpoint.id);
    return { deliveryId: delivery.id, status: delivery.status, attempt: toAttemptDto(attempt) };
  }
}
