/**
 * Bounds on one streamed model request: an idle timeout (nothing received for too long, before the answer
 * starts or between its chunks) and a size limit on the answer. A stalled stream is retried like a
 * dropped one; an answer over the limit is not retried and ends the run.
 */
import { ModelError } from '../errors.js';

/** Nothing arrived from the model for `idleMs`: the request was cut (retried like a dropped stream). */
export class StreamIdleError extends Error {
  constructor(readonly idleMs: number) {
    super(`the model sent nothing for ${formatSeconds(idleMs)} (model.idle_timeout_seconds)`);
    this.name = 'StreamIdleError';
  }
}

/** The answer grew past the limit: the stream was cut. Not retried; the run stops with `answer_too_large`. */
export class AnswerTooLargeError extends ModelError {
  constructor(readonly limit: number) {
    super(`the model's answer was larger than ${String(limit)} bytes (runner.max_answer_bytes): the stream was cut`, {
      code: 'answer_too_large',
      details: { limit },
      hints: [
        "Ask for a shorter answer (the agent's max_tokens caps it at the model), or raise runner.max_answer_bytes in config.yaml.",
      ],
    });
  }
}

/**
 * The signal of one request attempt: it follows `parent`, and aborts itself when `touch()` has not been
 * called for `idleMs` (checked with one timer, not one per chunk).
 */
export class IdleWatch {
  private readonly controller = new AbortController();
  private last = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private idle: StreamIdleError | undefined;
  private readonly forward = (): void => {
    this.controller.abort(this.parent?.reason);
  };

  constructor(
    private readonly idleMs: number | undefined,
    private readonly parent: AbortSignal | undefined,
  ) {
    if (parent?.aborted === true) this.forward();
    else parent?.addEventListener('abort', this.forward, { once: true });
    if (idleMs !== undefined) this.schedule(idleMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Set once the request was cut for being idle. */
  get error(): StreamIdleError | undefined {
    return this.idle;
  }

  /** Something arrived. */
  touch(): void {
    this.last = performance.now();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.forward);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      const idleMs = this.idleMs ?? 0;
      const left = idleMs - (performance.now() - this.last);
      if (left > 0) {
        this.schedule(left);
        return;
      }
      this.idle = new StreamIdleError(idleMs);
      this.controller.abort(this.idle);
    }, ms);
    this.timer.unref();
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${String(ms / 1000)} s` : `${String(ms)} ms`;
}
