import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatDuration, formatTable } from '../../cli/output.js';
import { RUN_STATUSES, displayStatus, type RunSummary } from '../../core/index.js';

export default class RunsList extends BaseCommand<typeof RunsList> {
  static override summary = 'List recent agent runs, newest first.';
  static override examples = [
    '<%= config.bin %> runs list',
    '<%= config.bin %> runs list --agent hello --status failed --limit 5',
    '<%= config.bin %> runs list --status failed,timed_out,interrupted',
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
    limit: Flags.integer({ char: 'n', description: 'How many runs to show.', default: 20, min: 1 }),
  };

  async run(): Promise<RunSummary[]> {
    const runs = this.api().runs.list({
      agent: this.flags.agent,
      environment: this.flags.env,
      status: this.flags.status as RunSummary['status'][] | undefined,
      limit: this.flags.limit,
    });
    if (runs.length === 0) {
      this.say('No runs yet. Start one with: stn agent run NAME "request"');
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
    this.say(
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
    return runs;
  }
}
