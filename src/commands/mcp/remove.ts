import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { ConfigEditResult } from '../../core/index.js';

export default class McpRemove extends BaseCommand<typeof McpRemove> {
  static override summary = 'Remove an MCP server from its config file, and its recorded tools.';
  static override description =
    'The file that defines the server is rewritten atomically. Agents that name its tools are reported by the next `stn sync`.';
  static override examples = [
    '<%= config.bin %> mcp remove github',
    '<%= config.bin %> mcp remove filesystem --env staging',
  ];
  static override args = {
    name: Args.string({ description: 'Server name.', required: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
  };

  async run(): Promise<ConfigEditResult & { environment: string }> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const result = api.mcp.remove(env, this.args.name);
    this.say(`Removed MCP server ${this.style.bold(result.name)} from ${env}/${result.file}`);
    return { environment: env, ...result };
  }
}
