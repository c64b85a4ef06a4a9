import { BaseCommand } from '../../cli/base-command.js';
import type { ScheduleView } from '../../core/index.js';
import { describeSchedule, scheduleArgs, scheduleFlags } from './show.js';

export default class SchedulePause extends BaseCommand<typeof SchedulePause> {
  static override summary =
    'Pause a schedule (recorded in the database with who and when; the agent file is not changed).';
  static override examples = [
    '<%= config.bin %> schedule pause nightly-scan',
    '<%= config.bin %> schedule pause nightly-scan --env prod --json',
  ];
  static override args = scheduleArgs;
  static override flags = scheduleFlags;

  async run(): Promise<ScheduleView> {
    const env = this.flags.env ?? this.engine().defaultEnvironment();
    const view = this.api().schedules.pause(env, this.args.name);
    describeSchedule((l) => this.say(l), view);
    return view;
  }
}
