import type { RunEvent, RunEventType, RunEventOf } from './run-events.js';

export type RunEventListener = (event: RunEvent) => void;

/**
 * The core's in-process event bus. Publishing is synchronous and cheap; a listener that throws does not
 * stop the others (its error goes to `onListenerError`). Subscribers: `stn agent run` output, the TUI,
 * the WebSocket server.
 */
export class EventBus {
  private readonly listeners = new Set<RunEventListener>();
  private readonly byRun = new Map<number, Set<RunEventListener>>();

  constructor(
    private readonly onListenerError: (error: unknown) => void = (error) => process.emitWarning(String(error)),
  ) {}

  publish(event: RunEvent): void {
    for (const listener of this.listeners) this.deliver(listener, event);
    const forRun = this.byRun.get(event.runId);
    if (forRun !== undefined) for (const listener of forRun) this.deliver(listener, event);
  }

  /** Every event of every run. Returns the unsubscribe function. */
  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events of one run. Returns the unsubscribe function. */
  subscribeRun(runId: number, listener: RunEventListener): () => void {
    let set = this.byRun.get(runId);
    if (set === undefined) {
      set = new Set();
      this.byRun.set(runId, set);
    }
    set.add(listener);
    return () => {
      const current = this.byRun.get(runId);
      if (current === undefined) return;
      current.delete(listener);
      if (current.size === 0) this.byRun.delete(runId);
    };
  }

  /** Events of one type, typed. */
  on<K extends RunEventType>(type: K, listener: (event: RunEventOf<K>) => void): () => void {
    return this.subscribe((event) => {
      if (event.type === type) listener(event as RunEventOf<K>);
    });
  }

  get listenerCount(): number {
    let n = this.listeners.size;
    for (const set of this.byRun.values()) n += set.size;
    return n;
  }

  private deliver(listener: RunEventListener, event: RunEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.onListenerError(error);
    }
  }
}
