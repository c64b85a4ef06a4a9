import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/output.js';
import type { McpToolSummary } from '../../core/index.js';

export default class McpTools extends BaseCommand<typeof McpTools> {
  static override summary = 'List the tools of an environment recorded by the last sync.';
  static override description =
    'Each tool is known as SERVER__TOOL; agent files may also write __TOOL when only one server has it. Run `stn sync` to refresh.';
  static override examples = [
    '<%= config.bin %> mcp tools',
    '<%= config.bin %> mcp tools --server filesystem',
    '<%= config.bin %> mcp tools --name read --json | jq -r ".[].qualifiedName"',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
    server: Flags.string({ char: 's', description: 'Only the tools of this server.' }),
    name: Flags.string({ char: 'n', description: 'Only tools whose name contains this text (case-insensitive).' }),
  };

  async run(): Promise<McpToolSummary[]> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const tools = api.mcp.tools(env, {
      ...(this.flags.server === undefined ? {} : { server: this.flags.server }),
      ...(this.flags.name === undefined ? {} : { name: this.flags.name }),
    });
    if (tools.length === 0) {
      const filtered = this.flags.server !== undefined || this.flags.name !== undefined;
      this.say(filtered ? 'No tools match.' : `No tools recorded for "${env}". Run: stn sync ${env}`);
      return tools;
    }
    this.say(() =>
      formatTable(
        tools,
        [
          { header: 'TOOL', get: (t) => t.qualifiedName },
          { header: 'DESCRIPTION', get: (t) => firstLine(t.description, 80) },
        ],
        this.style.bold,
      ),
    );
    return tools;
  }
}

function firstLine(text: string, max: number): string {
  const line = text.split('\n')[0]?.trim() ?? '';
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
