import { Box, Text } from 'ink';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AgentDetailView, ScheduleView } from '../client/station-client.js';
import { prettyLines, truncate } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { resolveKey } from '../keymap.js';
import { clamp } from '../state/list-state.js';
import { anyFirePast, scheduleLine } from '../state/schedule-state.js';
import type { ScreenProps } from './screen-props.js';
import { useKeys } from '../hooks/use-keys.js';
import { ErrorLine } from '../components/error-line.js';
import { wrapDetail } from '../components/detail-view.js';

export interface DetailLine {
  text: string;
  heading?: boolean;
}

/** Everything about an agent, as lines: header, schedule (if it has one), tools, input schema, frontmatter, prompt. */
export function agentDetailLines(agent: AgentDetailView, schedule?: ScheduleView, now = Date.now()): DetailLine[] {
  const lines: DetailLine[] = [];
  lines.push({
    text: `${agent.name} — ${agent.description === '' ? '(no description)' : agent.description}`,
    heading: true,
  });
  lines.push({
    text: `file: ${agent.file ?? '-'}   model: ${agent.model ?? 'default'}   max steps: ${agent.maxSteps === null ? 'default' : String(agent.maxSteps)}`,
  });
  if (schedule !== undefined) lines.push({ text: scheduleLine(schedule, now) });
  if (agent.warnings.length > 0) {
    lines.push({ text: '' });
    lines.push({ text: `Warnings (${String(agent.warnings.length)})`, heading: true });
    for (const w of agent.warnings) lines.push({ text: `  ${w}` });
  }
  lines.push({ text: '' });
  lines.push({ text: `Tools (${String(agent.tools.length)})`, heading: true });
  if (agent.tools.length === 0) lines.push({ text: '  none' });
  for (const tool of agent.tools) lines.push({ text: `  ${tool}` });
  lines.push({ text: '' });
  lines.push({ text: 'Input schema', heading: true });
  for (const line of prettyLines(agent.inputSchema)) lines.push({ text: `  ${line}` });
  lines.push({ text: '' });
  lines.push({ text: 'Frontmatter', heading: true });
  for (const line of prettyLines(agent.frontmatter)) lines.push({ text: `  ${line}` });
  lines.push({ text: '' });
  lines.push({ text: 'Prompt', heading: true });
  for (const line of agent.template.split('\n')) lines.push({ text: `  ${line}` });
  return lines;
}

/** One agent in full, scrollable; `r` opens the run form, esc goes back to the list. */
export function AgentDetail({
  app,
  dispatch,
  client,
  theme,
  width,
  height,
  active,
  now,
  name,
}: ScreenProps & { name: string }): ReactNode {
  const env = app.environment;
  const agent = useAsync(() => client.agent(env, name), `agent:${env}:${name}`);
  // The schedule line is extra: when the schedules cannot be read, the detail shows without it.
  const schedules = useAsync(() => client.schedules(env), `schedules:${env}`);
  const schedule = schedules.data?.find((s) => s.agent === name);
  // Once its next fire has passed, the schedule is read again (at most once per tick of `now`).
  const firePast = anyFirePast(schedule === undefined ? [] : [schedule], now);
  const reloadSchedules = schedules.reload;
  useEffect(() => {
    if (firePast) reloadSchedules();
  }, [firePast, now, reloadSchedules]);
  const [offset, setOffset] = useState(0);
  // Long lines (a description, a warning, the prompt) wrap rather than being cut.
  const lines = useMemo(
    () => (agent.data === undefined ? [] : wrapDetail(agentDetailLines(agent.data, schedule, now), width)),
    [agent.data, schedule, now, width],
  );
  const rows = Math.max(1, height - 1);
  const maxOffset = Math.max(0, lines.length - rows);

  useKeys(
    (input, key) => {
      const action = resolveKey('agent-detail', input, key);
      const scroll = (delta: number): void => {
        setOffset((o) => clamp(o + delta, 0, maxOffset));
      };
      switch (action) {
        case 'up':
          scroll(-1);
          return;
        case 'down':
          scroll(1);
          return;
        case 'page-up':
          scroll(-(rows - 1));
          return;
        case 'page-down':
          scroll(rows - 1);
          return;
        case 'top':
          setOffset(0);
          return;
        case 'bottom':
          setOffset(maxOffset);
          return;
        case 'run':
          if (agent.data !== undefined) dispatch({ type: 'open-form', name });
          return;
        case 'back':
          dispatch({ type: 'back' });
          return;
        default:
          return;
      }
    },
    { isActive: active },
  );

  if (agent.error !== null) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <ErrorLine message={agent.error} theme={theme} width={width} />
        <Text>esc goes back to the list.</Text>
      </Box>
    );
  }
  const shown = lines.slice(offset, offset + rows);
  const more = lines.length - offset - shown.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {agent.data === undefined ? <Text>Loading {name}…</Text> : null}
      {shown.map((line, i) => (
        <Text
          key={offset + i}
          bold={line.heading === true}
          {...(line.heading === true && theme.accent !== undefined ? { color: theme.accent } : {})}
          wrap="truncate-end"
        >
          {truncate(line.text, width)}
        </Text>
      ))}
      {agent.data !== undefined ? (
        <Text dimColor>{more > 0 ? `↓ ${String(more)} more lines (j/k, PgDn)` : 'r runs this agent'}</Text>
      ) : null}
    </Box>
  );
}
