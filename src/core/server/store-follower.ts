import type { RunEvent } from '../events/run-events.js';
import type { Logger } from './logger.js';
import { errorMessage } from '../errors.js';

export interface EventStore {
  /** Events with a row id above `afterId`, oldest first. */
  eventsAfter(afterId: number, limit?: number): { id: number; event: RunEvent }[];
  get(runId: number): { pid: number | null } | undefined;
}

/**
 * Follows the event store for runs that other processes execute on the same Station home (a
 * `stn agent run` in another terminal), so that WebSocket viewers see them live too. Runs of this
 * process are skipped: the event bus already delivered them. One indexed query per poll.
 */
export class StoreFollower {
  private cursor: number;
  private timer: NodeJS.Timeout | undefined;
  /** Per run: true when another process runs it. */
  private readonly foreign = new Map<number, boolean>();

  constructor(
    private readonly store: EventStore,
    private readonly deliver: (event: RunEvent) => void,
    private readonly log: Logger,
    startAfterId: number,
    private readonly pid = process.pid,
    private readonly intervalMs = 250,
  ) {
    this.cursor = startAfterId;
  }

  start(): void {
    this.timer ??= setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the rows after the cursor and delivers the events of foreign runs. Returns how many rows it read. */
  poll(): number {
    let rows: { id: number; event: RunEvent }[];
    try {
      rows = this.store.eventsAfter(this.cursor, 1000);
    } catch (error) {
      this.log.warn('event store poll failed', { error: errorMessage(error) });
      return 0;
    }
    for (const { id, event } of rows) {
      this.cursor = id;
      let foreign = this.foreign.get(event.runId);
      if (foreign === undefined) {
        const pid = this.store.get(event.runId)?.pid ?? null;
        foreign = pid !== this.pid;
        this.foreign.set(event.runId, foreign);
      }
      if (foreign) this.deliver(event);
      if (event.type === 'run.finished') this.foreign.delete(event.runId);
    }
    return rows.length;
  }
}
