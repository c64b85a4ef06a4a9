import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS, type AddedWebhook } from '../../core/index.js';

export default class WebhookAdd extends BaseCommand<typeof WebhookAdd> {
  static override summary = 'Add a webhook: run outcomes POSTed to a URL, signed (the secret is shown once).';
  static override description = `Each delivery is a JSON POST (or a Slack message with --format slack) with the headers X-Station-Event, X-Station-Delivery, X-Station-Timestamp and X-Station-Signature: sha256=HMAC-SHA256(secret, timestamp + "." + body). The secret is kept encrypted in the secret store and shown only now.
Events: ${WEBHOOK_EVENTS.join(', ')} (run.finished: every run that ends; run.<status>: only runs that ended so). Loopback, link-local and private addresses are refused unless config.yaml has webhooks.allow_private: true.`;
  static override examples = [
    '<%= config.bin %> webhook add https://ci.example.com/hooks/station',
    '<%= config.bin %> webhook add https://hooks.slack.com/services/T0/B0/XXX --format slack --events run.failed,run.timed_out',
    '<%= config.bin %> webhook add https://example.com/hook --env prod --agent nightly-scan --json | jq -r .secret',
  ];
  static override args = {
    url: Args.string({ description: 'Where deliveries are POSTed (http or https).', required: true }),
  };
  static override flags = {
    env: Flags.string({ description: 'Only runs of this environment [default: every environment].' }),
    events: Flags.string({
      description: 'Events to send, comma-separated or repeated [default: run.finished].',
      multiple: true,
    }),
    agent: Flags.string({ description: 'Only runs of this agent [default: every agent].' }),
    format: Flags.string({ description: 'Payload format.', options: [...WEBHOOK_FORMATS], default: 'json' }),
  };

  async run(): Promise<AddedWebhook> {
    const added = this.api().webhooks.add({
      url: this.args.url,
      environment: this.flags.env,
      agent: this.flags.agent,
      events: this.flags.events,
      format: this.flags.format,
    });
    const hook = added.webhook;
    this.say(
      `Added webhook ${this.style.bold(String(hook.id))} -> ${hook.url} (${hook.format}; ${hook.events.join(', ')}; environment ${hook.environment ?? 'any'}, agent ${hook.agent ?? 'any'})`,
    );
    this.say('');
    this.say('Signing secret (shown once; verify X-Station-Signature with it):');
    this.say('');
    this.say(`  ${added.secret}`);
    this.say('');
    this.say(`Send a sample with: stn webhook test ${String(hook.id)}`);
    return added;
  }
}
