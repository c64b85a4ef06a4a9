import type { RunEvent } from '../events/run-events.js';
import type { StoreDb } from '../store/store-db.js';
import { listenForRunEvents, type Listener } from '../store/postgres/pg-listener.js';
import { PgSyncDb } from '../store/postgres/pg-sync-db.js';
import { RunFeedRepo } from '../store/run-feed-repo.js';

/** The part of the event bus a feed listens to (the runs of this process). */
export interface RunFeedBus {
  subscribe(listener: (event: RunEvent) => void): () => void;
}

/** Receives new events: in seq order within a run, each event once. */
export type RunFeedListener = (events: readonly RunEvent[]) => void;

export interface RunFeedOptions {
  /**
   * This process's event bus: events of the runs this process executes are delivered as they happen,
   * not at the next poll. Without it, every event comes from the store.
   */
  bus?: RunFeedBus | undefined;
  /** Milliseconds between polls of the store (default 250). */
  intervalMs?: number | undefined;
  /** Rows read per poll at most (default 1000); a larger backlog is read over the next polls. */
  batchSize?: number | undefined;
  /** Runs followed at once at most (default 10 000); past it the least recently active is forgotten. */
  maxTrackedRuns?: number | undefined;
  /** Where a failed poll (or a listener that threw) is reported; default a process warning. It keeps going. */
  onError?: ((error: unknown) => void) | undefined;
  /** Called when a poll succeeds after a failure. */
  onRecovered?: (() => void) | undefined;
  /**
   * PostgreSQL: poll as soon as another connection's commit is notified (default true). False polls only
   * on the interval (or by hand), as on SQLite.
   */
  listen?: boolean | undefined;
}

/** What the feed knows of a run it follows. */
interface Tracked {
  /** Highest seq handed out. */
  delivered: number;
  /** Highest seq read from the store: below `delivered` while the bus is ahead of the cursor. */
  stored: number;
}

/**
 * Follows run events across processes: the run_events rows any process writes on the Station home, read
 * with a cursor on their row id (one indexed query per poll, from the latest row at start()), merged
 * with this process's event bus so its own runs arrive without delay. Each event is delivered exactly
 * once, in seq order within its run: a bus event goes out only when it directly follows what was
 * delivered for its run (otherwise the store is read at once, and it delivers), and a stored event only
 * when its seq is above what was delivered. A run is forgotten once its run.finished has been read from
 * the store, and at most `maxTrackedRuns` are kept (past it, the least recently active run that the store
 * has caught up with is forgotten, so none of its events can repeat). Poll failures are reported, never
 * thrown.
 */
export class RunFeed {
  private readonly store: RunFeedRepo;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly maxTracked: number;
  private readonly listeners = new Set<RunFeedListener>();
  private readonly tracked = new Map<number, Tracked>();
  private cursor: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribeBus: (() => void) | undefined;
  private polling = false;
  /** Followed runs whose bus events are ahead of the store cursor (they must not be forgotten). */
  private ahead = 0;
  private failing = false;

  /** PostgreSQL: the URL a listener connects to, to be woken when another server commits events. */
  private readonly listenUrl: string | undefined;
  private listener: Promise<Listener | undefined> | undefined;
  private wakeScheduled = false;

  constructor(
    db: StoreDb,
    private readonly options: RunFeedOptions = {},
  ) {
    this.store = new RunFeedRepo(db);
    this.listenUrl = db instanceof PgSyncDb && options.listen !== false ? db.url : undefined;
    this.intervalMs = options.intervalMs ?? 250;
    this.batchSize = Math.max(1, options.batchSize ?? 1000);
    this.maxTracked = Math.max(1, options.maxTrackedRuns ?? 10_000);
  }

  /** Listens to new events; returns the unsubscribe function. Listening does not start the feed. */
  subscribe(listener: RunFeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts following: the first time from the latest stored row, after a stop() from where it stopped
   * (what was written meanwhile is read from the store). Idempotent.
   */
  start(): void {
    if (this.timer !== undefined) return;
    this.unsubscribeBus = this.options.bus?.subscribe((event) => this.fromBus(event));
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
    if (this.listenUrl !== undefined) {
      // Woken at once when another server commits events; the interval stays as the fallback.
      const report = (error: unknown): void => this.listenerFailed(error);
      this.listener = listenForRunEvents(this.listenUrl, () => this.wake(), { onError: report }).catch(
        (error: unknown) => {
          report(error);
          return undefined;
        },
      );
    }
    // In the same tick as the bus subscription: no event of this process falls between the two.
    if (this.cursor === undefined) this.poll();
  }

  /** Stops polling and listening to the bus; start() resumes. Idempotent. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const listener = this.listener;
    this.listener = undefined;
    void listener?.then((l) => l?.close());
    this.unsubscribeBus?.();
    this.unsubscribeBus = undefined;
  }

  /** A poll soon (once per burst of notifications), unless stopped. */
  private wake(): void {
    if (this.wakeScheduled || this.timer === undefined) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      if (this.timer !== undefined) this.poll();
    });
  }

  /** Runs followed right now (those seen and not finished). */
  get trackedRuns(): number {
    return this.tracked.size;
  }

  /**
   * Reads the store after the cursor now and delivers what is new; returns the number of rows read. The
   * first poll (start() makes it) only places the cursor at the latest row.
   */
  poll(): number {
    if (this.polling) return 0;
    this.polling = true;
    try {
      if (this.cursor === undefined) {
        this.cursor = this.store.latestEventId();
        this.recovered();
        return 0;
      }
      const rows = this.store.eventsAfter(this.cursor, this.batchSize);
      this.recovered();
      if (rows.length === 0) return 0;
      this.cursor = rows.at(-1)?.id ?? this.cursor;
      const fresh: RunEvent[] = [];
      for (const { event } of rows) {
        const delivered = this.tracked.get(event.runId)?.delivered ?? 0;
        if (event.seq > delivered) fresh.push(event);
        // After its run.finished is read, no stored row of a run can be new: forget it.
        if (event.type === 'run.finished') this.forget(event.runId);
        else this.track(event.runId, { delivered: Math.max(delivered, event.seq), stored: event.seq });
      }
      this.emit(fresh);
      return rows.length;
    } catch (error) {
      this.fail(error);
      return 0;
    } finally {
      this.polling = false;
    }
  }

  /** An event of this process, just stored: out now if it follows what was delivered, else read the store. */
  private fromBus(event: RunEvent): void {
    // Published by a listener while a poll delivers: the store has it, the next poll hands it out.
    if (this.polling) return;
    // A new run and no room: read the store until one followed run is caught up with it, to forget that one.
    if (!this.tracked.has(event.runId) && this.tracked.size >= this.maxTracked) {
      let read = 1;
      while (this.ahead >= this.tracked.size && read > 0) read = this.poll();
    }
    const run = this.tracked.get(event.runId);
    const delivered = run?.delivered ?? 0;
    if (event.seq <= delivered) return;
    if (event.seq === delivered + 1) {
      this.track(event.runId, { delivered: event.seq, stored: run?.stored ?? 0 });
      this.emit([event]);
      return;
    }
    // A gap (events of the run not read from the store yet): the store has them all, this one included.
    this.poll();
  }

  /** Records a run's state as the most recently active; past the cap, forgets the least recently active. */
  private track(runId: number, state: Tracked): void {
    this.forget(runId);
    this.tracked.set(runId, state);
    if (state.stored < state.delivered) this.ahead++;
    if (this.tracked.size <= this.maxTracked) return;
    // One the store has caught up with: its later rows are all new, so forgetting it repeats nothing.
    let victim: number | undefined;
    if (this.ahead < this.tracked.size) {
      for (const [id, run] of this.tracked) {
        if (run.stored >= run.delivered) {
          victim = id;
          break;
        }
      }
    }
    victim ??= this.tracked.keys().next().value;
    if (victim !== undefined) this.forget(victim);
  }

  private forget(runId: number): void {
    const run = this.tracked.get(runId);
    if (run === undefined) return;
    if (run.stored < run.delivered) this.ahead--;
    this.tracked.delete(runId);
  }

  private emit(events: readonly RunEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        this.fail(error);
      }
    }
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.onRecovered?.();
  }

  /** The listener's trouble only delays events to the next poll: reported, the feed is not failing. */
  private listenerFailed(error: unknown): void {
    const message = `run feed: listening for other servers' events: ${error instanceof Error ? error.message : String(error)}`;
    if (this.options.onError !== undefined) this.options.onError(new Error(message, { cause: error }));
    else process.emitWarning(message);
  }

  private fail(error: unknown): void {
    this.failing = true;
    if (this.options.onError !== undefined) this.options.onError(error);
    else process.emitWarning(`run feed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
