/**
 * The worker `stn agent run --detach` starts when no `stn serve` runs on the home: a process of its own
 * (hidden command `stn __worker`) that takes the runs queued for its pid, executes them with the engine's
 * runner and exits once none is left. If it dies, its runs are marked interrupted like those of any
 * process that died.
 */
import type { Runner } from './runner.js';

export interface WorkerOptions {
  /** How often to look for runs queued for this process (ms; default 200). */
  pollMs?: number;
  /** How long to wait for a first run before giving up (ms; default 30 s: the starter died before queuing). */
  firstRunWithinMs?: number;
  /** Stops the worker early (SIGTERM): runs going are cancelled as at shutdown. */
  signal?: AbortSignal;
}

/** Runs what is queued for this process until nothing is left; resolves with the ids it ran. */
export async function runQueuedHere(runner: Runner, options: WorkerOptions = {}): Promise<number[]> {
  const pollMs = options.pollMs ?? 200;
  const deadline = Date.now() + (options.firstRunWithinMs ?? 30_000);
  const ran: number[] = [];
  while (options.signal?.aborted !== true) {
    ran.push(...(await runner.adoptAddressed()));
    if (!runner.busy && (ran.length > 0 || Date.now() > deadline)) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  await runner.shutdown({ graceMs: 0 });
  return ran;
}
