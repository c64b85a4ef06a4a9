/**
 * The presentation state of the whole app and its pure reducer: which screen is shown, what is open on it,
 * the lists' cursors and filters, the help overlay, the current environment and the terminal size.
 * Data (runs, events) lives in its own reducers (src/tui/state/); nothing here talks to the core.
 */
import { initialListState, listReducer, type ListAction, type ListState } from '../state/list-state.js';
import type { RunStatus } from '../client/station-client.js';

export type ScreenId = 'environments' | 'agents' | 'runs' | 'trace' | 'mcp';

export const SCREENS: readonly { id: ScreenId; key: string; title: string }[] = [
  { id: 'environments', key: '1', title: 'Environments' },
  { id: 'agents', key: '2', title: 'Agents' },
  { id: 'runs', key: '3', title: 'Runs' },
  { id: 'trace', key: '4', title: 'Trace' },
  { id: 'mcp', key: '5', title: 'MCP' },
];

export type ListId = 'environments' | 'agents' | 'runs' | 'mcp-servers' | 'mcp-tools';

export type AgentPane = { kind: 'list' } | { kind: 'detail'; name: string } | { kind: 'form'; name: string };

export type StatusFilter = 'all' | 'active' | 'completed' | 'failed' | 'cancelled';
export const STATUS_FILTERS: readonly StatusFilter[] = ['all', 'active', 'completed', 'failed', 'cancelled'];

/** The run statuses a status filter lets through (undefined: all). */
export function statusesFor(filter: StatusFilter): RunStatus[] | undefined {
  switch (filter) {
    case 'all':
      return undefined;
    case 'active':
      return ['queued', 'running'];
    case 'completed':
      return ['completed'];
    case 'failed':
      return ['failed', 'timed_out', 'interrupted'];
    case 'cancelled':
      return ['cancelled'];
  }
}

export interface Notice {
  text: string;
  level: 'info' | 'error';
  /** A notice about a run in progress ("Cancelling run #3…"): no longer shown once that run has ended. */
  runId?: number;
}

export interface AppState {
  screen: ScreenId;
  environment: string;
  help: boolean;
  agentPane: AgentPane;
  mcpPane: 'servers' | 'tools';
  /** The MCP server or tool shown in full (its list cursor picks which). */
  mcpDetail: boolean;
  /** The Environments screen asks for the variables a sync is missing (its fields take the keys). */
  variablesForm: boolean;
  /** The Environments screen installs a bundle: its source form (fields take the keys), or the trust gate. */
  bundleInstall: 'source' | 'gate' | null;
  /** The run shown on the Trace screen, and the screen esc goes back to. */
  trace: { runId: number | null; returnTo: ScreenId };
  runsFilter: { status: StatusFilter; agent: string | null };
  lists: Record<ListId, ListState>;
  notice: Notice | null;
  size: { columns: number; rows: number };
}

export type AppAction =
  | { type: 'screen'; screen: ScreenId }
  | { type: 'cycle-screen'; delta: 1 | -1 }
  | { type: 'help'; open: boolean }
  | { type: 'use-environment'; name: string }
  | { type: 'list'; id: ListId; action: ListAction }
  | { type: 'open-agent'; name: string }
  | { type: 'open-form'; name: string }
  | { type: 'open-trace'; runId: number; from: ScreenId }
  | { type: 'back' }
  | { type: 'mcp-pane' }
  | { type: 'mcp-detail'; open: boolean }
  | { type: 'variables-form'; open: boolean }
  | { type: 'bundle-install'; step: 'source' | 'gate' | null }
  | { type: 'runs-status-filter' }
  | { type: 'runs-agent-filter'; agents: readonly string[] }
  | { type: 'notice'; notice: Notice | null }
  | { type: 'resize'; columns: number; rows: number };

/** The smallest terminal the layout is made for; smaller ones get the same layout, clipped. */
export const MIN_SIZE = { columns: 80, rows: 24 } as const;

/** The screen the UI opens on unless told otherwise. */
export const FIRST_SCREEN: ScreenId = 'agents';

export function initialAppState(options: {
  environment: string;
  columns?: number;
  rows?: number;
  screen?: ScreenId;
}): AppState {
  const list = initialListState;
  return {
    screen: options.screen ?? FIRST_SCREEN,
    environment: options.environment,
    help: false,
    agentPane: { kind: 'list' },
    mcpPane: 'servers',
    mcpDetail: false,
    variablesForm: false,
    bundleInstall: null,
    trace: { runId: null, returnTo: 'runs' },
    runsFilter: { status: 'all', agent: null },
    lists: { environments: list, agents: list, runs: list, 'mcp-servers': list, 'mcp-tools': list },
    notice: null,
    size: { columns: options.columns ?? MIN_SIZE.columns, rows: options.rows ?? MIN_SIZE.rows },
  };
}

function cycle<T>(items: readonly T[], current: T, delta: number): T {
  const index = items.indexOf(current);
  if (items.length === 0) return current;
  const next = (index + delta + items.length) % items.length;
  return items[next] as T;
}

/** The list the current screen browses, if any (for filter and cursor keys). */
export function activeListId(state: AppState): ListId | undefined {
  switch (state.screen) {
    case 'environments':
      return 'environments';
    case 'agents':
      return state.agentPane.kind === 'list' ? 'agents' : undefined;
    case 'runs':
      return 'runs';
    case 'mcp':
      return state.mcpDetail ? undefined : state.mcpPane === 'servers' ? 'mcp-servers' : 'mcp-tools';
    case 'trace':
      return undefined;
  }
}

/** Is a text field taking the keys (a filter being typed, the run form)? Then single-letter keys are text. */
export function isTextEntry(state: AppState): boolean {
  if (state.screen === 'agents' && state.agentPane.kind === 'form') return true;
  if (state.screen === 'environments' && (state.variablesForm || state.bundleInstall !== null)) return true;
  const id = activeListId(state);
  return id !== undefined && state.lists[id].filtering;
}

function back(state: AppState): AppState {
  const id = activeListId(state);
  if (id !== undefined && state.lists[id].filter !== '') {
    return { ...state, lists: { ...state.lists, [id]: listReducer(state.lists[id], { type: 'filter-clear' }) } };
  }
  switch (state.screen) {
    case 'agents':
      if (state.agentPane.kind === 'form')
        return { ...state, agentPane: { kind: 'detail', name: state.agentPane.name } };
      if (state.agentPane.kind === 'detail') return { ...state, agentPane: { kind: 'list' } };
      return state;
    case 'trace':
      return { ...state, screen: state.trace.returnTo };
    case 'mcp':
      return state.mcpDetail ? { ...state, mcpDetail: false } : state;
    default:
      return state;
  }
}

export function appReducer(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'screen':
      return { ...state, screen: action.screen, help: false };
    case 'cycle-screen':
      return {
        ...state,
        help: false,
        screen: cycle(
          SCREENS.map((s) => s.id),
          state.screen,
          action.delta,
        ),
      };
    case 'help':
      return { ...state, help: action.open };
    case 'use-environment':
      if (action.name === state.environment) return state;
      return {
        ...state,
        environment: action.name,
        agentPane: { kind: 'list' },
        mcpDetail: false,
        lists: {
          ...state.lists,
          agents: initialListState,
          'mcp-servers': initialListState,
          'mcp-tools': initialListState,
        },
        notice: { text: `Environment: ${action.name}`, level: 'info' },
      };
    case 'list':
      return { ...state, lists: { ...state.lists, [action.id]: listReducer(state.lists[action.id], action.action) } };
    case 'open-agent':
      return { ...state, screen: 'agents', agentPane: { kind: 'detail', name: action.name } };
    case 'open-form':
      return { ...state, screen: 'agents', agentPane: { kind: 'form', name: action.name } };
    case 'open-trace': {
      // Starting a run from the form goes to its trace; esc then comes back to the agent's detail.
      const agentPane: AgentPane =
        state.agentPane.kind === 'form' ? { kind: 'detail', name: state.agentPane.name } : state.agentPane;
      return {
        ...state,
        screen: 'trace',
        agentPane,
        trace: { runId: action.runId, returnTo: action.from === 'trace' ? state.trace.returnTo : action.from },
      };
    }
    case 'back':
      return back(state);
    case 'mcp-pane':
      return { ...state, mcpPane: state.mcpPane === 'servers' ? 'tools' : 'servers', mcpDetail: false };
    case 'mcp-detail':
      return { ...state, mcpDetail: action.open };
    case 'variables-form':
      return { ...state, variablesForm: action.open };
    case 'bundle-install':
      return { ...state, bundleInstall: action.step };
    case 'runs-status-filter':
      return {
        ...state,
        runsFilter: { ...state.runsFilter, status: cycle(STATUS_FILTERS, state.runsFilter.status, 1) },
        lists: { ...state.lists, runs: { ...state.lists.runs, cursor: 0, offset: 0 } },
      };
    case 'runs-agent-filter': {
      const options: (string | null)[] = [null, ...[...new Set(action.agents)].sort()];
      return {
        ...state,
        runsFilter: { ...state.runsFilter, agent: cycle(options, state.runsFilter.agent, 1) },
        lists: { ...state.lists, runs: { ...state.lists.runs, cursor: 0, offset: 0 } },
      };
    }
    case 'notice':
      return { ...state, notice: action.notice };
    case 'resize':
      if (action.columns === state.size.columns && action.rows === state.size.rows) return state;
      return { ...state, size: { columns: action.columns, rows: action.rows } };
  }
}
