/**
 * Makes sure MCP server processes never outlive Station: while a pool is open, process exit kills them,
 * and SIGINT/SIGTERM/SIGHUP end them before the signal takes effect. The signal is then raised again so
 * that, when nobody else handles it, the process ends as it would have (exit status 128 + signal).
 */

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Installs the hooks; returns the function that removes them. */
export function guardChildren(killNow: () => void, close: () => Promise<void>): () => void {
  let stopping = false;
  const handlers = new Map<NodeJS.Signals, () => void>();
  const onExit = (): void => {
    killNow();
  };
  const release = (): void => {
    process.off('exit', onExit);
    for (const [signal, handler] of handlers) process.off(signal, handler);
    handlers.clear();
  };
  const reraise = (signal: NodeJS.Signals): void => {
    // Only when no other part of the program listens: then the default action (terminate) applies.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const signal of SIGNALS) {
    const handler = (): void => {
      if (stopping) {
        // A second Ctrl-C: stop waiting for a graceful close.
        killNow();
        release();
        reraise(signal);
        return;
      }
      stopping = true;
      void close()
        .catch(() => {
          killNow();
        })
        .finally(() => {
          release();
          reraise(signal);
        });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  process.on('exit', onExit);
  return release;
}
