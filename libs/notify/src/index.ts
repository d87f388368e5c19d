export { DigestBuilder, type DigestContent, type DigestInputs } from './digest-builder.service.js';
export { lastEndedPeriod, zonedInstant, type DigestPeriod, type DigestSchedule } from './digest-period.js';
export { DigestRenderer, type RenderedDigest } from './digest-renderer.js';
export { DigestService, type DigestSendOutcome } from './digest.service.js';
export { MailTransport, type MailMessage, type SentMail } from './mail-transport.js';
export { NotifyModule } from './notify.module.js';
export { SubscribersService, type SubscriberChanges, type SubscriberInput, type SubscriberView } from './subscribers.service.js';
export { unsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.js';
export { OutboxRelayService, type RelayOutcome } from './outbox-relay.service.js';
export { parseRetrySchedule, nextRetryDelay } from './retry-schedule.js';
export { slackMessage, slackText, type SlackMessage } from './slack-message.js';
export { activeSecrets, deliveryJobId, eventDeliveriesJobId, WebhookDeliveryService } from './webhook-delivery.service.js';
export {
  SECRET_ROTATION_OVERLAP_MS,
  toEndpointView,
  WebhookEndpointsService,
  type WebhookDeliveryView,
  type WebhookEndpointChanges,
  type WebhookEndpointInput,
  type WebhookEndpointView,
} from './webhook-endpoints.service.js';
export { endpointWants } from './webhook-filter.js';
export { WEBHOOK_POLICY } from './webhook-poster.js';
export { WebhookSender } from './webhook-sender.js';
export { newWebhookSecret, signWebhook } from './webhook-signature.js';
