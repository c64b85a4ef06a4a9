import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatTable } from '../../cli/output.js';
import type { ServerView } from '../../core/index.js';

export default class McpList extends BaseCommand<typeof McpList> {
  static override summary = 'List the MCP servers of an environment, with their state at the last sync.';
  static override description =
    'Servers come from the MCP config files (template.json and any *.json with mcpServers). Commands, arguments and URLs are shown as written, with {{ .NAME }} placeholders: values (which may be secrets) are never printed.';
  static override examples = ['<%= config.bin %> mcp list', '<%= config.bin %> mcp list --env staging --json'];
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
  };

  async run(): Promise<ServerView[]> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    this.warnMcpConfigTypos([env]);
    const servers = api.mcp.servers(env);
    if (servers.length === 0) {
      this.say(`No MCP servers in "${env}". Add one with: stn mcp add NAME --env ${env} -- COMMAND ARGS...`);
      return servers;
    }
    const s = this.style;
    this.say(() =>
      formatTable(
        servers,
        [
          { header: 'NAME', get: (x) => x.name },
          { header: 'TRANSPORT', get: (x) => x.transport },
          { header: 'TARGET', get: (x) => truncate(x.url ?? [x.command ?? '', ...x.args].join(' '), 60) },
          {
            header: 'STATUS',
            get: (x) =>
              x.disabled
                ? s.dim('disabled')
                : x.status === 'ready'
                  ? s.green('ready')
                  : x.status === 'failed'
                    ? s.red('failed')
                    : s.dim('not synced'),
          },
          { header: 'TOOLS', get: (x) => String(x.tools), align: 'right' },
          { header: 'SYNCED', get: (x) => formatAge(x.lastSyncedAt) },
          { header: 'FILE', get: (x) => x.file },
        ],
        s.bold,
      ),
    );
    for (const x of servers.filter((v) => v.status === 'failed' && v.lastError !== null)) {
      this.say(`${s.red('✗')} ${x.name}: ${x.lastError ?? ''}`);
    }
    return servers;
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
