import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { serveStdio, type LogLevel } from '../core/index.js';

export default class Stdio extends BaseCommand<typeof Stdio> {
  static override summary = 'Serve Station as an MCP server on stdin/stdout (for editors and other agents).';
  static override description = `Stdout carries nothing but MCP JSON-RPC; logs are JSON lines on stderr (warnings and errors; --log-level info or debug for more).
Tools: list_environments, list_agents, list_tools, get_agent, create_agent, update_agent, delete_agent, run_agent, list_runs, get_run, cancel_run, sync_environment, and agent_<name> for each agent of --env. Resources: station://environments, station://environments/{environment}, station://agents/{environment}/{agent}, station://runs/{id}.`;
  static override examples = [
    '<%= config.bin %> stdio',
    '<%= config.bin %> stdio --env staging',
    '{"mcpServers": {"station": {"command": "stn", "args": ["stdio", "--env", "default"]}}}',
  ];
  // Stdout is the MCP channel: no --json output after the session.
  static override enableJsonFlag = false;
  // Editors show an MCP server's stderr: only what goes wrong, unless --log-level says otherwise.
  static override logLevelDefault: LogLevel = 'warn';
  static override flags = {
    env: Flags.string({
      description: 'Environment whose agents are offered as tools [default: config environment.default].',
    }),
  };

  async run(): Promise<void> {
    const engine = this.engine();
    const session = await serveStdio(engine, {
      environment: this.flags.env ?? engine.defaultEnvironment(),
      logLevel: this.diagnostics().settings.level,
      logFormat: this.diagnostics().settings.format,
    });
    const stop = (): void => void session.close();
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    await session.closed;
  }
}
