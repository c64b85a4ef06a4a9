import { BaseCommand } from '../../cli/base-command.js';
import { positiveIdArg } from '../../cli/id-args.js';
import { ExitCode, StationError, type DeliveryInfo } from '../../core/index.js';

export default class WebhookTest extends BaseCommand<typeof WebhookTest> {
  static override summary = 'Send a sample delivery to a webhook now, and show how the receiver answered.';
  static override description =
    'The sample has X-Station-Event: webhook.test and the shape of a run.finished delivery (a made-up run 0, "test": true), signed like every delivery. One attempt, no retry; it is listed by stn webhook deliveries. Exits 19 when it was not delivered (no answer, or not a 2xx).';
  static override examples = ['<%= config.bin %> webhook test 3', '<%= config.bin %> webhook test 3 --json'];
  static override args = {
    id: positiveIdArg({
      description: 'Webhook id (see stn webhook list).',
      what: 'webhook',
      listCommand: 'stn webhook list',
    }),
  };

  async run(): Promise<DeliveryInfo> {
    const delivery = await this.api().webhooks.test(this.args.id);
    const ms = delivery.durationMs === null ? '' : ` in ${String(delivery.durationMs)} ms`;
    if (delivery.status !== 'delivered') {
      throw new StationError(
        'webhook_test_failed',
        `the sample delivery ${String(delivery.id)} to ${delivery.url} was not delivered: ${delivery.error ?? 'no answer'}`,
        ExitCode.DELIVERY_FAILED,
        {
          hints: [
            'Check the URL and that the receiver answers 2xx to a POST.',
            'Try again with: stn webhook test ' + String(delivery.webhook),
          ],
          details: { delivery: delivery.id, statusCode: delivery.statusCode },
        },
      );
    }
    this.say(`Delivered sample ${String(delivery.id)} to ${delivery.url}: HTTP ${String(delivery.statusCode)}${ms}.`);
    return delivery;
  }
}
