import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { runIdArg } from '../../cli/id-args.js';
import { isFinalStatus, type RunSummary } from '../../core/index.js';

export interface CancelRecord {
  id: number;
  /** `cancelled`: stopped; `requested`: the process running it has been asked and had not stopped yet. */
  outcome: 'cancelled' | 'requested';
  status: RunSummary['status'];
}

export default class RunsCancel extends BaseCommand<typeof RunsCancel> {
  static override summary = 'Cancel a queued or running run (in this or another stn process).';
  static override description =
    'A run of another live process (a `stn agent run` in another terminal, `stn serve`) is asked to stop through the database and stops within a second; this waits for it (--wait).';
  static override examples = ['<%= config.bin %> runs cancel 42', '<%= config.bin %> runs cancel 42 --wait 0 --json'];
  static override args = {
    id: runIdArg({ description: 'Run id (see stn runs list).' }),
  };
  static override flags = {
    wait: Flags.integer({ description: 'Seconds to wait for the run to stop.', default: 10, min: 0 }),
  };

  async run(): Promise<CancelRecord> {
    const runs = this.api().runs;
    const { outcome } = runs.cancel(this.args.id, 'cli');
    let run = runs.get(this.args.id);
    const deadline = Date.now() + this.flags.wait * 1000;
    while (!isFinalStatus(run.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      run = runs.get(this.args.id);
    }
    const stopped = isFinalStatus(run.status);
    this.say(
      stopped
        ? `Run ${String(run.id)} ${run.status === 'cancelled' ? 'cancelled' : `ended as ${run.status}`}.`
        : `Asked the process running run ${String(run.id)} to cancel it; it is still ${run.status}. Check with: stn runs show ${String(run.id)}`,
    );
    return { id: run.id, outcome: stopped ? 'cancelled' : outcome, status: run.status };
  }
}
