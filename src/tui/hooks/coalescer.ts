/**
 * Collects client updates and hands them over in one batch at most every `intervalMs` (about 50 ms), so a
 * burst of events causes one state change and one frame, not one per event.
 */
import type { ClientUpdate, ConnectionView, RunEventView, RunView } from '../client/station-client.js';

export interface UpdateBatch {
  events: RunEventView[];
  /** Latest version of each run that changed, in arrival order. */
  runs: RunView[];
  /** The last connection change in the batch, if any. */
  connection: ConnectionView | null;
}

export function mergeUpdates(updates: readonly ClientUpdate[]): UpdateBatch {
  const events: RunEventView[] = [];
  const runs = new Map<number, RunView>();
  let connection: UpdateBatch['connection'] = null;
  for (const update of updates) {
    if (update.kind === 'events') events.push(...update.events);
    else if (update.kind === 'runs') for (const run of update.runs) runs.set(run.id, run);
    else connection = { ok: update.ok, error: update.error, retryAt: update.retryAt ?? null };
  }
  return { events, runs: [...runs.values()], connection };
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export class Coalescer {
  private pending: ClientUpdate[] = [];
  private timer: unknown = undefined;

  constructor(
    private readonly flush: (batch: UpdateBatch) => void,
    private readonly intervalMs = 50,
    private readonly timers: Timers = realTimers,
  ) {}

  push(update: ClientUpdate): void {
    this.pending.push(update);
    if (this.timer === undefined) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, this.intervalMs);
    }
  }

  /** Hands over what is pending now. */
  drain(): void {
    if (this.pending.length === 0) return;
    const batch = mergeUpdates(this.pending);
    this.pending = [];
    this.flush(batch);
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
