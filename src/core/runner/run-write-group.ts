import { retryWhileLocked } from '../store/lock-waits.js';
import type { RunRepo } from '../store/run-repo.js';
import type { RunRecorder, TakenEvents } from './run-recorder.js';

/**
 * The writes of a runner's runs that happen in one turn of the event loop, made as one transaction at the end
 * of that turn (setImmediate): the step's model request of every run whose model or tool answered in that
 * turn, with what each staged before it. Fifty runs whose answers arrive together cost one commit, not fifty.
 * Each run's events are published once stored, in order. When the grouped write fails (a lock held past the
 * patience, a full disk), each run writes its own, and a run whose write still fails gets the error at its
 * next emit or its finish, as a run writing alone does.
 */
export class RunWriteGroup {
  private readonly waiting = new Set<RunRecorder>();
  private scheduled = false;

  constructor(private readonly repo: RunRepo) {}

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
      });
    } catch {
      for (const [recorder, events] of taken) recorder.putBack(events);
      for (const [recorder] of taken) recorder.writeAlone();
      return;
    }
    const share = (performance.now() - started) / taken.length;
    for (const [recorder, events] of taken) recorder.written(events, share);
  }
}
