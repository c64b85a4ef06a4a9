import { ExitCode, StationError, errorMessage, isStationError, type StationErrorOptions } from '../errors.js';
import type { EventError, RunEventData } from '../events/run-events.js';

/** The queue is at its limit; the run was not accepted. */
export class QueueFullError extends StationError {
  constructor(queued: number, options: StationErrorOptions = {}) {
    super('queue_full', `the run queue is full (${String(queued)} runs waiting)`, ExitCode.QUEUE_FULL, {
      hints: ['Try again when running agents finish, or raise runner.queue_size / runner.workers in config.yaml.'],
      details: { queued },
      ...options,
    });
  }
}

/** Why a run was stopped from outside: the abort reason of its signal. */
export class RunAbort extends Error {
  constructor(
    readonly kind: 'cancelled' | 'timeout' | 'shutdown',
    message: string,
  ) {
    super(message);
    this.name = 'RunAbort';
  }
}

/** The outcome of a run (the data of its run.finished event, and whose run): what the done promise gives. */
export type RunResult = { runId: number; agent: string; environment: string } & RunEventData['run.finished'];

/** The process exit code for a finished run (README "Exit codes"). */
export function runExitCode(result: Pick<RunResult, 'status' | 'stopReason'>): number {
  switch (result.status) {
    case 'completed':
      return result.stopReason === 'max_steps' ? ExitCode.RUN_MAX_STEPS : ExitCode.OK;
    case 'timed_out':
      return ExitCode.RUN_TIMED_OUT;
    case 'cancelled':
      return ExitCode.RUN_CANCELLED;
    case 'failed':
    case 'interrupted':
    case 'queued':
    case 'running':
      return ExitCode.RUN_FAILED;
  }
}

/** The error recorded for a failed run: a stable code and a message (never a stack, never a secret). */
export function toEventError(error: unknown): EventError {
  if (error instanceof RunAbort) return { code: error.kind, message: error.message };
  if (isStationError(error)) return { code: error.code, message: error.message };
  return { code: 'internal', message: errorMessage(error) };
}
