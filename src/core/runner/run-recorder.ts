import type { EventBus } from '../events/event-bus.js';
import type { RunEvent, RunEventData, RunEventOf, RunEventType } from '../events/run-events.js';
import { redactDeep, type Redact } from '../mcp/redactor.js';
import { retryWhileLocked } from '../store/lock-waits.js';
import type { EventBatch, NewRun, RunCompletion, RunProgress, RunRepo, StoredEvent } from '../store/run-repo.js';
import type { RunWriteGroup } from './run-write-group.js';

const KEEP: Redact = (text) => text;

/** How long a staged event waits at most for the write that takes it (see RunRecorder.stage). */
export const STAGED_EVENT_MAX_WAIT_MS = 25;

/** Where a run's time goes, filled in by the runner when asked (SubmitOptions.profile); all in ms. */
export interface RunProfile {
  /** Waiting for and reading model answers (the model client). */
  modelMs: number;
  /** Running tool calls (MCP). */
  toolMs: number;
  /** Storing events and publishing them (masking, JSON, SQLite, the bus). */
  recordMs: number;
}

/** An event made and stored, waiting for its write. */
interface Staged {
  event: RunEvent;
  stored: StoredEvent;
}

/** A recorder's staged events, taken for a grouped write (RunWriteGroup). */
export interface TakenEvents {
  staged: readonly Staged[];
  batch: EventBatch;
}

/**
 * Writes one run's events (run_events, with a per-run sequence) and publishes each on the bus after it is
 * stored, so that a viewer that sees an event can also read it back. A write that meets another
 * process's lock is tried again (for up to LOCKED_WRITE_PATIENCE_MS) rather than failing the run.
 *
 * `emit` stores and publishes at once; `stage` keeps an event for the next write (the next `emit`, `flush`
 * or `finish`, or a timer after STAGED_EVENT_MAX_WAIT_MS); `emitSoon` writes at the end of the turn, with the
 * other runs of its RunWriteGroup that write in that turn. The run loop stages what happens within a step
 * and emits the step's model request soon, so that a step costs one SQLite transaction at most, not one per
 * event, and runs whose answers arrive together share it.
 * Nothing is published before it is stored; a process that dies loses only staged events nobody has seen,
 * and the run is then marked interrupted after the last event stored, with counters that match it.
 *
 * It is the one way a run is written, so it is where secrets are masked: every string of every event,
 * and the run row's input, output and error, pass through `redact` before they are stored or published.
 * The database, the bus and all that reads them (WebSocket viewers, `stn agent run`, `runs show`, the
 * TUI, the MCP tools) see masked values only.
 */
export class RunRecorder {
  private seq: number;
  private staged: Staged[] = [];
  /** The run's counters as of the last staged event that carried them. */
  private progress: RunProgress | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A write of staged events failed: they wait for the next write, which emitSoon makes at once. */
  private behind = false;

  constructor(
    private readonly repo: RunRepo,
    private readonly bus: EventBus,
    readonly runId: number,
    private readonly now: () => number = Date.now,
    lastSeq = 0,
    private redact: Redact = KEEP,
    /** Time spent storing and publishing is added to its `recordMs`. */
    private readonly profile?: RunProfile,
    /** Where `emitSoon` writes: with the other runs' writes of the same turn. */
    private readonly group?: RunWriteGroup,
  ) {
    this.seq = lastSeq;
  }

  /**
   * Records a new queued run (its input masked) and gives its recorder. With `queued`, its run.queued event is
   * stored in the same transaction, then published, after `subscribe` has been given the run's id (so that a
   * listener of this run sees it).
   */
  static open(
    repo: RunRepo,
    bus: EventBus,
    run: NewRun,
    options: {
      now?: () => number;
      redact?: Redact;
      profile?: RunProfile | undefined;
      group?: RunWriteGroup | undefined;
      queued?: RunEventData['run.queued'];
      subscribe?: (runId: number) => void;
    } = {},
  ): RunRecorder {
    const redact = options.redact ?? KEEP;
    const now = options.now ?? Date.now;
    const row = { ...run, input: redactDeep(run.input, redact) };
    if (options.queued === undefined) {
      const runId = repo.insertQueued(row);
      options.subscribe?.(runId);
      return new RunRecorder(repo, bus, runId, now, 0, redact, options.profile, options.group);
    }
    const ts = now();
    const data = redact === KEEP ? options.queued : redactDeep(options.queued, redact);
    const runId = repo.insertQueued(row, { type: 'run.queued', ts, dataJson: JSON.stringify(data) });
    options.subscribe?.(runId);
    bus.publish({ runId, seq: 1, type: 'run.queued', ts: new Date(ts).toISOString(), data });
    return new RunRecorder(repo, bus, runId, now, 1, redact, options.profile, options.group);
  }

  /** Masks with `redact` from now on (it masks what the previous one did, and more). */
  maskWith(redact: Redact): void {
    this.redact = redact;
  }

  /** A value with every secret in its strings masked, as this recorder stores it. */
  mask<T>(value: T): T {
    return this.redact === KEEP ? value : redactDeep(value, this.redact);
  }

  /**
   * Stores and publishes an event now, with the events staged before it (one transaction); with
   * `progress`, the run's counters are updated in the same transaction.
   */
  emit<K extends RunEventType>(type: K, data: RunEventData[K], progress?: RunProgress): RunEventOf<K> {
    const event = this.stage(type, data, progress);
    this.flush();
    return event;
  }

  /**
   * Makes an event (and `progress`) to be stored and published, with the events staged before it, at the end of
   * this turn of the event loop, in one transaction with the other runs of the group that write in the same
   * turn; at once (as `emit`, throwing what the write throws) for a recorder without a group, or whose last
   * write failed.
   */
  emitSoon<K extends RunEventType>(type: K, data: RunEventData[K], progress?: RunProgress): RunEventOf<K> {
    const event = this.stage(type, data, progress);
    // After a failed write, the next one is made at once: it fails the run if it fails again, as `emit` would.
    if (this.group === undefined || this.behind) this.flush();
    else this.group.add(this);
    return event;
  }

  /**
   * Makes an event (its seq taken now) to be stored and published with the next write: the next `emit`,
   * `flush` or `finish`, or at the latest STAGED_EVENT_MAX_WAIT_MS from now. With `progress`, the run's
   * counters are saved with it.
   */
  stage<K extends RunEventType>(type: K, data: RunEventData[K], progress?: RunProgress): RunEventOf<K> {
    const started = this.profile === undefined ? 0 : performance.now();
    const ts = this.now();
    const event = this.next(type, this.mask(data), ts);
    this.staged.push({ event: event as RunEvent, stored: this.toStored(event, ts) });
    if (progress !== undefined) this.progress = copyProgress(progress);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushLater(), STAGED_EVENT_MAX_WAIT_MS);
      this.timer.unref();
    }
    if (this.profile !== undefined) this.profile.recordMs += performance.now() - started;
    return event;
  }

  /** Stores the staged events (and counters) in one transaction, then publishes them. */
  flush(): void {
    const started = this.profile === undefined ? 0 : performance.now();
    const taken = this.take();
    if (taken === undefined) return;
    try {
      retryWhileLocked(() => {
        this.repo.appendBatch(taken.batch.events, taken.batch.progress);
      });
    } catch (error) {
      this.putBack(taken);
      throw error;
    }
    this.written(taken, this.profile === undefined ? 0 : performance.now() - started);
  }

  /** Takes the staged events and counters for a write (flush's, or a RunWriteGroup's); undefined if none. */
  take(): TakenEvents | undefined {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.staged.length === 0) return undefined;
    const staged = this.staged;
    const progress = this.progress === undefined ? undefined : { runId: this.runId, progress: this.progress };
    this.staged = [];
    this.progress = undefined;
    return { staged, batch: { events: staged.map((s) => s.stored), progress } };
  }

  /** Staged again, before what was staged since, when their write failed. */
  putBack(taken: TakenEvents): void {
    this.behind = true;
    this.staged = [...taken.staged, ...this.staged];
    this.progress ??= taken.batch.progress?.progress;
  }

  /** After their write: publishes the events taken; `ms` is the time it took, for the run's profile. */
  written(taken: TakenEvents, ms: number): void {
    this.behind = false;
    const started = this.profile === undefined ? 0 : performance.now();
    this.publish(taken.staged);
    if (this.profile !== undefined) this.profile.recordMs += ms + performance.now() - started;
  }

  /**
   * Stores the staged events, the run.finished event and the final row state in one transaction, then
   * publishes them. The event returned carries the masked data: what the run's caller should report.
   */
  finish(
    data: RunEventData['run.finished'],
    completion: Omit<RunCompletion, 'finishedAt'>,
  ): RunEventOf<'run.finished'> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ts = this.now();
    // Status and stop reason are Station's own words, kept as they are whatever a secret's value.
    const event = this.next(
      'run.finished',
      { ...this.mask(data), status: data.status, stopReason: data.stopReason },
      ts,
    );
    const row = {
      ...completion,
      output: this.mask(completion.output),
      error: this.mask(completion.error),
      finishedAt: ts,
    };
    const staged = [...this.staged, { event: event as RunEvent, stored: this.toStored(event, ts) }];
    try {
      retryWhileLocked(() => {
        this.repo.finishWithEvents(
          this.runId,
          row,
          staged.map((s) => s.stored),
        );
      });
    } catch (error) {
      // Not written: run.finished's seq is free again (the staged events stay staged).
      this.seq -= 1;
      throw error;
    }
    this.staged = [];
    this.progress = undefined;
    this.publish(staged);
    return event;
  }

  /**
   * A write that reports nothing (the timer's, or after a grouped write failed): a failure leaves the events staged
   * for the next write, which reports it.
   */
  flushLater(): void {
    this.timer = undefined;
    try {
      this.flush();
    } catch {
      // Kept staged; the loop's next emit (or the run's finish) writes them or fails the run with the error.
    }
  }

  private publish(staged: readonly Staged[]): void {
    for (const s of staged) this.bus.publish(s.event);
  }

  private toStored(event: RunEvent | RunEventOf<RunEventType>, ts: number): StoredEvent {
    return { runId: this.runId, seq: event.seq, type: event.type, ts, dataJson: JSON.stringify(event.data) };
  }

  private next<K extends RunEventType>(type: K, data: RunEventData[K], ts: number): RunEventOf<K> {
    this.seq += 1;
    return { runId: this.runId, seq: this.seq, type, ts: new Date(ts).toISOString(), data };
  }
}

function copyProgress(progress: RunProgress): RunProgress {
  return { steps: progress.steps, toolCalls: progress.toolCalls, tokens: { ...progress.tokens } };
}
