import { BaseCommand } from '../../cli/base-command.js';
import type { FireRecord } from '../../core/index.js';

export default class ScheduleRunDue extends BaseCommand<typeof ScheduleRunDue> {
  static override summary = 'Fire every schedule that is due now, once, wait for those runs and exit (for cron or CI).';
  static override description =
    'The same pass `stn serve` makes every second: catch-up and overlap policies apply, and a fire time already handled (by this or another process) never fires again. Exit 1 when a fired run did not complete.';
  static override examples = [
    '<%= config.bin %> schedule run-due',
    '* * * * * stn schedule run-due --json >> schedule.log',
  ];

  async run(): Promise<Omit<FireRecord, 'done'>[]> {
    const api = this.api();
    const records = await api.schedules.runDue();
    await Promise.all(records.map((r) => r.done ?? Promise.resolve()));
    let failed = false;
    const out = records.map(({ done: _done, ...r }) => r);
    for (const r of out) {
      const at = new Date(r.fireAt).toISOString();
      if (r.runId === null) {
        this.say(`${r.environment}/${r.agent} ${at}: ${r.outcome}${r.error === null ? '' : ` (${r.error})`}`);
        if (r.outcome === 'error') failed = true;
        continue;
      }
      const run = api.runs.get(r.runId);
      if (run.status !== 'completed') failed = true;
      this.say(`${r.environment}/${r.agent} ${at}: run ${String(r.runId)} ${run.status}`);
    }
    if (records.length === 0) this.say('Nothing is due.');
    if (failed) process.exitCode = 1;
    return out;
  }
}
