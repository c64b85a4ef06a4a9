export {
  WEBHOOK_FORMATS,
  WebhookService,
  validateWebhookUrl,
  webhookSecretName,
  type AddWebhookInput,
  type AddedWebhook,
  type AttemptInfo,
  type AttemptReport,
  type DeliveryFilter,
  type DeliveryInfo,
  type WebhookFormat,
  type WebhookInfo,
  type WebhookServiceDeps,
  type WebhookTuning,
} from './webhook-service.js';
export { TEST_EVENT, WEBHOOK_EVENTS, parseWebhookEvents } from './webhook-events.js';
export { signDelivery, verifySignature } from './signature.js';
export { isPrivateAddress, resolveTarget, UnsafeTargetError, type Resolver } from './safe-target.js';
export { jsonPayload, slackPayload, type SlackPayload, type WebhookPayload } from './webhook-payload.js';
export { parseRetryAfter, WEBHOOK_USER_AGENT } from './webhook-sender.js';
