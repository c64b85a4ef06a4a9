import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { ScheduleView } from '../../core/index.js';

/** Prints one schedule as label/value rows (show, pause, resume). */
export function describeSchedule(say: (line: string) => void, v: ScheduleView): void {
  const row = (label: string, value: string): void => say(`  ${label.padEnd(11)} ${value}`);
  say(`${v.agent} · ${v.environment}`);
  row('cron', `${v.cron}${v.timezone === null ? ' (local time)' : ` (${v.timezone})`}`);
  row(
    'state',
    v.paused ? `paused by ${v.pausedBy ?? '?'} at ${v.pausedAt ?? '?'}` : v.enabled ? 'active' : 'disabled in the file',
  );
  row('policies', `overlap ${v.overlap} · catch_up ${v.catchUp}`);
  row('variables', JSON.stringify(v.variables));
  row('next', v.next.length === 0 ? '-' : v.next.join(', '));
  row('last fire', v.lastFireAt === null ? '-' : `${v.lastFireAt} (${v.lastOutcome ?? '?'})`);
  row('last run', v.lastRunId === null ? '-' : `${String(v.lastRunId)} ${v.lastStatus ?? ''}`.trim());
  if (v.lastError !== null) row('last error', v.lastError);
}

export const scheduleArgs = {
  name: Args.string({ description: 'Agent name.', required: true, ignoreStdin: true }),
};
export const scheduleFlags = {
  env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
};

export default class ScheduleShow extends BaseCommand<typeof ScheduleShow> {
  static override summary = "Show one agent's schedule: next three fires, last fire and its run, paused or not.";
  static override examples = [
    '<%= config.bin %> schedule show nightly-scan',
    '<%= config.bin %> schedule show nightly-scan --json',
  ];
  static override args = scheduleArgs;
  static override flags = scheduleFlags;

  async run(): Promise<ScheduleView> {
    const env = this.flags.env ?? this.engine().defaultEnvironment();
    const view = this.api().schedules.show(env, this.args.name);
    describeSchedule((l) => this.say(l), view);
    return view;
  }
}
