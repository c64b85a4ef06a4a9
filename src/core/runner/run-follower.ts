import type { RunEvent, RunEventData } from '../events/run-events.js';
import type { EventPage, EventPageQuery } from '../store/run-repo.js';

/** What a follower reads: a run's event pages, and a way to settle runs whose process died. */
export interface FollowSource {
  eventPage(query: EventPageQuery): EventPage;
  /** Marks runs of dead processes interrupted (writing their run.finished); called while the run is quiet. */
  settleOrphans?: (() => void) | undefined;
}

export interface FollowOptions {
  /** Receives the run's events in seq order, each once: first what is recorded, then what comes. */
  onEvents: (events: readonly RunEvent[]) => void;
  /** Milliseconds between reads of the store (default 250). */
  intervalMs?: number | undefined;
  /** Events up to this seq were delivered already: following starts after it (default 0). */
  afterSeq?: number | undefined;
  /** Quiet reads between checks that the process running it is alive (default 8, about 2 s). */
  orphanCheckEvery?: number | undefined;
}

/** Following one run: settles with its run.finished data, or null when stop() ended it first. */
export interface RunFollow {
  done: Promise<RunEventData['run.finished'] | null>;
  /** Stops following (the run itself goes on). */
  stop(): void;
}

const PAGE = 500;

/**
 * Follows one run from any process: reads its recorded events, then polls the store for new ones (one
 * indexed query per read), until its run.finished arrives. A run whose process died is settled as
 * interrupted by `settleOrphans`, so a follower never waits forever. Read errors reject `done`.
 */
export function followRun(source: FollowSource, options: FollowOptions): RunFollow {
  const interval = options.intervalMs ?? 250;
  const orphanEvery = Math.max(1, options.orphanCheckEvery ?? 8);
  let after = options.afterSeq ?? 0;
  let quiet = 0;
  let timer: NodeJS.Timeout | undefined;
  let settle: (value: RunEventData['run.finished'] | null) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  let ended = false;
  const done = new Promise<RunEventData['run.finished'] | null>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  /** False once ended (a listener may call stop() while a read delivers). */
  const active = (): boolean => !ended;
  const end = (): void => {
    ended = true;
    clearTimeout(timer);
  };

  /** Reads everything after `after`; returns the run.finished data when it was read. */
  const read = (): RunEventData['run.finished'] | undefined => {
    let more = true;
    while (more) {
      const page = source.eventPage({ after, limit: PAGE });
      more = page.hasNewer && page.events.length > 0;
      if (page.events.length === 0) break;
      after = page.events.at(-1)?.seq ?? after;
      options.onEvents(page.events);
      const finished = page.events.find((e) => e.type === 'run.finished');
      if (finished?.type === 'run.finished') return finished.data;
    }
    return undefined;
  };

  const tick = (): void => {
    if (ended) return;
    try {
      const before = after;
      const finished = read();
      if (finished !== undefined) {
        end();
        settle(finished);
        return;
      }
      quiet = after === before ? quiet + 1 : 0;
      if (quiet >= orphanEvery && source.settleOrphans !== undefined) {
        quiet = 0;
        source.settleOrphans();
      }
      if (active()) timer = setTimeout(tick, interval);
    } catch (error) {
      end();
      fail(error);
    }
  };

  tick();
  return {
    done,
    stop: () => {
      if (ended) return;
      end();
      settle(null);
    },
  };
}
