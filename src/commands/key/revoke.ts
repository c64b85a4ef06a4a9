import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { confirmRemoval } from '../../cli/confirm-removal.js';
import type { ApiKeyInfo } from '../../core/index.js';

export default class KeyRevoke extends BaseCommand<typeof KeyRevoke> {
  static override summary = 'Revoke an API key: requests using it fail from now on.';
  static override description = 'On a terminal it asks first; without one (scripts), pass --yes.';
  static override examples = [
    '<%= config.bin %> key revoke ci',
    '<%= config.bin %> key revoke stn_1a2b3c4d5e6f --yes',
    '<%= config.bin %> key revoke 3 --yes --json',
  ];
  static override args = {
    key: Args.string({
      description: 'The key: its id, prefix (stn_xxxxxxxxxxxx), name, or the full key.',
      required: true,
    }),
  };
  static override flags = {
    yes: Flags.boolean({
      char: 'y',
      description: 'Revoke without asking (needed without a terminal).',
      default: false,
    }),
  };

  async run(): Promise<ApiKeyInfo> {
    const api = this.api();
    const key = api.keys.find(this.args.key);
    // An already revoked key is not asked about: revoke says so.
    if (key.status === 'active') {
      await confirmRemoval(this.flags.yes, {
        verb: 'revoke',
        what: `key "${key.name}" (${key.display})`,
        consequence: 'Requests using it fail from then on; this cannot be undone.',
        command: `stn key revoke ${String(key.id)} --yes`,
      });
    }
    const info = api.keys.revoke(this.args.key);
    this.say(`Revoked key ${this.style.bold(info.name)} (${info.display}).`);
    return info;
  }
}
