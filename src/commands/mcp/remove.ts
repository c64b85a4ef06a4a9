import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { confirmRemoval } from '../../cli/confirm-removal.js';
import type { ConfigEditResult } from '../../core/index.js';

export default class McpRemove extends BaseCommand<typeof McpRemove> {
  static override summary = 'Remove an MCP server from its config file, and its recorded tools.';
  static override description =
    'The file that defines the server is rewritten atomically. Agents that name its tools are reported by the next `stn sync`. On a terminal it asks first; without one (scripts), pass --yes.';
  static override examples = [
    '<%= config.bin %> mcp remove github',
    '<%= config.bin %> mcp remove filesystem --env staging --yes',
  ];
  static override args = {
    name: Args.string({ description: 'Server name.', required: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Remove without asking (needed without a terminal).',
      default: false,
    }),
  };

  async run(): Promise<ConfigEditResult & { environment: string }> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const server = api.mcp.servers(env).find((s) => s.name === this.args.name);
    // An unknown server is not asked about: remove says it does not exist.
    if (server !== undefined) {
      await confirmRemoval(this.flags.yes, {
        verb: 'remove',
        what: `MCP server "${server.name}"`,
        consequence: `This takes it out of ${env}/${server.file} and forgets its ${String(server.tools)} recorded tool(s).`,
        command: `stn mcp remove "${server.name}" --env ${env} --yes`,
      });
    }
    const result = api.mcp.remove(env, this.args.name);
    this.say(`Removed MCP server ${this.style.bold(result.name)} from ${env}/${result.file}`);
    return { environment: env, ...result };
  }
}
