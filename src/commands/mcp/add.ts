import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { UsageError, parseAssignments, type ConfigEditResult } from '../../core/index.js';

export default class McpAdd extends BaseCommand<typeof McpAdd> {
  static override summary = "Add an MCP server to an environment's template.json (a command after --, or --url).";
  static override description = `A stdio server is the command and its arguments after "--"; an HTTP server is --url (streamable HTTP, falling back to SSE; --sse for SSE only). Values may use {{ .NAME }} placeholders, filled from variables.yml at sync: keep secrets there, not in the config.
The config file is rewritten atomically and only if the result is valid. Run \`stn sync\` afterwards to start the server and record its tools.`;
  static override examples = [
    '<%= config.bin %> mcp add filesystem -- npx -y @modelcontextprotocol/server-filesystem "{{ .PROJECT_ROOT }}"',
    '<%= config.bin %> mcp add github --url https://api.githubcopilot.com/mcp/ --header "Authorization: Bearer {{ .GITHUB_TOKEN }}"',
    '<%= config.bin %> mcp add tools --env staging --env-var LOG_LEVEL=debug --timeout-ms 60000 -- node /srv/tools/server.js',
  ];
  static override strict = false;
  static override args = {
    name: Args.string({
      description: "Server name: letters, digits, '_', '-', '.'; tools are named NAME__TOOL.",
      required: true,
    }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
    url: Flags.string({ description: 'URL of an HTTP MCP server.' }),
    header: Flags.string({ description: 'HTTP header, "Name: value" (repeatable).', multiple: true }),
    sse: Flags.boolean({ description: 'The server only speaks the old HTTP+SSE transport.', default: false }),
    'env-var': Flags.string({
      description: 'Environment variable for a stdio server, NAME=VALUE (repeatable).',
      multiple: true,
    }),
    cwd: Flags.string({ description: 'Working folder of a stdio server (relative to the environment folder).' }),
    'timeout-ms': Flags.integer({
      description: 'Connect timeout in milliseconds (start, initialize, list tools).',
      min: 1,
    }),
    file: Flags.string({ description: 'Config file in the environment folder.', default: 'template.json' }),
    force: Flags.boolean({ description: 'Replace a server of the same name.', default: false }),
  };

  async run(): Promise<ConfigEditResult & { environment: string }> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const sep = this.argv.indexOf('--');
    const command = sep >= 0 ? this.argv.slice(sep + 1) : [];
    if (sep >= 0 && !this.argv.slice(0, sep).includes(this.args.name)) {
      throw new UsageError('give the server NAME before "--"', {
        hints: ['Example: stn mcp add files -- npx -y @modelcontextprotocol/server-filesystem /srv'],
      });
    }
    if (this.flags.url === undefined && command.length === 0) {
      throw new UsageError('give the command after "--" (a stdio server) or --url (an HTTP server)', {
        hints: ['Example: stn mcp add files -- npx -y @modelcontextprotocol/server-filesystem /srv'],
      });
    }
    if (this.flags.url !== undefined && command.length > 0)
      throw new UsageError('give either a command after "--" or --url, not both');
    const [cmd, ...args] = command;
    const result = api.mcp.add(env, {
      name: this.args.name,
      file: this.flags.file,
      replace: this.flags.force,
      ...(cmd === undefined
        ? {}
        : { command: cmd, args, env: parseAssignments(this.flags['env-var'] ?? [], '--env-var') }),
      ...(this.flags.cwd === undefined ? {} : { cwd: this.flags.cwd }),
      ...(this.flags.url === undefined
        ? {}
        : {
            url: this.flags.url,
            headers: parseAssignments(this.flags.header ?? [], '--header', ':'),
            transport: this.flags.sse ? 'sse' : 'http',
          }),
      ...(this.flags['timeout-ms'] === undefined ? {} : { timeoutMs: this.flags['timeout-ms'] }),
    });
    this.say(
      `${result.replaced ? 'Replaced' : 'Added'} MCP server ${this.style.bold(result.name)} in ${env}/${result.file}`,
    );
    this.say(`Next: stn sync ${env}   (starts it and records its tools)`);
    return { environment: env, ...result };
  }
}
