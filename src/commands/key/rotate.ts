import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { DEFAULT_ROTATE_GRACE, type ApiKeyInfo } from '../../core/index.js';

export default class KeyRotate extends BaseCommand<typeof KeyRotate> {
  static override summary = 'Give an API key a new secret: same name, role and environments (shown once).';
  static override description = `The old secret keeps working for a grace period (--grace, default ${DEFAULT_ROTATE_GRACE}) so that clients can switch; after it, requests with it get 401 "expired". --grace 0 ends it at once.
The new key keeps the old one's lifetime when it had an expiry (or --expires gives a new one).`;
  static override examples = [
    '<%= config.bin %> key rotate ci',
    '<%= config.bin %> key rotate ci --grace 1h',
    '<%= config.bin %> key rotate stn_1a2b3c4d5e6f --grace 0 --json | jq -r .key',
  ];
  static override args = {
    key: Args.string({
      description: 'The key: its id, prefix (stn_xxxxxxxxxxxx), name, or the full key.',
      required: true,
    }),
  };
  static override flags = {
    grace: Flags.string({
      description: `How long the old secret keeps working (e.g. 1h, 7d; 0 for not at all) [default: ${DEFAULT_ROTATE_GRACE}].`,
    }),
    expires: Flags.string({ description: 'When the new key stops working: a duration (30d) or an ISO date.' }),
  };

  async run(): Promise<{ key: string; previous: ApiKeyInfo } & ApiKeyInfo> {
    const rotated = this.api().keys.rotate(this.args.key, {
      ...(this.flags.grace === undefined ? {} : { grace: this.flags.grace }),
      ...(this.flags.expires === undefined ? {} : { expires: this.flags.expires }),
    });
    const { info, previous } = rotated;
    this.say(
      `Rotated key ${this.style.bold(info.name)}: new ${info.display}, old ${previous.display} works until ${previous.expiresAt ?? 'now'}.`,
    );
    this.say('');
    this.say(`  ${rotated.key}`);
    this.say('');
    this.say('Store it now: it is not shown again.');
    return { key: rotated.key, ...info, previous };
  }
}
