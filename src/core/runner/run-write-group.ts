import { LOCKED_WRITE_PATIENCE_MS, retryWhileLocked } from '../store/lock-waits.js';
import { isDatabaseLocked } from '../store/sqlite-errors.js';
import type { RunRepo } from '../store/run-repo.js';
import type { RunRecorder, TakenEvents } from './run-recorder.js';

/**
 * The writes of a runner's runs that happen in one turn of the event loop, made as one transaction at the end
 * of that turn (setImmediate): the step's model request of every run whose model or tool answered in that
 * turn, with what each staged before it. Fifty runs whose answers arrive together cost one commit, not fifty.
 * Each run's events are published once stored, in order. When the grouped write fails (a lock held past the
 * patience, a full disk), each run keeps its events: it writes them alone at once (unless the database is locked,
 * which each would wait for again), and a run whose write still fails gets the error at its next write, as a
 * run writing alone does.
 */
export class RunWriteGroup {
  private readonly waiting = new Set<RunRecorder>();
  private scheduled = false;

  constructor(
    private readonly repo: RunRepo,
    /** How long a write waits for a lock another process holds (tests shorten it). */
    private readonly patienceMs = LOCKED_WRITE_PATIENCE_MS,
  ) {}

  /** `recorder` has staged events to write at the end of this turn. */
  add(recorder: RunRecorder): void {
    this.waiting.add(recorder);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.write();
    });
  }

  private write(): void {
    this.scheduled = false;
    const started = performance.now();
    const taken: [RunRecorder, TakenEvents][] = [];
    for (const recorder of this.waiting) {
      const events = recorder.take();
      if (events !== undefined) taken.push([recorder, events]);
    }
    this.waiting.clear();
    if (taken.length === 0) return;
    try {
      retryWhileLocked(() => {
        this.repo.appendBatches(taken.map(([, events]) => events.batch));
      }, this.patienceMs);
    } catch (error) {
      for (const [recorder, events] of taken) recorder.putBack(events);
      // A lock held past the patience would be waited for again by each run: they keep their events for their
      // next write instead. Another failure may be one run's own (its events cannot be stored): each alone.
      if (!isDatabaseLocked(error)) for (const [recorder] of taken) recorder.flushLater();
      return;
    }
    const share = (performance.now() - started) / taken.length;
    for (const [recorder, events] of taken) recorder.written(events, share);
  }
}
