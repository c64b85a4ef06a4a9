import { createContext, useContext, useState } from 'react';

/** A load started before the first frame: its promise, and its data once it has answered. */
export interface FirstLoad<T> {
  promise: Promise<T>;
  /** Set when the promise has resolved (not when it failed: a failure is reported by whoever takes it). */
  answered?: { data: T };
}

/**
 * Loads started before the first frame (see launchTui): the runs and the first screen's list. Whatever has
 * answered when the UI mounts is in its first frame, so a local Station (whose answers take a few ms) opens on
 * a full screen; what has not is shown as loading and filled in when it answers, as any later load. Each load
 * is taken once, by the first component that asks for its key: later loads of the same key go to the client.
 */
export class FirstLoads {
  private readonly loads = new Map<string, FirstLoad<unknown>>();

  start<T>(key: string, load: () => Promise<T>): void {
    // Called at once; a client that throws before its promise gives a failed load, which the taker reports.
    const entry: FirstLoad<T> = { promise: (async () => load())() };
    // The taker handles a failure; this branch only records the answer.
    entry.promise.then(
      (data) => (entry.answered = { data }),
      () => undefined,
    );
    this.loads.set(key, entry);
  }

  /** Resolves when every load has answered or failed, or after `ms`, whichever comes first. */
  async settle(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.allSettled([...this.loads.values()].map((l) => l.promise)), waited]);
    clearTimeout(timer);
  }

  /** The load of `key`, if one was started and not taken yet; it is taken. */
  take<T>(key: string): FirstLoad<T> | undefined {
    const entry = this.loads.get(key);
    this.loads.delete(key);
    return entry as FirstLoad<T> | undefined;
  }
}

/** Provided by launchTui around the app; absent (no first loads) in a UI rendered without it. */
export const FirstLoadsContext = createContext<FirstLoads | undefined>(undefined);

/** One component's share of the load of a key started before the first frame. */
export interface FirstLoadOf<T> {
  /** Its answer when it had arrived by the component's first render: the component's first state. */
  readonly shown: { data: T } | undefined;
  /**
   * For the component's first load of `key`: the load started before the first frame, once (nothing after,
   * or for another key). When `shown` is set its answer is on screen already; else its promise is awaited
   * instead of asking the client again.
   */
  take(key: string): FirstLoad<T> | undefined;
}

/** The load of `key` started before the first frame, for this component (the same object at every render). */
export function useFirstLoad<T>(key: string): FirstLoadOf<T> {
  const loads = useContext(FirstLoadsContext);
  const [first] = useState((): FirstLoadOf<T> => {
    let unused = loads?.take<T>(key);
    return {
      shown: unused?.answered,
      take: (asked) => {
        if (asked !== key) return undefined;
        const load = unused;
        unused = undefined;
        return load;
      },
    };
  });
  return first;
}
