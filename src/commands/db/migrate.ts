import { BaseCommand } from '../../cli/base-command.js';
import type { StoreStatus } from '../../core/index.js';
import { describeStore } from '../../cli/store-lines.js';

export default class DbMigrate extends BaseCommand<typeof DbMigrate> {
  static override summary = "Create or update the store's schema (SQLite or PostgreSQL).";
  static override description = `Opens the store the home is configured for (station.db, or the PostgreSQL database of \`store\` in config.yaml or STATION_DATABASE_URL) and applies every migration it lacks, each in its own transaction, then says which. Every stn command does this when it opens the store; run it on its own before starting several servers on a new PostgreSQL database, or after an upgrade. A store made by a newer stn is refused (exit 7).`;
  static override examples = [
    '<%= config.bin %> db migrate',
    'STATION_DATABASE_URL=postgres://station@db:5432/station <%= config.bin %> db migrate --json',
  ];

  async run(): Promise<StoreStatus> {
    const status = this.api().store.status();
    this.say(describeStore(status));
    this.say(
      status.appliedNow.length === 0
        ? 'Up to date: no migration to apply.'
        : `Applied migration(s) ${status.appliedNow.join(', ')}.`,
    );
    return status;
  }
}
