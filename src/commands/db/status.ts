import { BaseCommand } from '../../cli/base-command.js';
import type { StoreStatus } from '../../core/index.js';
import { describeStore } from '../../cli/store-lines.js';

export default class DbStatus extends BaseCommand<typeof DbStatus> {
  static override summary = 'Show which store this home uses, and its schema version.';
  static override description =
    'The store is station.db in the home (the default), or a PostgreSQL database (`store: {postgres: {url}}` in config.yaml, or STATION_DATABASE_URL) that several servers share. The URL is shown without its password.';
  static override examples = ['<%= config.bin %> db status', '<%= config.bin %> db status --json'];

  async run(): Promise<StoreStatus> {
    const status = this.api().store.status();
    this.say(describeStore(status));
    return status;
  }
}
