import { BaseCommand } from '../../cli/base-command.js';
import type { ScheduleView } from '../../core/index.js';
import { describeSchedule, scheduleArgs, scheduleFlags } from './show.js';

export default class ScheduleResume extends BaseCommand<typeof ScheduleResume> {
  static override summary =
    'Resume a paused schedule: it fires again from now on (fires missed while paused are not caught up).';
  static override examples = [
    '<%= config.bin %> schedule resume nightly-scan',
    '<%= config.bin %> schedule resume nightly-scan --env prod --json',
  ];
  static override args = scheduleArgs;
  static override flags = scheduleFlags;

  async run(): Promise<ScheduleView> {
    const env = this.flags.env ?? this.engine().defaultEnvironment();
    const view = this.api().schedules.resume(env, this.args.name);
    describeSchedule((l) => this.say(l), view);
    return view;
  }
}
