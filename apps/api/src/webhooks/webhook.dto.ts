import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsNumber, IsOptional, IsString, IsUrl, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';

import type { WebhookDelivery, WebhookDeliveryAttempt } from '#db';
import { SUBSCRIBABLE_EVENT_TYPES } from '#events';
import type { WebhookDeliveryView, WebhookEndpointView } from '#notify';

import { IsOmittable } from '../http/validation/is-omittable.decorator.js';
import { PageQueryDto } from '../http/validation/page-query.dto.js';

const EVENT_CHOICES = ['*', ...SUBSCRIBABLE_EVENT_TYPES];
const FORMATS = ['standard', 'slack'] as const;

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.org/bellwether' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ description: '["*"] for every event, or a list of event types', enum: EVENT_CHOICES, isArray: true, default: ['*'] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsIn(EVENT_CHOICES, { each: true })
  events?: string[];

  @ApiPropertyOptional({ enum: FORMATS, default: 'standard', description: 'standard: Standard Webhooks {type, timestamp, data}; slack: {text, blocks}' })
  @IsOmittable()
  @IsIn(FORMATS)
  format?: (typeof FORMATS)[number];

  @ApiPropertyOptional({ description: 'Only events about these predictions (ids or slugs); omitted or empty means all', type: [String] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  predictions?: string[];

  @ApiPropertyOptional({ description: 'prediction.confidence_changed only when the probability moved at least this much (0..1)', example: 0.05, nullable: true, type: Number })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  minProbabilityChange?: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookDto extends CreateWebhookDto {
  @ApiPropertyOptional({ example: 'https://hooks.example.org/bellwether' })
  @IsOmittable()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  declare url: string;
}

export class DeliveryListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed', 'exhausted'] })
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed', 'exhausted'])
  status?: WebhookDelivery['status'];
}

export class DeliveryParams {
  @IsUUID('all')
  id!: string;

  @IsUUID('all')
  deliveryId!: string;
}

export class WebhookDto {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiProperty({ enum: FORMATS }) format!: string;
  @ApiProperty({ type: [String], description: 'Prediction ids; empty means all' }) predictions!: string[];
  @ApiPropertyOptional({ nullable: true, type: Number }) minProbabilityChange!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) description!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'Failed attempts since the last success' }) failureStreak!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) failingSince!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastSuccessAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) disabledAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) disabledReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Until then the secret before the last rotation signs too' }) previousSecretExpiresAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class WebhookWithSecretDto extends WebhookDto {
  @ApiProperty({ description: 'whsec_...: shown only now; verify deliveries with it', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  secret!: string;
}

export class WebhookPageDto {
  @ApiProperty({ type: [WebhookDto] }) items!: WebhookDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class DeliveryAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty() succeeded!: boolean;
  @ApiPropertyOptional({ nullable: true, type: Number }) responseCode!: number | null;
  @ApiProperty() latencyMs!: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The first 1 KB of the response' }) responseBody!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() at!: string;
}

export class DeliveryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The event; also the webhook-id header of every attempt' }) eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed', 'exhausted'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) responseCode!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) latencyMs!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [DeliveryAttemptDto] }) attemptLog!: DeliveryAttemptDto[];
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class DeliveryAttemptResultDto {
  @ApiProperty() deliveryId!: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed', 'exhausted'] }) status!: string;
  @ApiProperty({ type: DeliveryAttemptDto }) attempt!: DeliveryAttemptDto;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toWebhookDto(endpoint: WebhookEndpointView): WebhookDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    format: endpoint.format,
    predictions: endpoint.predictionIds,
    minProbabilityChange: endpoint.minProbabilityChange,
    description: endpoint.description,
    enabled: endpoint.enabled,
    failureStreak: endpoint.failureStreak,
    failingSince: iso(endpoint.failingSince),
    lastSuccessAt: iso(endpoint.lastSuccessAt),
    disabledAt: iso(endpoint.disabledAt),
    disabledReason: endpoint.disabledReason,
    previousSecretExpiresAt: iso(endpoint.previousSecretExpiresAt),
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

export function toAttemptDto(attempt: WebhookDeliveryAttempt): DeliveryAttemptDto {
  return {
    attempt: attempt.attempt,
    succeeded: attempt.succeeded,
    responseCode: attempt.responseCode,
    latencyMs: attempt.latencyMs,
    responseBody: attempt.responseBody,
    error: attempt.error,
    at: attempt.createdAt.toISOString(),
  };
}

export function toDeliveryDto(delivery: WebhookDeliveryView): DeliveryDto {
  return {
    id: delivery.id,
    eventId: delivery.outboxEventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    responseCode: delivery.responseCode,
    latencyMs: delivery.latencyMs,
    lastError: delivery.lastError,
    nextAttemptAt: iso(delivery.nextAttemptAt),
    deliveredAt: iso(delivery.deliveredAt),
    createdAt: delivery.createdAt.toISOString(),
    attemptLog: delivery.attemptLog.map(toAttemptDto),
  };
}
