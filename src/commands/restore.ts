import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { startSpinner } from '../cli/spinner.js';
import { resolveStationHome, restoreBackup, RESTORE_ASIDE_DIR, type RestoreResult } from '../core/index.js';

export default class Restore extends BaseCommand<typeof Restore> {
  static override summary = 'Restore a backup made by stn backup into an empty home, or over this one with --force.';
  static override description = `Everything is checked before the home is touched: the archive's paths (nothing is written outside the home), its manifest (a backup from a newer schema than this stn knows is refused), the sha256 of every file, and the database (PRAGMA integrity_check, opened with the home's key; the secrets' key). Runs the backup caught queued or running are marked interrupted. An older backup's database is migrated.

The home must be empty (it may hold keys/: put the key there first when the backup's database or secrets are encrypted, or set STATION_ENCRYPTION_KEY). With --force a home that has a store or environments is restored over: its config.yaml, station.db, environments, bundle-trust.json and cache are moved to <home>/${RESTORE_ASIDE_DIR}/<time>/ first; keys/ stays. Stop every other stn using the home first.

A PostgreSQL backup (store/*.jsonl) is loaded, in one transaction, into the PostgreSQL store the restored config.yaml or STATION_DATABASE_URL names, which must be empty (a new database or schema).`;
  static override examples = [
    '<%= config.bin %> restore ~/backups/station-2026-12-07.tar.gz --home /srv/station',
    'STATION_HOME=/srv/station <%= config.bin %> restore station.tar.gz --force --json',
    'STATION_DATABASE_URL=postgres://station@db/station_new <%= config.bin %> restore pg-backup.tar.gz --home /srv/station',
  ];
  static override args = {
    file: Args.string({ description: 'A .tar.gz made by stn backup.', required: true }),
  };
  static override flags = {
    force: Flags.boolean({
      description: `Restore over a home that has a store or environments (kept in <home>/${RESTORE_ASIDE_DIR}/<time>/).`,
      default: false,
    }),
  };

  async run(): Promise<RestoreResult> {
    const home = resolveStationHome({ home: this.flags.home });
    const spinner = startSpinner(process.stderr, !this.jsonEnabled(), 'restoring');
    let result: RestoreResult;
    try {
      result = await restoreBackup(this.args.file, {
        home,
        env: process.env,
        force: this.flags.force,
        onProgress: (step) => spinner.update(step),
      });
    } finally {
      spinner.stop();
    }
    this.api().audit.restored(result.home, {
      file: result.file,
      createdAt: result.createdAt,
      interrupted: result.interrupted,
      aside: result.aside,
    });
    this.say(`Restored ${result.file} into ${result.home}.`);
    this.say(`  taken at     ${result.createdAt} by Station ${result.stationVersion}`);
    const migrated =
      result.restoredSchemaVersion === result.schemaVersion
        ? ''
        : ` (migrated to ${String(result.restoredSchemaVersion)})`;
    const engine = result.engine === 'postgres' ? 'PostgreSQL' : 'SQLite';
    this.say(`  store        ${engine}, schema version ${String(result.schemaVersion)}${migrated}`);
    this.say(`  files        ${String(result.files)}, checksums verified`);
    if (result.interrupted.length > 0) {
      this.say(
        `  interrupted  ${String(result.interrupted.length)} run(s) that were going on when the backup was taken: ${result.interrupted.join(', ')}`,
      );
    }
    if (result.aside !== null) this.say(`  kept aside   the previous state, in ${result.aside}`);
    return result;
  }
}
