import { BaseCommand } from '../../cli/base-command.js';
import { scheduleArgs, scheduleFlags } from './show.js';

export default class ScheduleRun extends BaseCommand<typeof ScheduleRun> {
  static override summary = "Run a scheduled agent now, with its schedule's variables, and wait for the run to end.";
  static override description = 'Follow it from another terminal with `stn runs show ID --follow`.';
  static override examples = [
    '<%= config.bin %> schedule run nightly-scan',
    '<%= config.bin %> schedule run nightly-scan --json',
  ];
  static override args = scheduleArgs;
  static override flags = scheduleFlags;

  async run(): Promise<{ runId: number; status: string }> {
    const env = this.flags.env ?? this.engine().defaultEnvironment();
    const api = this.api();
    const started = await api.schedules.run(env, this.args.name);
    this.say(`Run ${String(started.runId)} started.`);
    await started.done;
    const run = api.runs.get(started.runId);
    this.say(`Run ${String(run.id)} ${run.status}.`);
    if (run.status !== 'completed') process.exitCode = 1;
    return { runId: run.id, status: run.status };
  }
}
