import { BaseCommand } from '../cli/base-command.js';

/**
 * Hidden: the worker `stn agent run --detach` starts when no `stn serve` runs on the home. It executes
 * the runs queued for its pid and exits; SIGTERM cancels the run going (recorded as shut down).
 */
export default class Worker extends BaseCommand<typeof Worker> {
  static override hidden = true;
  static override summary = 'Execute the runs `stn agent run --detach` queued for this process, then exit.';
  static override examples = ['<%= config.bin %> __worker --home ~/.config/station'];

  async run(): Promise<{ runs: number[] }> {
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const started = new Date().toISOString();
    this.note(`${started} worker ${String(process.pid)} started`);
    try {
      const runs = await this.api().runs.runQueuedHere({ signal: stop.signal });
      this.note(`${new Date().toISOString()} worker ${String(process.pid)} ran: ${runs.join(', ') || 'nothing'}`);
      return { runs };
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  }
}
