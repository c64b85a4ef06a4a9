import type { StationClient } from '../client/station-client.js';
import { FirstLoads } from '../hooks/first-loads.js';
import { agentsKey } from '../screens/agents-screen.js';
import { ENVIRONMENTS_KEY } from '../screens/environments-screen.js';
import { RUNS_LIMIT } from '../state/runs-state.js';
import type { ScreenId } from './reducer.js';
import { RUNS_KEY } from './root.js';

/**
 * How long the first frame waits for its data at most. A local Station answers within a few ms, so its first
 * frame is the full screen; a remote one that takes longer gets the chrome (header, frame, footer) at once
 * after this, and its data filled in when it answers.
 */
export const FIRST_FRAME_WAIT_MS = 50;

/** Asks for what the first frame shows: the runs, and the list of the screen the UI opens on. */
export function startFirstLoads(client: StationClient, environment: string, screen: ScreenId): FirstLoads {
  const loads = new FirstLoads();
  loads.start(RUNS_KEY, () => client.runs({ limit: RUNS_LIMIT }));
  if (screen === 'agents') loads.start(agentsKey(environment), () => client.agents(environment));
  if (screen === 'environments') loads.start(ENVIRONMENTS_KEY, () => client.environments());
  return loads;
}
