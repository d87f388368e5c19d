import { Module } from '@nestjs/common';

import { EventsModule } from '#events';
import { PredictionsModule } from '#predictions';
import { SignalsModule } from '#signals';

import { OutboxRelayService } from './outbox-relay.service.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookSender } from './webhook-sender.js';

const SERVICES = [OutboxRelayService, WebhookDeliveryService, WebhookEndpointsService, WebhookSender];

/** Notifications: the outbox relay, webhook endpoints and deliveries, subscribers and digests. Reads the feature libs; nothing below imports it. */
@Module({ imports: [EventsModule, PredictionsModule, SignalsModule], providers: SERVICES, exports: SERVICES })
export class NotifyModule {}
