import { Box } from 'ink';
import { useEffect, useMemo, type ReactNode } from 'react';
import { errorLines } from '../components/error-line.js';
import { ListPane, emptyText } from '../components/list-pane.js';
import type { Segment } from '../components/window-list.js';
import { isActiveStatus, type AgentView, type LastRunView, type ScheduleView } from '../client/station-client.js';
import { fit, formatAgo } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useListKeys } from '../hooks/use-list-keys.js';
import { lastRunByAgent } from '../state/runs-state.js';
import { listWindow, matchesFilter } from '../state/list-state.js';
import { anyFirePast, nextFire } from '../state/schedule-state.js';
import { statusStyle } from '../theme.js';
import { AgentDetail } from './agent-detail.js';
import { RunForm } from './run-form.js';
import type { ScreenProps } from './screen-props.js';

/** What the agents list of `env` is loaded as (useAsync, FirstLoads). */
export const agentsKey = (env: string): string => `agents:${env}`;

/** Agents of the current environment; enter shows one, `r` runs it. */
export function AgentsScreen(props: ScreenProps): ReactNode {
  const { app } = props;
  if (app.agentPane.kind === 'detail') return <AgentDetail {...props} name={app.agentPane.name} />;
  if (app.agentPane.kind === 'form') return <RunForm {...props} name={app.agentPane.name} />;
  return <AgentList {...props} />;
}

function AgentList({ app, dispatch, client, theme, width, height, active, runs, now }: ScreenProps): ReactNode {
  const list = app.lists.agents;
  const env = app.environment;
  const agents = useAsync(() => client.agents(env), agentsKey(env));
  // The schedules (every agent file read, the first time) are asked for once the list is there, so the
  // list is drawn first and its next-fire column filled in after.
  const schedules = useAsync(
    () => client.schedules(env),
    `schedules:${env}`,
    agents.data !== undefined || agents.error !== null,
  );
  const live = useMemo(() => lastRunByAgent(runs, env), [runs, env]);
  const scheduleOf = useMemo(
    () => new Map<string, ScheduleView>((schedules.data ?? []).map((s) => [s.agent, s])),
    [schedules.data],
  );
  // Once a shown next fire has passed, the schedules are loaded again (at most once per tick of `now`).
  const firePast = anyFirePast(schedules.data, now);
  const reloadSchedules = schedules.reload;
  useEffect(() => {
    if (firePast) reloadSchedules();
  }, [firePast, now, reloadSchedules]);
  const items = (agents.data ?? []).filter((a) =>
    matchesFilter(list.filter, a.name, a.description, a.model, ...a.tools),
  );
  const errorRows = agents.error === null ? 0 : errorLines(agents.error, width).length;
  const rows = Math.max(1, height - 2 - errorRows);
  const selected = items[listWindow(list, items.length, rows).cursor];

  useListKeys({
    id: 'agents',
    scope: 'agents',
    total: items.length,
    height: rows,
    dispatch,
    filtering: list.filtering,
    isActive: active,
    onAction: (action) => {
      if (action === 'refresh') {
        agents.reload();
        schedules.reload();
        return;
      }
      if (selected === undefined) return;
      if (action === 'open') dispatch({ type: 'open-agent', name: selected.name });
      else if (action === 'run') dispatch({ type: 'open-form', name: selected.name });
    },
  });

  // Wide terminals give the names, models and last runs room before the description takes the rest. The
  // next fire column is there when an agent of the environment has a schedule; below 120 columns the model
  // column gives it room.
  const next = scheduleOf.size === 0 ? 0 : width >= 120 ? 12 : 10;
  const cols =
    width >= 120
      ? { name: 28, model: 24, tools: 6, last: 20, next }
      : { name: 20, model: next > 0 ? 14 : 16, tools: 6, last: 16, next };
  const lastOf = (a: AgentView): LastRunView | null => {
    const run = live.get(a.name);
    if (run !== undefined && (a.lastRun === null || run.id >= a.lastRun.id))
      return { id: run.id, status: run.status, at: run.createdAt };
    return a.lastRun;
  };
  const renderRow = (a: AgentView, w: number): Segment[] => {
    const last = lastOf(a);
    const status = last === null ? null : runs.stale && isActiveStatus(last.status) ? 'stale' : last.status;
    const s = status === null ? null : statusStyle(theme, status);
    const descWidth = Math.max(0, w - cols.name - cols.model - cols.tools - cols.last - cols.next - 1);
    const fire = nextFire(scheduleOf.get(a.name), now);
    return [
      { text: fit(a.name, cols.name), bold: true },
      { text: fit(a.model ?? 'default', cols.model), color: a.model === null ? theme.muted : undefined },
      { text: fit(String(a.tools.length), cols.tools - 1, 'right') + ' ' },
      {
        text: fit(
          last === null || s === null ? '-' : `${s.mark} ${status ?? ''} ${formatAgo(last.at, now)}`,
          cols.last,
        ),
        color: s?.color,
      },
      ...(cols.next > 0
        ? [
            {
              text: ' ' + fit(fire.text, cols.next - 1),
              color: fire.state === 'paused' ? theme.warn : fire.state === 'next' ? undefined : theme.muted,
            },
          ]
        : []),
      { text: ' ' + fit(a.description, descWidth), color: theme.muted },
    ];
  };
  return (
    <Box flexDirection="column" width={width} height={height}>
      <ListPane
        title={`Agents in ${env}`}
        list={list}
        items={items}
        header={
          fit('NAME', cols.name) +
          fit('MODEL', cols.model) +
          fit('TOOLS', cols.tools - 1, 'right') +
          ' ' +
          fit('LAST RUN', cols.last) +
          (cols.next > 0 ? ' ' + fit('NEXT FIRE', cols.next - 1) : '') +
          ' DESCRIPTION'
        }
        error={agents.error}
        errorRows={errorRows}
        rows={rows}
        width={width}
        theme={theme}
        keyOf={(a) => a.name}
        renderRow={renderRow}
        empty={emptyText(
          agents.loading,
          list.filter,
          'agent',
          `No agents in ${env}. Add .prompt files to its agents/ folder.`,
        )}
        focused={active}
      />
    </Box>
  );
}
