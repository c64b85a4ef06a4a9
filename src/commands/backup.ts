import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { formatBytes } from '../cli/output.js';
import { startSpinner } from '../cli/spinner.js';
import type { BackupResult } from '../core/index.js';

export default class Backup extends BaseCommand<typeof Backup> {
  static override summary =
    'Write an online, consistent backup of the home (store, config.yaml, environments) to FILE.';
  static override description = `FILE is a .tar.gz holding a copy of the store taken while runs go on (SQLite's online backup; an encrypted station.db stays encrypted; a PostgreSQL store is dumped as JSON lines per table from one snapshot), config.yaml, bundle-trust.json, the environments folder, and manifest.json (Station and schema version, time, engine, sha256 of every file). The archive is written to a temporary file and renamed, mode 0600.

The key (keys/station.key, or STATION_ENCRYPTION_KEY) is never in the archive: secrets in it stay encrypted, and an encrypted database cannot be read without the key. Keep the key apart from the backups (see the README, "Backup and restore"). Put it back with: stn restore FILE.`;
  static override examples = [
    '<%= config.bin %> backup ~/backups/station-$(date +%F).tar.gz',
    '<%= config.bin %> backup /srv/backups/station.tar.gz --force --json',
  ];
  static override args = {
    file: Args.string({ description: 'The .tar.gz to write.', required: true }),
  };
  static override flags = {
    force: Flags.boolean({ description: 'Replace FILE if it exists.', default: false }),
  };

  async run(): Promise<BackupResult> {
    const spinner = startSpinner(process.stderr, !this.jsonEnabled(), 'backing up');
    let result: BackupResult;
    try {
      result = await this.api().backup.create(this.args.file, {
        force: this.flags.force,
        onProgress: (step) => spinner.update(step),
      });
    } finally {
      spinner.stop();
    }
    const engine = result.engine === 'postgres' ? 'PostgreSQL' : result.encrypted ? 'SQLite (encrypted)' : 'SQLite';
    const rows = Object.values(result.tables).reduce((a, b) => a + b, 0);
    this.say(`Backed up to ${result.file} (${formatBytes(result.bytes)}).`);
    this.say(`  store        ${engine}, schema version ${String(result.schemaVersion)}, ${String(rows)} rows`);
    this.say(`  files        ${String(result.files)} (with sha256 in manifest.json)`);
    this.say(`  taken at     ${result.createdAt}`);
    this.warnOnce(result.warnings);
    this.say('The key is not in the archive: keep keys/station.key (or STATION_ENCRYPTION_KEY) apart from it.');
    return result;
  }
}
