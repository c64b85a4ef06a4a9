import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatDuration, formatTable } from '../../cli/output.js';
import { startSpinner } from '../../cli/spinner.js';
import { McpError, parseAssignments, type CheckReport, type PoolEvent } from '../../core/index.js';

export default class McpCheck extends BaseCommand<typeof McpCheck> {
  static override summary = 'Preflight the MCP servers of an environment: start, initialize, list tools, ping.';
  static override description =
    "Starts every server (or one with --server) at once and reports each one's start time, ping time, tools, and the tail of its stderr when it fails. Records nothing; the servers are stopped afterwards. Exits non-zero when a server fails.";
  static override examples = [
    '<%= config.bin %> mcp check',
    '<%= config.bin %> mcp check --env staging --server github',
    '<%= config.bin %> mcp check --json | jq ".servers[] | {name, status, pingMs}"',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
    server: Flags.string({ char: 's', description: 'Check only this server.' }),
    var: Flags.string({ description: 'A template variable, NAME=VALUE (repeatable).', multiple: true }),
  };

  async run(): Promise<CheckReport> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    this.warnMcpConfigTypos([env]);
    const spinner = startSpinner(process.stdout, !this.jsonEnabled(), `${env}: starting servers`);
    let done = 0;
    const onEvent = (e: PoolEvent): void => {
      if (e.type === 'server-ready' || e.type === 'server-failed')
        spinner.update(`${env}: ${String(++done)} servers answered`);
    };
    let report: CheckReport;
    try {
      report = await api.mcp.check(env, {
        overrides: parseAssignments(this.flags.var ?? [], '--var'),
        onEvent,
        ...(this.flags.server === undefined ? {} : { server: this.flags.server }),
      });
    } finally {
      spinner.stop();
    }
    const s = this.style;
    if (report.servers.length === 0) this.say(`No MCP servers in "${env}".`);
    else {
      this.say(() =>
        formatTable(
          report.servers,
          [
            { header: 'SERVER', get: (x) => x.name },
            { header: 'TRANSPORT', get: (x) => x.transport },
            {
              header: 'STATUS',
              get: (x) =>
                x.status === 'ok' ? s.green('ok') : x.status === 'failed' ? s.red('failed') : s.dim('disabled'),
            },
            {
              header: 'START',
              get: (x) => (x.status === 'disabled' ? '-' : formatDuration(x.startMs)),
              align: 'right',
            },
            { header: 'PING', get: (x) => (x.pingMs === null ? '-' : `${x.pingMs.toFixed(1)}ms`), align: 'right' },
            { header: 'TOOLS', get: (x) => String(x.tools.length), align: 'right' },
            {
              header: 'SERVER INFO',
              get: (x) => (x.serverInfo === undefined ? '' : `${x.serverInfo.name} ${x.serverInfo.version}`),
            },
          ],
          s.bold,
        ),
      );
    }
    for (const x of report.servers.filter((v) => v.status === 'failed')) {
      this.say('');
      this.say(`${s.red('✗')} ${x.name}: ${x.error ?? 'failed'}`);
      if (x.stderrTail !== '') {
        this.say('  stderr (last lines):');
        for (const line of x.stderrTail.split('\n').slice(-15)) this.say(`  │ ${line}`);
      }
    }
    if (!report.ok) {
      const failed = report.servers.filter((v) => v.status === 'failed').map((v) => v.name);
      throw new McpError(
        `${String(failed.length)} MCP server${failed.length === 1 ? '' : 's'} of "${env}" failed: ${failed.join(', ')}`,
        {
          code: 'check_failed',
          details: { report },
          hints: [
            'Run the command by hand to see it fail, fix the config (stn mcp list), or raise "timeout_ms" for slow starters.',
          ],
        },
      );
    }
    return report;
  }
}
