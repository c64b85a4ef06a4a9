import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { confirmRemoval } from '../../cli/confirm-removal.js';
import { positiveIdArg } from '../../cli/id-args.js';
import type { WebhookInfo } from '../../core/index.js';

export default class WebhookRm extends BaseCommand<typeof WebhookRm> {
  static override summary = 'Remove a webhook, with its queued deliveries and its secret.';
  static override description = 'On a terminal it asks first; without one (scripts), pass --yes.';
  static override examples = ['<%= config.bin %> webhook rm 3', '<%= config.bin %> webhook rm 3 --yes --json'];
  static override args = {
    id: positiveIdArg({
      description: 'Webhook id (see stn webhook list).',
      what: 'webhook',
      listCommand: 'stn webhook list',
    }),
  };
  static override flags = {
    yes: Flags.boolean({
      char: 'y',
      description: 'Remove without asking (needed without a terminal).',
      default: false,
    }),
  };

  async run(): Promise<WebhookInfo> {
    const api = this.api();
    const hook = api.webhooks.get(this.args.id);
    await confirmRemoval(this.flags.yes, {
      verb: 'remove',
      what: `webhook ${String(hook.id)} (${hook.url})`,
      consequence: 'Its queued deliveries are dropped and its secret deleted; this cannot be undone.',
      command: `stn webhook rm ${String(hook.id)} --yes`,
    });
    api.webhooks.remove(hook.id);
    this.say(`Removed webhook ${this.style.bold(String(hook.id))} (${hook.url}).`);
    return hook;
  }
}
