import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatTable } from '../../cli/output.js';
import type { EnvironmentSummary } from '../../core/index.js';

export default class EnvList extends BaseCommand<typeof EnvList> {
  static override summary = 'List environments with their agent, server and tool counts.';
  static override description = 'Servers and tools are counted from the last `stn sync`.';
  static override examples = ['<%= config.bin %> env list', '<%= config.bin %> env list --json | jq -r ".[].name"'];

  async run(): Promise<EnvironmentSummary[]> {
    const engine = this.engine();
    const api = this.api();
    const list = api.environments.list();
    const current = engine.defaultEnvironment();
    if (list.length === 0) {
      this.say('No environments. Create one with: stn env create NAME (or run stn init).');
      return list;
    }
    this.say(() =>
      formatTable(
        list,
        [
          { header: 'NAME', get: (e) => (e.name === current ? `${e.name} *` : e.name) },
          { header: 'AGENTS', get: (e) => String(e.agents), align: 'right' },
          { header: 'SERVERS', get: (e) => String(e.servers), align: 'right' },
          { header: 'TOOLS', get: (e) => String(e.tools), align: 'right' },
          { header: 'SYNCED', get: (e) => formatAge(e.lastSyncedAt) },
        ],
        this.style.bold,
      ),
    );
    return list;
  }
}
