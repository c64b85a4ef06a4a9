import { BaseCommand } from '../../cli/base-command.js';
import { encryptDatabase, resolveStationHome, stationPaths, type DatabaseEncryptionResult } from '../../core/index.js';

export default class DbEncrypt extends BaseCommand<typeof DbEncrypt> {
  static override summary = 'Encrypt station.db at rest with the home key (SQLCipher 4).';
  static override description = `Uses the key the secrets use: STATION_ENCRYPTION_KEY, else keys/station.key (made now if the home has none). Stop every other stn using the home first (stn serve, stn ui, running agents): the command refuses while another process has the database open.
The file is encrypted in one transaction, checked with the key, and a copy is kept beside it until then: a failure puts the old file back. Afterwards every stn needs the key to open the home; keep a copy of it apart from backups of the database.`;
  static override examples = [
    '<%= config.bin %> db encrypt',
    'STATION_ENCRYPTION_KEY="$(cat /run/secrets/station-key)" <%= config.bin %> db encrypt --json',
  ];

  async run(): Promise<DatabaseEncryptionResult> {
    const paths = stationPaths(resolveStationHome({ home: this.flags.home }));
    const result = encryptDatabase(paths, process.env);
    if (result.keyFileCreated !== undefined) this.say(`Made the key file ${result.keyFileCreated} (mode 0600).`);
    this.say(`Encrypted ${result.file} with the key from ${keySourceText(result)}.`);
    this.say('Every stn now needs that key to open this home: keep a copy of it apart from database backups.');
    return result;
  }
}

export function keySourceText(result: DatabaseEncryptionResult): string {
  return result.keySource === 'env' ? 'STATION_ENCRYPTION_KEY' : 'keys/station.key';
}
