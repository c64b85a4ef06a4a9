/**
 * Makes sure MCP server processes never outlive Station: while any pool it watches is open, process exit
 * kills their children, and SIGINT/SIGTERM/SIGHUP end them before the signal takes effect. The signal is
 * then raised again so that, when nobody else handles it, the process ends as it would have (exit status
 * 128 + signal). When another listener owns the signal (a graceful shutdown), the guard leaves the pools to
 * it and only kills what is left at exit. One guard serves many pools, so a server with many environments
 * adds one listener per signal, not one per pool.
 *
 * Against what no hook sees (kill -9, the OOM killer), every process group it tracks is handed to the
 * guardian (a small process that ends the groups when Station dies, see guardian.ts) and, with a records
 * folder, recorded in the home for the next Station to reap (see group-records.ts).
 */
import { childStart, currentProcessStart } from '../os/process-identity.js';
import { removeGroupRecord, writeGroupRecord } from './group-records.js';
import { guardGroup } from './guardian.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What the guard needs from a pool. */
export interface Guarded {
  /** Kills every child at once (nothing can be awaited at process exit). */
  killNow(): void;
  /** Ends every child gracefully. */
  close(): Promise<void>;
}

export interface ProcessGuardOptions {
  /** Where to record the process groups started (`<home>/run`); none: the guardian alone watches them. */
  recordsDir?: string | undefined;
}

export class ProcessGuard {
  constructor(private readonly options: ProcessGuardOptions = {}) {}

  private readonly watched = new Set<Guarded>();
  private readonly handlers = new Map<NodeJS.Signals, () => void>();
  private stopping = false;
  private readonly onExit = (): void => {
    this.killAll();
  };

  /** Starts watching a pool (installs the process hooks with the first one). */
  add(pool: Guarded): void {
    this.watched.add(pool);
    if (this.handlers.size === 0) this.install();
  }

  /** Stops watching a pool (removes the hooks with the last one). */
  delete(pool: Guarded): void {
    this.watched.delete(pool);
    if (this.watched.size === 0 && !this.stopping) this.release();
  }

  /**
   * Tracks a server's process group from the moment it is spawned: the guardian is told, and the group is
   * recorded. Returns the function to call once the group has ended.
   */
  track(pgid: number, info: { server: string; command: string }): () => void {
    const start = childStart(pgid);
    const unguard = guardGroup(pgid, start);
    const dir = this.options.recordsDir;
    const file =
      dir === undefined
        ? undefined
        : writeGroupRecord(dir, {
            pgid,
            start,
            owner: { pid: process.pid, start: currentProcessStart() },
            ...info,
          });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unguard();
      if (file !== undefined) removeGroupRecord(file);
    };
  }

  private killAll(): void {
    for (const pool of this.watched) pool.killNow();
  }

  private install(): void {
    for (const signal of SIGNALS) {
      const handler = (): void => {
        // Someone else handles this signal (stn serve draining runs, stn agent run cancelling its run): they
        // close the engine, and with it the pools, when they are done. The exit hook still kills children.
        if (!this.stopping && process.listenerCount(signal) > 1) return;
        if (this.stopping) {
          // A second Ctrl-C: stop waiting for a graceful close.
          this.killAll();
          this.release();
          reraise(signal);
          return;
        }
        this.stopping = true;
        void Promise.all([...this.watched].map((p) => p.close()))
          .catch(() => {
            this.killAll();
          })
          .finally(() => {
            this.release();
            reraise(signal);
          });
      };
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
    process.on('exit', this.onExit);
  }

  private release(): void {
    process.off('exit', this.onExit);
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers.clear();
  }
}

/** Raises a signal again, only when no other part of the program listens (then the default action applies). */
function reraise(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
