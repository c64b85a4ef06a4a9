import { Args, Flags } from '@oclif/core';
import { BaseCommand, type ErrorRecord } from '../cli/base-command.js';
import { formatDuration, formatTable } from '../cli/output.js';
import { Prompt } from '../cli/prompt.js';
import { startSpinner } from '../cli/spinner.js';
import { askVariables } from '../cli/variable-questions.js';
import {
  UsageError,
  parseAssignments,
  syncFailure,
  type MissingVariable,
  type ServerReview,
  type SyncEnvironmentReport,
  type SyncEvent,
  type SyncReport,
} from '../core/index.js';

/** `stn sync --json`: the report, ok or not, with the error that made the command fail (null when it did not). */
export type SyncJson = SyncReport & { error: ErrorRecord | null };

export default class Sync extends BaseCommand<typeof Sync> {
  static override summary =
    "Start an environment's MCP servers, record their tools, index agents and check their tools.";
  static override description = `Renders the MCP configs ({{ .NAME }} from --var, else the process environment, else the secret store, else variables.yml, else the default of variables.schema.json; a default that is a path (/x, ~/x, ./x, ../x) and does not exist is never used), starts every server at once, records servers and tools (removing those no longer configured), indexes the agents and checks that every tool they name exists.

Prints each server's status, tool count and start time, then what changed since the last sync. Exits non-zero when a server fails or an agent names a missing or ambiguous tool (--allow-missing makes the latter warnings). On a terminal, missing variables are asked for: secret-looking ones are stored in the secret store (encrypted), the others saved to variables.yml (mode 0600); otherwise they are listed and the command fails. With --save, the --var values are saved the same way (not in a dry run), so later commands do without them.`;
  static override examples = [
    '<%= config.bin %> sync',
    '<%= config.bin %> sync staging --dry-run',
    '<%= config.bin %> sync --all --json',
    '<%= config.bin %> sync prod --var GITHUB_TOKEN=$GITHUB_TOKEN --allow-missing',
    '<%= config.bin %> sync prod --var PROJECT_ROOT=/srv/app --save',
    '<%= config.bin %> sync ops --yes',
  ];
  static override args = {
    env: Args.string({ description: 'Environment to sync [default: the configured default].', required: false }),
  };
  static override flags = {
    all: Flags.boolean({ description: 'Sync every environment.', default: false }),
    'dry-run': Flags.boolean({
      description: 'Start the servers and show what would change; write nothing.',
      default: false,
    }),
    'allow-missing': Flags.boolean({
      description: 'Agents naming tools that do not exist are warnings, not errors.',
      default: false,
    }),
    var: Flags.string({
      description: 'A template variable, NAME=VALUE (repeatable; wins over variables.yml and the environment).',
      multiple: true,
    }),
    save: Flags.boolean({
      description:
        'Save the --var values once they render the configs, as answers to its questions are: secret-looking ones to the secret store, the others to variables.yml.',
      default: false,
    }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Approve MCP servers that changed since a bundle install approved them, without asking.',
      default: false,
    }),
    // The original Station's flags, kept as hidden aliases (a hint names Station's way).
    interactive: Flags.boolean({
      char: 'i',
      hidden: true,
      description: 'The original asked for variables only with -i; Station asks on any terminal.',
      default: false,
    }),
    validate: Flags.boolean({ hidden: true, description: "The original's --dry-run.", default: false }),
  };

  async run(): Promise<SyncJson> {
    if (this.flags.interactive)
      this.hintOriginal('`stn sync --interactive`', '`stn sync` on a terminal (it asks for missing variables)');
    if (this.flags.validate) {
      this.hintOriginal('`stn sync --validate`', '`stn sync --dry-run`');
      this.flags = { ...this.flags, 'dry-run': true };
    }
    const engine = this.engine();
    const api = this.api();
    if (this.flags.all && this.args.env !== undefined) throw new UsageError('give an environment or --all, not both');
    if (this.flags.save && (this.flags.var ?? []).length === 0)
      throw new UsageError('--save saves the values given with --var: give at least one', {
        hints: ['Example: stn sync --var PROJECT_ROOT=/srv/app --save'],
      });
    const environments = this.flags.all ? api.mcp.allEnvironments() : [this.args.env ?? engine.defaultEnvironment()];
    this.warnMcpConfigTypos(environments);
    const prompt = new Prompt();
    const spinner = startSpinner(process.stdout, !this.jsonEnabled());
    const counts = new Map<string, { total: number; ready: number; failed: number }>();
    const onEvent = (event: SyncEvent): void => {
      if (event.type === 'environment-start')
        counts.set(event.environment, { total: event.servers, ready: 0, failed: 0 });
      const c = counts.get(event.environment);
      if (c === undefined) return;
      if (event.type === 'server-ready') c.ready++;
      if (event.type === 'server-failed') c.failed++;
      spinner.update(
        `${event.environment}: ${String(c.ready + c.failed)}/${String(c.total)} servers started${c.failed > 0 ? `, ${String(c.failed)} failed` : ''}`,
      );
    };
    let report: SyncReport;
    try {
      report = await api.mcp.sync({
        environments,
        dryRun: this.flags['dry-run'],
        allowMissing: this.flags['allow-missing'],
        overrides: parseAssignments(this.flags.var ?? [], '--var'),
        saveOverrides: this.flags.save,
        onEvent,
        approved: this.flags.yes,
        ...(prompt.interactive
          ? {
              approveServers: async (env: string, servers: readonly ServerReview[]) => {
                spinner.stop();
                prompt.write(
                  `The MCP servers of "${env}" changed since they were approved. They would now start:\n` +
                    servers
                      .map(
                        (x) =>
                          `  ${x.name}: ${x.url ?? [x.command ?? '', ...(x.args ?? [])].join(' ')}${(x.envKeys ?? []).length > 0 ? ` (env: ${(x.envKeys ?? []).join(', ')})` : ''}`,
                      )
                      .join('\n') +
                    '\n',
                );
                try {
                  return await prompt.confirm('Approve and start them?', { default: false });
                } finally {
                  prompt.close();
                }
              },
              askVariables: async (env: string, missing: readonly MissingVariable[]) => {
                spinner.stop();
                try {
                  return await askVariables(prompt, env, missing);
                } finally {
                  prompt.close();
                }
              },
            }
          : {}),
      });
    } finally {
      spinner.stop();
    }
    for (const env of report.environments) this.printEnvironment(env);
    const failure = syncFailure(report);
    if (failure === undefined) return { ...report, error: null };
    if (!this.jsonEnabled()) throw failure;
    // --json: the same report on failure as on success, with ok: false and the error; the exit code still says.
    // (The error's details would repeat the report: left out.)
    const { details: _details, ...error } = this.errorRecord(failure);
    process.exitCode = error.exitCode;
    return { ...report, ok: false, error };
  }

  /** With --json, a sync refused before any server started still prints the report's shape (no environments). */
  protected override toErrorJson(error: unknown): SyncJson {
    const flags = this.flags as typeof this.flags | undefined; // unset when the arguments did not parse
    return { dryRun: flags?.['dry-run'] === true, ok: false, environments: [], error: this.errorRecord(error) };
  }

  private printEnvironment(r: SyncEnvironmentReport): void {
    const s = this.style;
    const tools = r.servers.reduce((n, x) => n + x.tools, 0);
    this.say(
      `${s.bold(r.environment)}  ${String(r.servers.length)} server${r.servers.length === 1 ? '' : 's'}, ${String(tools)} tools, ${formatDuration(r.durationMs)}`,
    );
    if (r.servers.length === 0) {
      this.say(
        '  No MCP servers configured. Add one with: stn mcp add NAME --env ' + r.environment + ' -- COMMAND ARGS...',
      );
    } else {
      const table = formatTable(
        r.servers,
        [
          { header: 'SERVER', get: (x) => x.name },
          { header: 'TRANSPORT', get: (x) => x.transport },
          {
            header: 'STATUS',
            get: (x) =>
              x.status === 'ready' ? s.green('ready') : x.status === 'failed' ? s.red('failed') : s.dim('disabled'),
          },
          { header: 'TOOLS', get: (x) => String(x.tools), align: 'right' },
          { header: 'TIME', get: (x) => (x.status === 'disabled' ? '-' : formatDuration(x.ms)), align: 'right' },
          { header: 'CONFIG', get: (x) => `${x.file}${x.change === 'unchanged' ? '' : ` (${x.change})`}` },
        ],
        s.bold,
      );
      this.say(indent(table, 2));
      for (const x of r.servers.filter((v) => v.status === 'failed')) {
        this.say(`  ${s.red('✗')} ${x.name}: ${x.error ?? 'failed'}`);
        if (x.stderrTail !== undefined) this.say(indent(lastLines(x.stderrTail, 10), 6, '│ '));
      }
    }
    const p = r.plan;
    const changes = [
      ...p.serversAdded.map((n) => `+ server ${n}`),
      ...p.serversRemoved.map((n) => `- server ${n}`),
      ...p.serversChanged.map((n) => `~ server ${n} (config changed)`),
      ...p.toolsAdded.map((n) => `+ ${n}`),
      ...p.toolsRemoved.map((n) => `- ${n}`),
      ...p.toolsChanged.map((n) => `~ ${n}`),
    ];
    const verb = r.dryRun ? 'Would change' : 'Changes';
    if (changes.length === 0) this.say(`  ${verb}: none since the last sync`);
    else {
      this.say(
        `  ${verb}: servers +${String(p.serversAdded.length)} -${String(p.serversRemoved.length)} ~${String(p.serversChanged.length)}, ` +
          `tools +${String(p.toolsAdded.length)} -${String(p.toolsRemoved.length)} ~${String(p.toolsChanged.length)}`,
      );
      const shown = changes.slice(0, 30);
      for (const line of shown) this.say(`    ${line}`);
      if (changes.length > shown.length)
        this.say(s.dim(`    ... and ${String(changes.length - shown.length)} more (see --json)`));
    }
    const checks = r.agents.checks;
    if (r.agents.indexed !== null) {
      const i = r.agents.indexed;
      this.say(
        `  Agents: ${String(i.added.length)} added, ${String(i.updated.length)} updated, ${String(i.removed.length)} removed` +
          (i.errors.length > 0
            ? `, ${String(i.errors.length)} file${i.errors.length === 1 ? '' : 's'} not readable`
            : ''),
      );
      for (const e of i.errors) this.say(`    ${s.yellow('!')} ${e.file}: ${e.message}`);
    }
    if (checks.length > 0) {
      const bad = checks.filter((c) => c.status === 'missing' || c.status === 'ambiguous');
      const ambiguous = bad.filter((c) => c.status === 'ambiguous').length;
      const unavailable = checks.filter((c) => c.status === 'unavailable');
      this.say(
        `  Agent tools: ${String(checks.length - bad.length - unavailable.length)} ok` +
          (bad.length - ambiguous > 0 ? `, ${String(bad.length - ambiguous)} not found` : '') +
          (ambiguous > 0 ? `, ${String(ambiguous)} ambiguous` : '') +
          (unavailable.length > 0 ? `, ${String(unavailable.length)} on failed servers` : ''),
      );
      for (const c of bad) {
        const why = c.status === 'missing' ? 'no server provides it' : `ambiguous: ${(c.choices ?? []).join(', ')}`;
        this.say(`    ${s.red('✗')} "${c.agent}" uses ${c.tool}: ${why}`);
      }
    }
    // Typos in template.json were printed on stderr before the servers started.
    for (const w of r.warnings.filter((x) => !this.alreadyWarned(x))) this.say(`  ${s.yellow('warning:')} ${w}`);
    if (r.variablesSaved.length > 0) this.say(`  Saved ${r.variablesSaved.join(', ')} to variables.yml (mode 0600).`);
    if (r.secretsStored.length > 0)
      this.say(`  Stored ${r.secretsStored.join(', ')} in the secret store (encrypted; see stn secret list).`);
    if (r.dryRun) this.say(s.dim('  Dry run: nothing was written.'));
    this.say('');
  }
}

function indent(text: string, n: number, prefix = ''): string {
  return text
    .split('\n')
    .map((l) => ' '.repeat(n) + prefix + l)
    .join('\n');
}

function lastLines(text: string, n: number): string {
  return text.split('\n').slice(-n).join('\n');
}
