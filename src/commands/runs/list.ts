import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatDuration, formatTable } from '../../cli/output.js';
import { RUN_STATUSES, RUN_TRIGGERS, displayStatus, parseSince, type RunSummary } from '../../core/index.js';

export default class RunsList extends BaseCommand<typeof RunsList> {
  static override summary = 'List recent agent runs, newest first.';
  static override description =
    'Pages with --before (the last id shown); --trigger keeps runs started by hand (manual: CLI, TUI), over REST (api), over MCP (mcp), by the scheduler (schedule) or imported from the original Station (import); --since keeps runs created in the last 30m, 1h, 2d, 1w or since a date (2026-11-28 or 2026-11-28T10:00, local time). An --env or --agent that neither exists nor has runs is an error (exit 3) naming the close ones; an agent deleted since its runs still lists them.';
  static override examples = [
    '<%= config.bin %> runs list',
    '<%= config.bin %> runs list --agent hello --status failed --limit 5',
    '<%= config.bin %> runs list --status failed,timed_out,interrupted',
    '<%= config.bin %> runs list --since 1h',
    '<%= config.bin %> runs list --trigger schedule --agent nightly-scan',
    '<%= config.bin %> runs list --limit 20 --before 120',
    '<%= config.bin %> runs list --json | jq -r ".[] | select(.status == \\"running\\") | .id"',
  ];
  static override flags = {
    agent: Flags.string({ char: 'a', description: 'Only runs of this agent.' }),
    env: Flags.string({ char: 'e', description: 'Only runs in this environment.' }),
    status: Flags.string({
      char: 's',
      description: 'Only runs with this status (repeat or separate with commas for any of several).',
      options: [...RUN_STATUSES],
      multiple: true,
      delimiter: ',',
    }),
    trigger: Flags.string({
      description: `Only runs started this way (repeat or separate with commas): ${RUN_TRIGGERS.join(', ')}.`,
      options: [...RUN_TRIGGERS],
      multiple: true,
      delimiter: ',',
    }),
    limit: Flags.integer({ char: 'n', description: 'How many runs to show.', default: 20, min: 1 }),
    before: Flags.integer({ description: 'Only runs older than this run id (the next page).', min: 1 }),
    since: Flags.string({
      description: 'Only runs created since: an age (30m, 1h, 2d, 1w) or a date (2026-11-28T10:00).',
    }),
  };

  async run(): Promise<RunSummary[]> {
    const since = this.flags.since === undefined ? undefined : parseSince(this.flags.since);
    const api = this.api();
    const runs = api.runs.list({
      agent: this.flags.agent,
      environment: this.flags.env,
      status: this.flags.status as RunSummary['status'][] | undefined,
      trigger: this.flags.trigger,
      before: this.flags.before,
      since,
      limit: this.flags.limit,
    });
    if (runs.length === 0) {
      // No run: tell a mistyped --env or --agent from a name with no runs (yet, or in this window).
      api.runs.checkNames({ environment: this.flags.env, agent: this.flags.agent });
      const filtered = [
        this.flags.agent,
        this.flags.env,
        this.flags.status,
        this.flags.trigger,
        this.flags.before,
        since,
      ].some((f) => f !== undefined);
      this.say(filtered ? 'No runs match.' : 'No runs yet. Start one with: stn agent run NAME "request"');
      return runs;
    }
    const s = this.style;
    const colour = (status: string): string =>
      status === 'completed'
        ? s.green(status)
        : status === 'running' || status === 'queued'
          ? s.cyan(status)
          : status === 'max_steps' || status === 'cancelled'
            ? s.yellow(status)
            : s.red(status);
    this.say(() =>
      formatTable(
        runs,
        [
          { header: 'ID', get: (r) => String(r.id), align: 'right' },
          { header: 'AGENT', get: (r) => r.agent },
          { header: 'ENV', get: (r) => r.environment },
          { header: 'STATUS', get: (r) => colour(displayStatus(r)) },
          { header: 'STOP', get: (r) => r.stopReason ?? '-' },
          { header: 'STEPS', get: (r) => String(r.steps), align: 'right' },
          { header: 'TOOLS', get: (r) => String(r.toolCalls), align: 'right' },
          { header: 'TOKENS', get: (r) => String(r.tokens.total), align: 'right' },
          { header: 'TIME', get: (r) => (r.durationMs === null ? '-' : formatDuration(r.durationMs)), align: 'right' },
          { header: 'STARTED', get: (r) => formatAge(r.startedAt ?? r.createdAt) },
        ],
        s.bold,
      ),
    );
    const last = runs.at(-1);
    if (runs.length === this.flags.limit && last !== undefined && last.id > 1) {
      this.say(s.dim(`Older: stn runs list --before ${String(last.id)}`));
    }
    return runs;
  }
}
