import type { Dispatch } from 'react';
import type { AppAction, AppState } from '../app/reducer.js';
import type { StationClient } from '../client/station-client.js';
import type { RunsState } from '../state/runs-state.js';
import type { TraceAction, TraceState } from '../state/trace-state.js';
import type { Theme } from '../theme.js';

/** What every screen gets from the root. */
export interface ScreenProps {
  app: AppState;
  dispatch: Dispatch<AppAction>;
  client: StationClient;
  theme: Theme;
  width: number;
  /** Rows of the body (between header and footer). */
  height: number;
  /** Does this screen take the keys now (it is shown and no overlay is open)? */
  active: boolean;
  runs: RunsState;
  /** Reloads the runs list from the store (live updates keep it current otherwise). */
  reloadRuns: () => void;
  trace: TraceState;
  traceDispatch: Dispatch<TraceAction>;
  /** The time, refreshed every few seconds (for ages). */
  now: number;
}
