/** Retry timing shared by the model client (and anything else that retries with backoff). */

export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** Upper bound of any delay, including server-requested ones. */
  maxMs: number;
  /** 0..1: the part of each delay that is random (spreads retries of concurrent runs). */
  jitter?: number;
  random?: () => number;
}

/** Delay before retry `attempt` (1-based): exponential, jittered, capped; a server's Retry-After wins. */
export function backoffDelay(attempt: number, options: BackoffOptions, serverMs?: number): number {
  if (serverMs !== undefined) return Math.min(options.maxMs, Math.max(0, serverMs));
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  const jitter = options.jitter ?? 0.25;
  const random = options.random ?? Math.random;
  return Math.round(exp * (1 - jitter + jitter * random()));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The reason a signal was aborted, always an Error. */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The operation was aborted', 'AbortError');
}
