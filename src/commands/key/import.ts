import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { readSecretValue } from '../../cli/secret-value.js';
import { KEY_RECIPE, ROLES, UsageError, type ApiKeyInfo, type ImportedKey } from '../../core/index.js';

export default class KeyImport extends BaseCommand<typeof KeyImport> {
  static override summary = 'Store an API key made elsewhere (a container Secret): only its hash is kept.';
  static override description = `The key is read from an environment variable (--from-env) or stdin (--from-stdin), never from the command line, where ps and shell history keep it. It must have Station's format, stn_<12 hex digits>_<43 base64url characters>, with a random secret; make one with:
  ${KEY_RECIPE}
Idempotent, for a container's entrypoint: the same key under the same name and role changes nothing (exit 0). Another key already working under the name is refused (exit 4) unless --replace, which revokes it; with --replace the same key with another role or environments gets them. A key once revoked, rotated or expired cannot be imported again.`;
  static override examples = [
    // KEY_RECIPE without its echo: the key straight into the variable.
    `export STATION_API_KEY=${KEY_RECIPE.replace(/^echo /, '')}`,
    '<%= config.bin %> key import deploy --role admin --from-env STATION_API_KEY',
    '<%= config.bin %> key import deploy --role admin --from-env STATION_API_KEY --replace',
    '<%= config.bin %> key import ci --role user --env staging --from-stdin < ci-key.txt',
  ];
  static override args = {
    name: Args.string({ description: 'A name for the key (who or what uses it).', required: true, ignoreStdin: true }),
    key: Args.string({
      hidden: true,
      ignoreStdin: true,
      description: 'Refused: keys are never taken from the command line.',
    }),
  };
  static override flags = {
    role: Flags.string({ description: 'Role of the key.', options: [...ROLES], required: true }),
    env: Flags.string({ description: 'Environment the key may use (repeatable); default: all.', multiple: true }),
    'from-env': Flags.string({
      description: 'Read the key from this environment variable.',
      helpValue: 'VAR',
      exclusive: ['from-stdin'],
    }),
    'from-stdin': Flags.boolean({
      description: 'Read the key from stdin (a hidden prompt on a terminal).',
      exclusive: ['from-env'],
      default: false,
    }),
    replace: Flags.boolean({
      description:
        "Revoke the other keys of this name (or change this key's role and environments) instead of refusing.",
      default: false,
    }),
  };

  async run(): Promise<ApiKeyInfo & Pick<ImportedKey, 'outcome' | 'replaced'>> {
    const { name } = this.args;
    if (this.args.key !== undefined) {
      throw new UsageError('keys are not taken from the command line (ps and shell history would keep them)', {
        hints: [
          `From a variable: stn key import ${name} --role ${this.flags.role} --from-env STATION_API_KEY`,
          `From stdin: stn key import ${name} --role ${this.flags.role} --from-stdin < key.txt`,
        ],
      });
    }
    const key = await this.readKey(name);
    const imported = this.api().keys.import({
      name,
      role: this.flags.role,
      environments: this.flags.env ?? [],
      key,
      replace: this.flags.replace,
    });
    const { info, outcome, replaced } = imported;
    this.warnUnknownEnvironments(info.environments);
    const bold = this.style.bold(info.name);
    const where = info.environments.join(', ').replace('*', 'all');
    if (outcome === 'unchanged') this.say(`Key ${bold} (${info.display}) is already stored as given: nothing changed.`);
    else if (outcome === 'updated')
      this.say(`Key ${bold} (${info.display}) now has role ${info.role} for environments: ${where}.`);
    else
      this.say(
        `Imported ${info.role} key ${bold} (${info.display}) for environments: ${where}; only its hash is stored.`,
      );
    if (replaced.length > 0)
      this.say(
        `Revoked the key${replaced.length === 1 ? '' : 's'} it replaces: ${replaced.map((k) => k.display).join(', ')}.`,
      );
    return { ...info, outcome, replaced };
  }

  /** The key from --from-env or --from-stdin, without surrounding whitespace (a Secret file's newline). */
  private async readKey(name: string): Promise<string> {
    const variable = this.flags['from-env'];
    if (variable !== undefined) {
      const value = process.env[variable];
      if (value === undefined || value.trim() === '') {
        throw new UsageError(
          `environment variable ${variable} is ${value === undefined ? 'not set' : 'empty'}: no key to import`,
          {
            hints: [`Set it to a key (make one with: ${KEY_RECIPE}), or use --from-stdin.`],
          },
        );
      }
      return value.trim();
    }
    if (!this.flags['from-stdin']) {
      throw new UsageError('say where the key comes from: --from-env VAR or --from-stdin', {
        hints: [`Example: stn key import ${name} --role ${this.flags.role} --from-env STATION_API_KEY`],
      });
    }
    const value = (
      await readSecretValue(name, undefined, {
        question: `Key for ${name} (not shown):`,
        example: `stn key import ${name} --role ${this.flags.role} --from-stdin < key.txt`,
      })
    ).trim();
    if (value === '') {
      throw new UsageError('stdin is empty: no key to import', {
        hints: [`Pipe a key in (make one with: ${KEY_RECIPE}).`],
      });
    }
    return value;
  }
}
