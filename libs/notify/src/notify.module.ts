import { Module } from '@nestjs/common';

import { EventsModule } from '#events';
import { PredictionsModule } from '#predictions';
import { SignalsModule } from '#signals';

import { DigestBuilder } from './digest-builder.service.js';
import { DigestService } from './digest.service.js';
import { MailTransport } from './mail-transport.js';
import { OutboxRelayService } from './outbox-relay.service.js';
import { SubscribersService } from './subscribers.service.js';
import { WebhookDeliveryRepository } from './webhook-delivery.repository.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookSender } from './webhook-sender.js';

const SERVICES = [OutboxRelayService, WebhookDeliveryRepository, WebhookDeliveryService, WebhookEndpointsService, WebhookSender, SubscribersService, DigestBuilder, DigestService, MailTransport];

/** Notifications: the outbox relay, webhook endpoints and deliveries, subscribers and digests. Reads the feature libs; nothing below imports it. */
@Module({ imports: [EventsModule, PredictionsModule, SignalsModule], providers: SERVICES, exports: SERVICES })
export class NotifyModule {}
