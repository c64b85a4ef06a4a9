import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatTable } from '../../cli/output.js';
import type { WebhookInfo } from '../../core/index.js';

export default class WebhookList extends BaseCommand<typeof WebhookList> {
  static override summary = 'List webhooks: URL, filters and format (never their secrets).';
  static override examples = [
    '<%= config.bin %> webhook list',
    '<%= config.bin %> webhook list --json | jq -r ".[].url"',
  ];

  async run(): Promise<WebhookInfo[]> {
    const hooks = this.api().webhooks.list();
    if (hooks.length === 0) {
      this.say('No webhooks. Add one with: stn webhook add URL');
      return hooks;
    }
    this.say(() =>
      formatTable(
        hooks,
        [
          { header: 'ID', get: (h) => String(h.id), align: 'right' },
          { header: 'URL', get: (h) => h.url },
          { header: 'FORMAT', get: (h) => h.format },
          { header: 'EVENTS', get: (h) => h.events.join(',') },
          { header: 'ENVIRONMENT', get: (h) => h.environment ?? '*' },
          { header: 'AGENT', get: (h) => h.agent ?? '*' },
          { header: 'CREATED', get: (h) => formatAge(h.createdAt) },
        ],
        this.style.bold,
      ),
    );
    return hooks;
  }
}
