import { Module } from '@nestjs/common';

import { AuthModule } from '#auth';
import { EventsModule } from '#events';
import { PredictionsModule } from '#predictions';
import { SignalsModule } from '#signals';

import { DigestBuilder } from './digest-builder.service.js';
import { DigestService } from './digest.service.js';
import { MailTransport } from './mail-transport.js';
import { OutboxRelayService } from './outbox-relay.service.js';
import { PeopleMailService } from './people-mail.service.js';
import { SubscribersService } from './subscribers.service.js';
import { WebhookAttemptService } from './webhook-attempt.service.js';
import { WebhookDeliveryRepository } from './webhook-delivery.repository.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookPayloadRenderer } from './webhook-payload-renderer.js';
import { WebhookSender } from './webhook-sender.js';

/** What the apps call: the relay, webhook endpoints and deliveries, subscribers and digests. */
const SERVICES = [OutboxRelayService, WebhookDeliveryService, WebhookEndpointsService, WebhookSender, SubscribersService, DigestBuilder, DigestService, MailTransport, PeopleMailService];

/** Notifications: the outbox relay, webhook endpoints and deliveries, subscribers and digests. Reads the feature libs; nothing below imports it. */
@Module({ imports: [AuthModule, EventsModule, PredictionsModule, SignalsModule], providers: [...SERVICES, WebhookDeliveryRepository, WebhookAttemptService, WebhookPayloadRenderer], exports: SERVICES })
export class NotifyModule {}
