import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatTable } from '../../cli/output.js';
import type { DeliveryInfo } from '../../core/index.js';

export default class WebhookDeliveries extends BaseCommand<typeof WebhookDeliveries> {
  static override summary = 'List webhook deliveries, newest first: status, attempts, status codes and response times.';
  static override description =
    '--json gives every attempt of each delivery (time, status code or error, response time, wait before the next).';
  static override examples = [
    '<%= config.bin %> webhook deliveries',
    '<%= config.bin %> webhook deliveries --failed',
    '<%= config.bin %> webhook deliveries --webhook 3 --json | jq ".[].attemptLog"',
  ];
  static override flags = {
    failed: Flags.boolean({ description: 'Only deliveries that failed (every attempt used).', default: false }),
    webhook: Flags.integer({ description: 'Only deliveries of this webhook.', min: 1 }),
    limit: Flags.integer({ description: 'How many to show.', default: 50, min: 1 }),
  };

  async run(): Promise<DeliveryInfo[]> {
    const deliveries = this.api().webhooks.deliveries({
      failed: this.flags.failed,
      webhook: this.flags.webhook,
      limit: this.flags.limit,
    });
    if (deliveries.length === 0) {
      this.say(this.flags.failed ? 'No failed deliveries.' : 'No deliveries yet.');
      return deliveries;
    }
    this.say(() =>
      formatTable(
        deliveries,
        [
          { header: 'ID', get: (d) => String(d.id), align: 'right' },
          { header: 'WEBHOOK', get: (d) => String(d.webhook), align: 'right' },
          { header: 'EVENT', get: (d) => d.event },
          { header: 'RUN', get: (d) => (d.runId === null ? '-' : String(d.runId)) },
          { header: 'STATUS', get: (d) => d.status },
          { header: 'ATTEMPTS', get: (d) => String(d.attempts), align: 'right' },
          {
            header: 'CODES',
            get: (d) =>
              d.attemptLog.map((a) => (a.statusCode === null ? 'err' : String(a.statusCode))).join(',') || '-',
          },
          { header: 'LAST MS', get: (d) => (d.durationMs === null ? '-' : String(d.durationMs)), align: 'right' },
          { header: 'CREATED', get: (d) => formatAge(d.createdAt) },
          {
            header: 'NOTE',
            get: (d) =>
              d.status === 'pending' && d.nextAttemptAt !== null
                ? `next try ${d.nextAttemptAt}`
                : d.status === 'delivered'
                  ? ''
                  : (d.error ?? ''),
          },
        ],
        this.style.bold,
      ),
    );
    return deliveries;
  }
}
