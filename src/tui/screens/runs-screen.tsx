import { Box } from 'ink';
import { useMemo, type ReactNode } from 'react';
import { ListPane } from '../components/list-pane.js';
import type { Segment } from '../components/window-list.js';
import { errorText } from '../client/errors.js';
import { isActiveStatus, type RunView } from '../client/station-client.js';
import { fit, formatAgo, stringWidth, formatCount, formatDateTime, formatMs } from '../format.js';
import { useListKeys } from '../hooks/use-list-keys.js';
import { listWindow, matchesFilter } from '../state/list-state.js';
import { statusStyle } from '../theme.js';
import { statusesFor, type AppState } from '../app/reducer.js';
import { shownStatus, type RunsState } from '../state/runs-state.js';
import type { ScreenProps } from './screen-props.js';

/** The footer's status line on the Runs screen (derived at render, not set from an effect). */
export function runsStatus(runs: RunsState, environment: string): string {
  if (!runs.loaded) return 'Loading runs…';
  const inEnv = runs.runs.filter((r) => r.environment === environment).length;
  return `${String(inEnv)} runs in ${environment} (newest ${String(runs.limit)} kept)`;
}

/** The runs the Runs screen lists: the current environment's, through its status, agent and text filters. */
export function shownRuns(
  runs: readonly RunView[],
  environment: string,
  runsFilter: AppState['runsFilter'],
  filter: string,
): RunView[] {
  const statuses = statusesFor(runsFilter.status);
  const { agent } = runsFilter;
  return runs.filter(
    (r) =>
      r.environment === environment &&
      (statuses === undefined || statuses.includes(r.status)) &&
      (agent === null || r.agent === agent) &&
      matchesFilter(filter, `#${String(r.id)}`, r.agent, r.status, r.error?.message),
  );
}

/** Rows of the Runs list for a body of `height` rows. */
export function runsListRows(height: number): number {
  return Math.max(1, height - 2);
}

const RUN_COLS = { id: 7, status: 12, age: 9, duration: 8, steps: 6, tools: 6, tokens: 8 };
/** Columns shown when the terminal is wide enough, in this order of priority, with their widths. */
const WIDE_COLS = [
  { key: 'stop', width: 12 },
  { key: 'started', width: 19 },
  { key: 'model', width: 17 },
] as const;
/** The agent column is kept at least this wide before a wide column is added, and at most this wide after. */
const AGENT_MIN = 30;
const AGENT_MAX = 32;
/** The last column (the error of failed runs) only when it gets at least this much room. */
const ERROR_MIN = 16;

export interface RunsColumns {
  cols: typeof RUN_COLS;
  agentWidth: number;
  /** Widths of the columns wide terminals add (0: not shown). */
  wide: { stop: number; started: number; model: number; error: number };
}

/**
 * The Runs list's columns at `width`: at 80 columns the basics with the agent column taking the rest;
 * wider terminals add the stop reason, the start time, the model and the error, rather than one very wide
 * agent column.
 */
export function runsColumns(width: number, longestAgent = AGENT_MAX): RunsColumns {
  const fixed = Object.values(RUN_COLS).reduce((a, b) => a + b, 0);
  let room = width - 1 - fixed;
  const wide = { stop: 0, started: 0, model: 0, error: 0 };
  for (const col of WIDE_COLS) {
    if (room - col.width < AGENT_MIN) break;
    wide[col.key] = col.width;
    room -= col.width;
  }
  // With wide columns, the agent column is as wide as the names need (up to AGENT_MAX); the error the rest.
  const agentNeeds = Math.min(AGENT_MAX, Math.max(8, longestAgent + 2));
  const extra = wide.stop > 0 && room - agentNeeds >= ERROR_MIN;
  const agentWidth = extra ? agentNeeds : Math.max(8, room);
  if (extra) wide.error = room - agentWidth;
  return { cols: RUN_COLS, agentWidth, wide };
}

/** The headings line of the Runs list for these columns. */
export function runsHeader({ cols, agentWidth, wide }: RunsColumns): string {
  return (
    fit('ID', cols.id) +
    fit('AGENT', agentWidth) +
    fit('STATUS', cols.status) +
    (wide.stop > 0 ? fit('STOP', wide.stop) : '') +
    fit('AGE', cols.age, 'right') +
    fit('TIME', cols.duration, 'right') +
    fit('STEPS', cols.steps, 'right') +
    fit('TOOLS', cols.tools, 'right') +
    fit('TOKENS', cols.tokens, 'right') +
    (wide.started > 0 ? '  ' + fit('STARTED', wide.started - 2) : '') +
    (wide.model > 0 ? fit('MODEL', wide.model) : '') +
    (wide.error > 0 ? fit('ERROR', wide.error) : '')
  );
}

/** The run under the cursor of the Runs screen (for its keys and the footer's hints). */
export function selectedRun(app: AppState, runs: readonly RunView[], height: number): RunView | undefined {
  return runs[listWindow(app.lists.runs, runs.length, runsListRows(height)).cursor];
}

/** The runs of the current environment, newest first, live; filter by status (s), agent (a) and text (/). */
export function RunsScreen({
  app,
  dispatch,
  client,
  theme,
  width,
  height,
  active,
  runs,
  reloadRuns,
  now,
}: ScreenProps): ReactNode {
  const list = app.lists.runs;
  const { status: statusFilter, agent } = app.runsFilter;
  const inEnv = useMemo(() => runs.runs.filter((r) => r.environment === app.environment), [runs.runs, app.environment]);
  const items = useMemo(
    () => shownRuns(runs.runs, app.environment, app.runsFilter, list.filter),
    [runs.runs, app.environment, app.runsFilter, list.filter],
  );
  const rows = runsListRows(height);
  const selected = selectedRun(app, items, height);

  useListKeys({
    id: 'runs',
    scope: 'runs',
    total: items.length,
    height: rows,
    dispatch,
    filtering: list.filtering,
    isActive: active,
    onAction: (action) => {
      if (action === 'status-filter') {
        dispatch({ type: 'runs-status-filter' });
        return;
      }
      if (action === 'refresh') {
        reloadRuns();
        return;
      }
      if (action === 'agent-filter') {
        dispatch({ type: 'runs-agent-filter', agents: inEnv.map((r) => r.agent) });
        return;
      }
      if (selected === undefined) return;
      if (action === 'open') dispatch({ type: 'open-trace', runId: selected.id, from: 'runs' });
      else if (action === 'cancel') {
        if (!isActiveStatus(selected.status)) {
          dispatch({
            type: 'notice',
            notice: { text: `Run #${String(selected.id)} is ${selected.status}; nothing to cancel.`, level: 'info' },
          });
          return;
        }
        const id = selected.id;
        client.cancelRun(id).then(
          () => {
            dispatch({ type: 'notice', notice: { text: `Cancelling run #${String(id)}…`, level: 'info', runId: id } });
          },
          (error: unknown) => {
            dispatch({ type: 'notice', notice: { text: errorText(error), level: 'error' } });
          },
        );
      }
    },
  });

  const layout = runsColumns(
    width,
    items.reduce((w, r) => Math.max(w, stringWidth(r.agent)), 0),
  );
  const { cols, agentWidth, wide } = layout;
  const renderRow = (r: RunView): Segment[] => {
    const shown = shownStatus(r, runs.stale);
    const s = statusStyle(theme, shown);
    const row: Segment[] = [
      { text: fit(`#${String(r.id)}`, cols.id) },
      { text: fit(r.agent, agentWidth) },
      { text: fit(`${s.mark} ${shown}`, cols.status), color: s.color },
    ];
    if (wide.stop > 0) row.push({ text: fit(r.stopReason ?? '-', wide.stop - 1) + ' ' });
    row.push(
      { text: fit(formatAgo(r.createdAt, now), cols.age, 'right') },
      {
        text: fit(
          r.durationMs === null ? (isActiveStatus(r.status) ? '…' : '-') : formatMs(r.durationMs),
          cols.duration,
          'right',
        ),
      },
      { text: fit(String(r.steps), cols.steps, 'right') },
      { text: fit(String(r.toolCalls), cols.tools, 'right') },
      { text: fit(formatCount(r.tokens.total), cols.tokens, 'right') },
    );
    if (wide.started > 0)
      row.push({ text: '  ' + fit(formatDateTime(r.startedAt ?? r.createdAt), wide.started - 3) + ' ' });
    if (wide.model > 0) row.push({ text: fit(r.model ?? '-', wide.model - 1) + ' ' });
    if (wide.error > 0 && r.error !== null) row.push({ text: fit(r.error.message, wide.error), color: theme.error });
    return row;
  };
  const filters = `status: ${statusFilter} (s)  agent: ${agent ?? 'all'} (a)`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <ListPane
        title="Runs"
        extra={filters}
        list={list}
        items={items}
        header={runsHeader(layout)}
        rows={rows}
        width={width}
        theme={theme}
        keyOf={(r) => r.id}
        renderRow={renderRow}
        empty={
          !runs.loaded
            ? 'Loading…'
            : inEnv.length === 0
              ? 'No runs yet. Run an agent from Agents (2) with r.'
              : 'No run matches the filters.'
        }
        focused={active}
      />
    </Box>
  );
}
