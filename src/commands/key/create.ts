import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { ROLES, type ApiKeyInfo } from '../../core/index.js';

export default class KeyCreate extends BaseCommand<typeof KeyCreate> {
  static override summary = 'Create an API key for `stn serve` (shown once; only its hash is stored).';
  static override description = `Roles: admin (everything), user (read and run agents in the environments granted), viewer (read only in the environments granted).
Without --env a user or viewer key is granted every environment.`;
  static override examples = [
    '<%= config.bin %> key create ops --role admin',
    '<%= config.bin %> key create ci --role user --env staging --env prod',
    '<%= config.bin %> key create dashboard --role viewer --json | jq -r .key',
    '<%= config.bin %> key create contractor --role user --expires 30d',
    '<%= config.bin %> key create demo --role viewer --expires 2027-01-31',
  ];
  static override args = {
    name: Args.string({ description: 'A name for the key (who or what uses it).', required: true }),
  };
  static override flags = {
    role: Flags.string({ description: 'Role of the key.', options: [...ROLES], default: 'user' }),
    env: Flags.string({ description: 'Environment the key may use (repeatable); default: all.', multiple: true }),
    user: Flags.string({ description: 'Owner of the key, recorded with it (and in the audit trail).' }),
    expires: Flags.string({
      description: 'When the key stops working: a duration (12h, 30d, 2w) or an ISO date; default never.',
    }),
  };

  async run(): Promise<{ key: string } & ApiKeyInfo> {
    const created = this.api().keys.create({
      name: this.args.name,
      role: this.flags.role,
      environments: this.flags.env ?? [],
      ...(this.flags.user === undefined ? {} : { user: this.flags.user }),
      ...(this.flags.expires === undefined ? {} : { expires: this.flags.expires }),
    });
    const info = created.info;
    this.warnUnknownEnvironments(info.environments);
    this.say(
      `Created ${info.role} key ${this.style.bold(info.name)} (${info.display}) for environments: ${info.environments.join(', ').replace('*', 'all')}`,
    );
    if (info.expiresAt !== null) this.say(`It expires at ${info.expiresAt}.`);
    this.say('');
    this.say(`  ${created.key}`);
    this.say('');
    this.say(
      'Store it now: it is not shown again. Use it as "Authorization: Bearer <key>" or stn ui --remote URL --key <key>.',
    );
    return { key: created.key, ...info };
  }
}
