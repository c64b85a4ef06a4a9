import type { EventBus } from '../events/event-bus.js';
import type { RunEvent, RunEventData, RunEventOf, RunEventType } from '../events/run-events.js';
import type { RunCompletion, RunProgress, RunRepo } from '../store/run-repo.js';

/**
 * Writes one run's events as they happen (run_events, with a per-run sequence) and publishes each on
 * the bus after it is stored, so that a viewer that sees an event can also read it back.
 */
export class RunRecorder {
  private seq: number;

  constructor(
    private readonly repo: RunRepo,
    private readonly bus: EventBus,
    readonly runId: number,
    private readonly now: () => number = Date.now,
    lastSeq = 0,
  ) {
    this.seq = lastSeq;
  }

  /** Stores and publishes an event; with `progress`, the run's counters are updated in the same transaction. */
  emit<K extends RunEventType>(type: K, data: RunEventData[K], progress?: RunProgress): RunEventOf<K> {
    const ts = this.now();
    const event = this.next(type, data, ts);
    const stored = { runId: this.runId, seq: event.seq, type, ts, dataJson: JSON.stringify(data) };
    if (progress === undefined) this.repo.appendEvent(stored);
    else this.repo.appendWithProgress(stored, progress);
    this.bus.publish(event as RunEvent);
    return event;
  }

  /** Stores the run.finished event and the final row state in one transaction, then publishes. */
  finish(
    data: RunEventData['run.finished'],
    completion: Omit<RunCompletion, 'finishedAt'>,
  ): RunEventOf<'run.finished'> {
    const ts = this.now();
    const event = this.next('run.finished', data, ts);
    this.repo.finishWithEvent(
      this.runId,
      { ...completion, finishedAt: ts },
      { runId: this.runId, seq: event.seq, type: 'run.finished', ts, dataJson: JSON.stringify(data) },
    );
    this.bus.publish(event);
    return event;
  }

  private next<K extends RunEventType>(type: K, data: RunEventData[K], ts: number): RunEventOf<K> {
    this.seq += 1;
    return { runId: this.runId, seq: this.seq, type, ts: new Date(ts).toISOString(), data };
  }
}
