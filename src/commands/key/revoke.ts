import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { ApiKeyInfo } from '../../core/index.js';

export default class KeyRevoke extends BaseCommand<typeof KeyRevoke> {
  static override summary = 'Revoke an API key: requests using it fail from now on.';
  static override examples = [
    '<%= config.bin %> key revoke ci',
    '<%= config.bin %> key revoke stn_1a2b3c4d5e6f',
    '<%= config.bin %> key revoke 3 --json',
  ];
  static override args = {
    key: Args.string({
      description: 'The key: its id, prefix (stn_xxxxxxxxxxxx), name, or the full key.',
      required: true,
    }),
  };

  async run(): Promise<ApiKeyInfo> {
    const info = this.api().keys.revoke(this.args.key);
    this.say(`Revoked key ${this.style.bold(info.name)} (${info.display}).`);
    return info;
  }
}
