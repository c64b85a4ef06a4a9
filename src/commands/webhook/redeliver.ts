import { BaseCommand } from '../../cli/base-command.js';
import { positiveIdArg } from '../../cli/id-args.js';
import type { DeliveryInfo } from '../../core/index.js';

export default class WebhookRedeliver extends BaseCommand<typeof WebhookRedeliver> {
  static override summary = 'Queue a delivery again (same id and body, a fresh set of attempts).';
  static override description =
    'This command makes the first attempt before it ends (for a few seconds); retries after that are sent by `stn serve`.';
  static override examples = [
    '<%= config.bin %> webhook redeliver 12',
    '<%= config.bin %> webhook redeliver 12 --json',
  ];
  static override args = {
    id: positiveIdArg({
      description: 'Delivery id (see stn webhook deliveries).',
      what: 'delivery',
      listCommand: 'stn webhook deliveries',
    }),
  };

  async run(): Promise<DeliveryInfo> {
    const delivery = this.api().webhooks.redeliver(this.args.id);
    this.say(`Queued delivery ${String(delivery.id)} to ${delivery.url} again.`);
    return delivery;
  }
}
