import { BaseCommand } from '../../cli/base-command.js';
import { decryptDatabase, resolveStationHome, stationPaths, type DatabaseEncryptionResult } from '../../core/index.js';

export default class DbDecrypt extends BaseCommand<typeof DbDecrypt> {
  static override summary = 'Turn an encrypted station.db back into a plain SQLite file.';
  static override description =
    'Needs the key the database was encrypted with. Stop every other stn using the home first: the command refuses while another process has the database open. The secrets stay encrypted in the secret store either way.';
  static override examples = ['<%= config.bin %> db decrypt', '<%= config.bin %> db decrypt --json'];

  async run(): Promise<DatabaseEncryptionResult> {
    const paths = stationPaths(resolveStationHome({ home: this.flags.home }));
    const result = decryptDatabase(paths, process.env);
    this.say(`Decrypted ${result.file}: it is a plain SQLite file now.`);
    return result;
  }
}
