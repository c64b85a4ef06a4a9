import type { EventBus } from '../events/event-bus.js';
import type { RunEvent, RunEventData, RunEventOf, RunEventType } from '../events/run-events.js';
import { redactDeep, type Redact } from '../mcp/redactor.js';
import { retryWhileLocked } from '../store/lock-waits.js';
import type { NewRun, RunCompletion, RunProgress, RunRepo } from '../store/run-repo.js';

const KEEP: Redact = (text) => text;

/**
 * Writes one run's events as they happen (run_events, with a per-run sequence) and publishes each on
 * the bus after it is stored, so that a viewer that sees an event can also read it back. A write that
 * meets another process's lock is tried again (for up to LOCKED_WRITE_PATIENCE_MS) rather than failing
 * the run.
 *
 * It is the one way a run is written, so it is where secrets are masked: every string of every event,
 * and the run row's input, output and error, pass through `redact` before they are stored or published.
 * The database, the bus and all that reads them (WebSocket viewers, `stn agent run`, `runs show`, the
 * TUI, the MCP tools) see masked values only.
 */
export class RunRecorder {
  private seq: number;

  constructor(
    private readonly repo: RunRepo,
    private readonly bus: EventBus,
    readonly runId: number,
    private readonly now: () => number = Date.now,
    lastSeq = 0,
    private readonly redact: Redact = KEEP,
  ) {
    this.seq = lastSeq;
  }

  /** Records a new queued run (its input masked) and gives its recorder. */
  static open(
    repo: RunRepo,
    bus: EventBus,
    run: NewRun,
    options: { now?: () => number; redact?: Redact } = {},
  ): RunRecorder {
    const redact = options.redact ?? KEEP;
    const runId = repo.insertQueued({ ...run, input: redactDeep(run.input, redact) });
    return new RunRecorder(repo, bus, runId, options.now ?? Date.now, 0, redact);
  }

  /** A value with every secret in its strings masked, as this recorder stores it. */
  mask<T>(value: T): T {
    return this.redact === KEEP ? value : redactDeep(value, this.redact);
  }

  /** Stores and publishes an event; with `progress`, the run's counters are updated in the same transaction. */
  emit<K extends RunEventType>(type: K, data: RunEventData[K], progress?: RunProgress): RunEventOf<K> {
    const ts = this.now();
    const event = this.next(type, this.mask(data), ts);
    const stored = { runId: this.runId, seq: event.seq, type, ts, dataJson: JSON.stringify(event.data) };
    retryWhileLocked(() => {
      if (progress === undefined) this.repo.appendEvent(stored);
      else this.repo.appendWithProgress(stored, progress);
    });
    this.bus.publish(event as RunEvent);
    return event;
  }

  /**
   * Stores the run.finished event and the final row state in one transaction, then publishes. The event
   * returned carries the masked data: what the run's caller should report.
   */
  finish(
    data: RunEventData['run.finished'],
    completion: Omit<RunCompletion, 'finishedAt'>,
  ): RunEventOf<'run.finished'> {
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
    const stored = {
      runId: this.runId,
      seq: event.seq,
      type: 'run.finished' as const,
      ts,
      dataJson: JSON.stringify(event.data),
    };
    retryWhileLocked(() => this.repo.finishWithEvent(this.runId, row, stored));
    this.bus.publish(event);
    return event;
  }

  private next<K extends RunEventType>(type: K, data: RunEventData[K], ts: number): RunEventOf<K> {
    this.seq += 1;
    return { runId: this.runId, seq: this.seq, type, ts: new Date(ts).toISOString(), data };
  }
}
