import type {
  AddWebhookInput,
  AddedWebhook,
  DeliveryFilter,
  DeliveryInfo,
  WebhookInfo,
} from '../webhooks/webhook-service.js';
import type { ApiContext } from './context.js';

/**
 * Webhooks, for admins (they send run outcomes out of Station): listed, added (the signing secret shown once),
 * removed, tested; their deliveries listed and redelivered. Changes are audited with the webhook's id and
 * host, never its secret or the URL's path (which may hold a token, as Slack's do).
 */
export class WebhooksApi {
  constructor(private readonly ctx: ApiContext) {}

  list(): WebhookInfo[] {
    this.ctx.authorize('admin');
    return this.ctx.engine.webhooks.list();
  }

  get(id: number): WebhookInfo {
    this.ctx.authorize('admin');
    return this.ctx.engine.webhooks.get(id);
  }

  /** Makes a webhook; the result holds its signing secret, shown this once (audited as webhook.add). */
  add(input: AddWebhookInput): AddedWebhook {
    this.ctx.authorize('admin');
    const added = this.ctx.engine.webhooks.add(input);
    const hook = added.webhook;
    this.ctx.audit('webhook.add', target(hook), {
      host: hostOf(hook.url),
      environment: hook.environment,
      agent: hook.agent,
      events: hook.events,
      format: hook.format,
    });
    return added;
  }

  /** Removes a webhook with its deliveries and secret (audited as webhook.remove). */
  remove(id: number): WebhookInfo {
    this.ctx.authorize('admin');
    const info = this.ctx.engine.webhooks.remove(id);
    this.ctx.audit('webhook.remove', target(info), { host: hostOf(info.url) });
    return info;
  }

  /** Sends a sample delivery now and says how it went (audited as webhook.test). */
  async test(id: number): Promise<DeliveryInfo> {
    this.ctx.authorize('admin');
    const info = this.ctx.engine.webhooks.get(id);
    const delivery = await this.ctx.engine.webhooks.test(id);
    this.ctx.audit('webhook.test', target(info), {
      delivery: delivery.id,
      status: delivery.status,
      statusCode: delivery.statusCode,
    });
    return delivery;
  }

  deliveries(filter: DeliveryFilter = {}): DeliveryInfo[] {
    this.ctx.authorize('admin');
    return this.ctx.engine.webhooks.deliveries(filter);
  }

  /** Queues a delivery again (audited as webhook.redeliver). */
  redeliver(id: number): DeliveryInfo {
    this.ctx.authorize('admin');
    const delivery = this.ctx.engine.webhooks.redeliver(id);
    this.ctx.audit('webhook.redeliver', `webhook ${String(delivery.webhook)}`, { delivery: delivery.id });
    return delivery;
  }
}

function target(hook: WebhookInfo): string {
  return `webhook ${String(hook.id)}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}
