import { BaseCommand } from '../../cli/base-command.js';
import type { RotateKeyResult } from '../../core/index.js';

export default class SecretRotateKey extends BaseCommand<typeof SecretRotateKey> {
  static override summary = 'Re-encrypt every secret (and an encrypted database) under a new encryption key.';
  static override description = `With the key file (keys/station.key): a new random key, every secret re-encrypted in one transaction (and an encrypted station.db re-keyed: stop other stn processes first), then the key file replaced; the old one is kept as keys/station.key.<time>.bak (mode 0600) until you remove it.
With STATION_ENCRYPTION_KEY: Station cannot change the variable, so it refuses unless the new key is given in STATION_NEW_ENCRYPTION_KEY (store it in your secret manager first); afterwards set STATION_ENCRYPTION_KEY to it.`;
  static override examples = [
    '<%= config.bin %> secret rotate-key',
    'STATION_NEW_ENCRYPTION_KEY="$(openssl rand -base64 32)" <%= config.bin %> secret rotate-key',
  ];

  async run(): Promise<RotateKeyResult> {
    const result = this.api().secrets.rotateKey();
    reportRotation(result, (line) => this.say(line));
    return result;
  }
}

/** What rotate-key (and db rekey) tell the user. */
export function reportRotation(result: RotateKeyResult, say: (line: string) => void): void {
  const n = `${String(result.secrets)} secret${result.secrets === 1 ? '' : 's'}`;
  const db = result.databaseEncrypted ? ' and the database' : '';
  if (result.source === 'file') {
    say(`Re-encrypted ${n}${db} under a new key in ${result.keyFile ?? ''}.`);
    say(`The old key is kept as ${result.backup ?? ''} (mode 0600); remove it once your backups no longer need it.`);
  } else {
    say(`Re-encrypted ${n}${db} under the key in STATION_NEW_ENCRYPTION_KEY.`);
    say('Set STATION_ENCRYPTION_KEY to that key now: the old key no longer opens the secrets.');
  }
}
