/** How often `stn serve` applies the retention policy and compacts the store, and how soon after it starts. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
export const RETENTION_FIRST_DELAY_MS = 60 * 1000;

export interface RetentionScheduleOptions {
  intervalMs?: number;
  firstDelayMs?: number;
  onError: (error: unknown) => void;
}

/** A started schedule; `stop()` ends it, after the pass in progress (if any) has finished. */
export interface RetentionSchedule {
  stop(): Promise<void>;
  /** Passes finished so far (failed ones included). */
  readonly passes: number;
}

/**
 * Runs `pass` (retention and compaction) a little after start, then every interval, one at a time: a pass
 * that outlasts the interval is not overlapped by the next. Timers never keep the process alive.
 */
export function scheduleRetention(pass: () => Promise<unknown>, options: RetentionScheduleOptions): RetentionSchedule {
  const intervalMs = options.intervalMs ?? RETENTION_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let passes = 0;
  const plan = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = Promise.resolve()
        .then(pass)
        .then(
          () => undefined,
          (error: unknown) => options.onError(error),
        )
        .finally(() => {
          passes++;
          running = undefined;
          plan(intervalMs);
        });
    }, delayMs);
    timer.unref();
  };
  plan(options.firstDelayMs ?? RETENTION_FIRST_DELAY_MS);
  return {
    get passes() {
      return passes;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
