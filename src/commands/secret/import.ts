import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { SecretImportResult } from '../../core/index.js';

export default class SecretImport extends BaseCommand<typeof SecretImport> {
  static override summary = "Move the secret-looking values of an environment's variables.yml into the secret store.";
  static override description = `Secret-looking means what masking uses: variables.schema.json's "secret": true|false, else a name like *TOKEN, *KEY, *SECRET, *PASSWORD, or a use in a header or a secret-named env key. They are stored for the environment, then variables.yml is rewritten without them (atomically, mode 0600, comments kept).`;
  static override examples = [
    '<%= config.bin %> secret import --env default',
    '<%= config.bin %> secret import --env prod --json',
  ];
  static override flags = {
    env: Flags.string({ description: 'The environment whose variables.yml to read.', required: true }),
  };

  async run(): Promise<SecretImportResult> {
    const result = this.api().secrets.importVariables(this.flags.env);
    if (result.imported.length === 0) {
      this.say(`Nothing to import: ${result.file} holds no secret-looking values.`);
      return result;
    }
    this.say(`Moved ${result.imported.join(', ')} into the secret store (environment ${result.environment}).`);
    this.say(
      `Rewrote ${result.file} without them${result.kept.length > 0 ? ` (kept ${result.kept.join(', ')})` : ''}.`,
    );
    return result;
  }
}
