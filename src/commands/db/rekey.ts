import { BaseCommand } from '../../cli/base-command.js';
import type { RotateKeyResult } from '../../core/index.js';
import { reportRotation } from '../secret/rotate-key.js';

export default class DbRekey extends BaseCommand<typeof DbRekey> {
  static override summary = 'A new encryption key for the database and the secrets (same as stn secret rotate-key).';
  static override description = `The home has one key: re-keying the database re-encrypts the secrets too, as \`stn secret rotate-key\` does (the old key file is kept as keys/station.key.<time>.bak). With STATION_ENCRYPTION_KEY, give the new key in STATION_NEW_ENCRYPTION_KEY.
Stop every other stn using the home first: the command refuses while another process has the database open.`;
  static override examples = [
    '<%= config.bin %> db rekey',
    'STATION_NEW_ENCRYPTION_KEY="$(openssl rand -base64 32)" <%= config.bin %> db rekey --json',
  ];

  async run(): Promise<RotateKeyResult> {
    const result = this.api().secrets.rotateKey();
    reportRotation(result, (line) => this.say(line));
    return result;
  }
}
