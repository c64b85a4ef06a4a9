import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { confirmRemoval } from '../../cli/confirm-removal.js';
import type { SecretInfo } from '../../core/index.js';

export default class SecretRm extends BaseCommand<typeof SecretRm> {
  static override summary = 'Remove a secret from the store.';
  static override description = 'On a terminal it asks first; without one (scripts), pass --yes.';
  static override examples = [
    '<%= config.bin %> secret rm GITHUB_TOKEN',
    '<%= config.bin %> secret rm DB_PASSWORD --env staging --yes',
  ];
  static override args = {
    name: Args.string({ description: 'Name of the secret.', required: true }),
  };
  static override flags = {
    env: Flags.string({ description: 'Environment the secret belongs to [default: global].' }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Remove without asking (needed without a terminal).',
      default: false,
    }),
  };

  async run(): Promise<SecretInfo> {
    const api = this.api();
    const scope = this.flags.env === undefined ? {} : { environment: this.flags.env };
    const info = api.secrets.find(this.args.name, scope);
    const where = info.environment === null ? 'global secret' : `secret ${info.environment}/`;
    await confirmRemoval(this.flags.yes, {
      verb: 'remove',
      what: info.environment === null ? `${where} ${info.name}` : `${where}${info.name}`,
      consequence: 'Templates that use it need another value from then on; this cannot be undone.',
      command: `stn secret rm ${info.name}${info.environment === null ? '' : ` --env ${info.environment}`} --yes`,
    });
    api.secrets.remove(this.args.name, scope);
    this.say(`Removed secret ${this.style.bold(info.name)} (${info.environment ?? 'global'}).`);
    return info;
  }
}
