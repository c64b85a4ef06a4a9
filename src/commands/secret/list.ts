import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatTable } from '../../cli/output.js';
import type { SecretInfo } from '../../core/index.js';

export default class SecretList extends BaseCommand<typeof SecretList> {
  static override summary = 'List secrets: names, scopes and dates (never values).';
  static override description = "With --env: the environment's own secrets and the global ones it sees.";
  static override examples = [
    '<%= config.bin %> secret list',
    '<%= config.bin %> secret list --env prod',
    '<%= config.bin %> secret list --json | jq -r ".[].name"',
  ];
  static override flags = {
    env: Flags.string({ description: 'Only the secrets this environment sees (its own and global ones).' }),
  };

  async run(): Promise<SecretInfo[]> {
    const secrets = this.api().secrets.list(this.flags.env === undefined ? {} : { environment: this.flags.env });
    if (secrets.length === 0) {
      this.say('No secrets. Store one with: stn secret set NAME [--env ENV]');
      return secrets;
    }
    this.say(() =>
      formatTable(
        secrets,
        [
          { header: 'NAME', get: (s) => s.name },
          { header: 'SCOPE', get: (s) => s.environment ?? 'global' },
          { header: 'CREATED', get: (s) => formatAge(s.createdAt) },
          { header: 'UPDATED', get: (s) => formatAge(s.updatedAt) },
        ],
        this.style.bold,
      ),
    );
    return secrets;
  }
}
