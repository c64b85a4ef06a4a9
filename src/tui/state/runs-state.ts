/**
 * The live list of runs: loaded once from the store, then kept current by run updates from the client
 * (this process's event bus and the rows other processes write). Bounded: only the newest `limit` runs
 * are kept, plus any that are still active.
 */
import { displayStatus, isActiveStatus, type RunView } from '../client/station-client.js';

export interface RunsState {
  /** Newest first. */
  runs: RunView[];
  loaded: boolean;
  limit: number;
  /**
   * The connection to the runs' source is lost: the status of a run that was queued or running is not
   * known any more (shown as stale) until the list is loaded again after the reconnect.
   */
  stale: boolean;
}

export const RUNS_LIMIT = 500;

export function initialRunsState(limit = RUNS_LIMIT): RunsState {
  return { runs: [], loaded: false, limit, stale: false };
}

export type RunsAction =
  { type: 'runs-loaded'; runs: RunView[] } | { type: 'runs-updated'; runs: RunView[] } | { type: 'connection-lost' };

function bound(runs: RunView[], limit: number): RunView[] {
  if (runs.length <= limit) return runs;
  return runs.filter((run, index) => index < limit || isActiveStatus(run.status));
}

export function runsReducer(state: RunsState, action: RunsAction): RunsState {
  switch (action.type) {
    case 'runs-loaded':
      return {
        ...state,
        loaded: true,
        stale: false,
        runs: bound(
          [...action.runs].sort((a, b) => b.id - a.id),
          state.limit,
        ),
      };
    case 'runs-updated': {
      if (action.runs.length === 0) return state;
      const byId = new Map(state.runs.map((r) => [r.id, r]));
      let changed = false;
      for (const run of action.runs) {
        const previous = byId.get(run.id);
        if (previous !== undefined && sameRun(previous, run)) continue;
        byId.set(run.id, run);
        changed = true;
      }
      if (!changed) return state;
      return {
        ...state,
        runs: bound(
          [...byId.values()].sort((a, b) => b.id - a.id),
          state.limit,
        ),
      };
    }
    case 'connection-lost':
      return state.stale ? state : { ...state, stale: true };
  }
}

/**
 * The status a run's row shows: `stale` for a run that was active when the connection was lost (its
 * real status is unknown until the list is loaded again), else its display status (max_steps apart).
 */
export function shownStatus(run: RunView, stale: boolean): string {
  return stale && isActiveStatus(run.status) ? 'stale' : displayStatus(run);
}

function sameRun(a: RunView, b: RunView): boolean {
  return (
    a.status === b.status &&
    a.steps === b.steps &&
    a.toolCalls === b.toolCalls &&
    a.tokens.total === b.tokens.total &&
    a.finishedAt === b.finishedAt &&
    a.error?.message === b.error?.message
  );
}

/** Runs queued or running (while the list is stale: those that were when the connection was lost). */
export function runningCount(state: RunsState): number {
  return state.runs.filter((r) => isActiveStatus(r.status)).length;
}

/** The newest run of each agent in an environment (the Agents list's "last run" column). */
export function lastRunByAgent(state: RunsState, environment: string): Map<string, RunView> {
  const last = new Map<string, RunView>();
  for (const run of state.runs) {
    if (run.environment !== environment) continue;
    if (!last.has(run.agent)) last.set(run.agent, run);
  }
  return last;
}
