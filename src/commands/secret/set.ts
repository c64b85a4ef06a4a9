import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { readSecretValue } from '../../cli/secret-value.js';
import { UsageError, validateSecretName, type SecretInfo } from '../../core/index.js';

export default class SecretSet extends BaseCommand<typeof SecretSet> {
  static override summary = 'Store a secret, encrypted at rest (the value from a hidden prompt or stdin).';
  static override description = `The value is typed at a hidden prompt on a terminal, or read from stdin when piped (one trailing newline is dropped); never from the command line, where ps and shell history keep it. Without --env the secret is global (every environment); an environment's own secret of the same name wins over it. {{ .NAME }} in template.json resolves from the store (see README "Secrets" for the precedence).`;
  static override examples = [
    '<%= config.bin %> secret set GITHUB_TOKEN',
    'printf %s "$TOKEN" | <%= config.bin %> secret set GITHUB_TOKEN --env prod',
    '<%= config.bin %> secret set DB_PASSWORD --env staging < password.txt',
  ];
  static override args = {
    name: Args.string({
      description: 'Name of the secret, as templates use it ({{ .NAME }}).',
      required: true,
      ignoreStdin: true,
    }),
    value: Args.string({
      hidden: true,
      ignoreStdin: true,
      description: 'Refused: values are never taken from the command line.',
    }),
  };
  static override flags = {
    env: Flags.string({ description: 'Environment the secret belongs to [default: global].' }),
  };

  async run(): Promise<SecretInfo & { created: boolean }> {
    const { name } = this.args;
    if (this.args.value !== undefined) {
      throw new UsageError('secret values are not taken from the command line (ps and shell history would keep them)', {
        hints: [
          `Type it at the hidden prompt: stn secret set ${name}`,
          `Or pipe it: printf %s "$VALUE" | stn secret set ${name}`,
        ],
      });
    }
    const api = this.api();
    // Checked before the value is asked for: a bad name or environment is not worth typing a secret for.
    validateSecretName(name);
    api.secrets.list(this.flags.env === undefined ? {} : { environment: this.flags.env });
    const value = await readSecretValue(name);
    const result = api.secrets.set(name, value, this.flags.env === undefined ? {} : { environment: this.flags.env });
    if (result.keyFileCreated !== undefined)
      this.note(`Created the encryption key file ${result.keyFileCreated} (mode 0600): back it up.`);
    const scope = result.secret.environment === null ? 'global' : `environment ${result.secret.environment}`;
    this.say(`${result.created ? 'Stored' : 'Updated'} secret ${this.style.bold(name)} (${scope}), encrypted at rest.`);
    return { ...result.secret, created: result.created };
  }
}
