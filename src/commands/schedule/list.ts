import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatTable } from '../../cli/output.js';
import type { ScheduleView } from '../../core/index.js';

export default class ScheduleList extends BaseCommand<typeof ScheduleList> {
  static override summary = "List agents' schedules: next and last fire, last status, paused or not.";
  static override description =
    'Schedules live in agent files (schedule: {cron, enabled, variables, timezone, overlap, catch_up}); `stn serve` fires them, `stn schedule run-due` fires what is due once. Pausing is recorded in the database, never in the file.';
  static override examples = [
    '<%= config.bin %> schedule list',
    '<%= config.bin %> schedule list --env prod --json | jq ".[] | {agent, next: .next[0]}"',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Only schedules of this environment.' }),
  };

  async run(): Promise<ScheduleView[]> {
    const schedules = this.api().schedules.list(this.flags.env);
    if (schedules.length === 0) {
      this.say('No schedules. Add `schedule: {cron: "0 9 * * *"}` to an agent file.');
      return schedules;
    }
    this.say(() =>
      formatTable(
        schedules,
        [
          { header: 'AGENT', get: (v) => v.agent },
          { header: 'ENV', get: (v) => v.environment },
          { header: 'CRON', get: (v) => v.cron },
          { header: 'STATE', get: (v) => (v.paused ? 'paused' : v.enabled ? 'active' : 'disabled') },
          { header: 'NEXT FIRE', get: (v) => shortTime(v.next[0] ?? null) },
          { header: 'LAST FIRE', get: (v) => (v.lastFireAt === null ? '-' : formatAge(v.lastFireAt)) },
          { header: 'LAST', get: (v) => v.lastStatus ?? v.lastOutcome ?? '-' },
        ],
        this.style.bold,
      ),
    );
    return schedules;
  }
}

/** An ISO time as `2026-12-07 09:00` in local time, or `-`. */
export function shortTime(iso: string | null): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
