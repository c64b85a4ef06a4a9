import { Box, Text } from 'ink';
import { useEffect, useMemo, type ReactNode } from 'react';
import { Row, type Segment } from '../components/window-list.js';
import { errorText } from '../client/errors.js';
import { wrapDetail } from '../components/detail-view.js';
import { isActiveStatus, type RunView } from '../client/station-client.js';
import { fit, formatCount, formatMs, plural, preview, prettyLines, truncate } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useTraceLoader } from '../hooks/use-trace-loader.js';
import { resolveKey } from '../keymap.js';
import { listWindow } from '../state/list-state.js';
import { shownStatus } from '../state/runs-state.js';
import type { TraceItem } from '../state/trace-items.js';
import type { TraceState } from '../state/trace-state.js';
import { statusStyle, type Theme } from '../theme.js';
import type { ScreenProps } from './screen-props.js';
import { useKeys } from '../hooks/use-keys.js';

const TITLE_ROWS = 1;
const PREVIEW_ROWS = 4;

/** Rows of the timeline for a body of `body` rows (title and preview take the rest). */
export function traceListHeight(body: number): number {
  return Math.max(1, body - TITLE_ROWS - PREVIEW_ROWS);
}

function mark(item: TraceItem): string {
  switch (item.kind) {
    case 'model':
      return '◆';
    case 'tool':
      return '⚙';
    case 'run':
      return '▶';
    default:
      return '·';
  }
}

/** One timeline row: step, kind, name, short arguments or note, then status, duration and tokens on the right. */
export function traceRow(item: TraceItem, width: number, theme: Theme): Segment[] {
  const status = statusStyle(theme, item.status);
  const tokens =
    item.tokensIn !== null || item.tokensOut !== null
      ? ` ${formatCount(item.tokensIn)}→${formatCount(item.tokensOut)} tok`
      : '';
  const state = item.status === 'pending' ? 'running' : item.status === 'cancelled' ? 'cancelled' : null;
  const right = `${state ?? formatMs(item.durationMs)}${tokens}`;
  const step = item.step === null ? '    ' : fit(String(item.step), 4, 'right');
  const head = `${step} ${mark(item)} ${item.title} `;
  let detail = '';
  if (item.kind === 'tool') {
    detail = `${preview(item.args, 200)}${item.result !== undefined ? ` → ${preview(item.result, 200)}` : ''}`;
    if (item.error !== null) detail = `${preview(item.args, 60)} ✗ ${item.error}`;
  } else {
    detail = item.error ?? item.note ?? '';
  }
  const room = Math.max(0, width - head.length - right.length - 3);
  return [
    { text: head, bold: item.kind !== 'other' },
    { text: fit(detail, room), color: item.error !== null ? theme.error : undefined },
    { text: ` ${status.mark} `, color: status.color },
    { text: right, color: theme.muted },
  ];
}

/** The lines of the full view of an item: each of its events as pretty-printed JSON. */
export function detailLines(item: TraceItem): string[] {
  const lines: string[] = [];
  for (const event of item.events) {
    lines.push(`── #${String(event.seq)} ${event.type}  ${new Date(event.ts).toISOString()}`);
    lines.push(...prettyLines(event.data));
  }
  return lines;
}

function runSummary(run: RunView | undefined, runId: number, stale: boolean): string {
  if (run === undefined) return `Run #${String(runId)}`;
  const parts = [
    `Run #${String(run.id)} ${run.agent}`,
    shownStatus(run, stale),
    plural(run.steps, 'step'),
    plural(run.toolCalls, 'tool call'),
    `${formatCount(run.tokens.total)} tokens`,
  ];
  if (run.durationMs !== null) parts.push(formatMs(run.durationMs));
  return parts.join(' · ');
}

/**
 * The footer's status line on the Trace screen: which events are held and whether a page is loading.
 * Derived from the state at render (an effect setting it would cost a render per page loaded).
 */
export function traceStatus(trace: TraceState, runId: number | null): string {
  if (runId === null) return '';
  const more = [
    trace.hasOlder ? 'older paged in as you scroll' : null,
    trace.hasNewer ? 'newer paged in at the end' : null,
  ].filter((x): x is string => x !== null);
  const where =
    more.length === 0
      ? `${String(trace.maxSeq)} events`
      : `events ${String(trace.minSeq)}–${String(trace.maxSeq)} (${more.join('; ')})`;
  return `${where}${trace.loading !== null ? ' · loading…' : ''}`;
}

/** Whether the run of the Trace screen has ended: its run.finished event was seen, or its row says so. */
export function traceRunEnded(trace: TraceState, run: RunView | undefined): boolean {
  return trace.ended !== null || (run !== undefined && !isActiveStatus(run.status));
}

/** The steps of one run as a timeline that follows new events while the run is live. */
export function TraceScreen({
  app,
  client,
  theme,
  width,
  height,
  active,
  runs,
  trace,
  traceDispatch,
  dispatch,
}: ScreenProps): ReactNode {
  const rows = traceListHeight(height);
  const runId = app.trace.runId;
  useEffect(() => {
    if (runId !== null && runId !== trace.runId) traceDispatch({ type: 'open', runId });
  }, [runId, trace.runId, traceDispatch]);
  useTraceLoader(client, trace, traceDispatch, rows);
  // The live list has the run unless it is old or from another environment: then it is asked for once.
  const listed = runs.runs.find((r) => r.id === runId);
  const fetched = useAsync(
    () => (runId === null || listed !== undefined ? Promise.resolve(undefined) : client.run(runId)),
    `run:${String(runId)}:${String(listed === undefined)}`,
  );
  const run = listed ?? fetched.data;
  const detailItem = trace.detail === null ? undefined : trace.items[trace.keys.get(trace.detail.key) ?? -1];
  // Long JSON lines (a long string, an error) wrap in the full view rather than being cut.
  const lines = useMemo(
    () => (detailItem === undefined ? [] : wrapDetail(detailLines(detailItem), width).map((l) => l.text)),
    [detailItem, width],
  );

  useKeys(
    (input, key) => {
      const action = resolveKey('trace', input, key);
      if (action === undefined) return;
      if (trace.detail !== null) {
        const scroll = (delta: number): void => {
          traceDispatch({ type: 'detail-scroll', delta, lines: lines.length, height: height - 1 });
        };
        if (action === 'back' || action === 'expand') traceDispatch({ type: 'detail', open: false });
        else if (action === 'up') scroll(-1);
        else if (action === 'down') scroll(1);
        else if (action === 'page-up') scroll(-(height - 2));
        else if (action === 'page-down') scroll(height - 2);
        else if (action === 'top') scroll(-lines.length);
        else if (action === 'bottom') scroll(lines.length);
        return;
      }
      switch (action) {
        case 'up':
          traceDispatch({ type: 'move', delta: -1, height: rows });
          return;
        case 'down':
          traceDispatch({ type: 'move', delta: 1, height: rows });
          return;
        case 'page-up':
          traceDispatch({ type: 'page-move', direction: -1, height: rows });
          return;
        case 'page-down':
          traceDispatch({ type: 'page-move', direction: 1, height: rows });
          return;
        case 'top':
          traceDispatch({ type: 'top' });
          return;
        case 'bottom':
          traceDispatch({ type: 'bottom', height: rows });
          return;
        case 'follow':
          traceDispatch({ type: 'follow', on: !trace.follow, height: rows });
          return;
        case 'expand':
          traceDispatch({ type: 'detail', open: true });
          return;
        case 'back':
          dispatch({ type: 'back' });
          return;
        case 'cancel':
          if (runId === null) return;
          if (traceRunEnded(trace, run)) {
            dispatch({
              type: 'notice',
              notice: {
                text: `Run #${String(runId)} is ${run?.status ?? trace.ended ?? 'finished'}; nothing to cancel.`,
                level: 'info',
              },
            });
            return;
          }
          client.cancelRun(runId).then(
            () => {
              dispatch({
                type: 'notice',
                notice: { text: `Cancelling run #${String(runId)}…`, level: 'info', runId },
              });
            },
            (error: unknown) => {
              dispatch({ type: 'notice', notice: { text: errorText(error), level: 'error' } });
            },
          );
          return;
        default:
          return;
      }
    },
    { isActive: active },
  );

  if (runId === null) {
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text bold>Trace</Text>
        <Text>No run opened. Open one from Runs (3) with enter, or run an agent from Agents (2) with r.</Text>
      </Box>
    );
  }

  const runStatus = run === undefined ? undefined : statusStyle(theme, shownStatus(run, runs.stale));
  // A finished run has nothing more to follow: no "[paused: G follows]" there.
  const ended = traceRunEnded(trace, run);
  const follow = ended ? (trace.follow ? '[at end]' : '') : trace.follow ? '[following]' : '[paused: G follows]';
  const title = (
    <Box height={1} width={width}>
      <Text bold {...(runStatus?.color !== undefined ? { color: runStatus.color } : {})}>
        {truncate(
          `${runStatus?.mark ?? '·'} ${runSummary(run, runId, runs.stale)}`,
          Math.max(10, width - follow.length - 1),
        )}
      </Text>
      <Box flexGrow={1} />
      <Text {...(theme.muted !== undefined ? { color: theme.muted } : {})}>{follow}</Text>
    </Box>
  );

  if (trace.detail !== null && detailItem !== undefined) {
    const view = lines.slice(trace.detail.line, trace.detail.line + height - 1);
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text bold>
          {truncate(
            `${detailItem.title} · ${String(trace.detail.line + 1)}-${String(trace.detail.line + view.length)} of ${String(lines.length)} lines · esc closes`,
            width,
          )}
        </Text>
        {view.map((line, i) => (
          <Text key={trace.detail === null ? i : trace.detail.line + i} wrap="truncate-end">
            {truncate(line, width)}
          </Text>
        ))}
      </Box>
    );
  }

  const win = listWindow(
    { cursor: trace.cursor, offset: trace.offset, filter: '', filtering: false },
    trace.items.length,
    rows,
  );
  const visible: ReactNode[] = [];
  for (let i = win.start; i < win.end; i++) {
    const item = trace.items[i];
    if (item !== undefined)
      visible.push(
        <Row
          key={item.key}
          segments={traceRow(item, width - 1, theme)}
          selected={i === win.cursor}
          focused={active}
          accent={theme.accent}
        />,
      );
  }
  const selected = trace.items[win.cursor];
  const previewLines: string[] = [];
  if (selected !== undefined) {
    if (selected.args !== undefined) previewLines.push(`args:   ${preview(selected.args, width)}`);
    if (selected.error !== null) previewLines.push(`error:  ${selected.error}`);
    if (selected.result !== undefined) previewLines.push(`result: ${preview(selected.result, width * 2)}`);
    if (selected.note !== null && (selected.kind !== 'tool' || selected.status === 'cancelled'))
      previewLines.push(selected.note);
    previewLines.push('enter: full JSON');
  }
  return (
    <Box width={width} height={height} flexDirection="column">
      {title}
      <Box flexDirection="column" height={rows}>
        {trace.items.length === 0 ? <Text>{trace.loaded ? 'No events yet.' : 'Loading…'}</Text> : visible}
      </Box>
      <Box flexDirection="column" height={PREVIEW_ROWS}>
        <Text {...(theme.muted !== undefined ? { color: theme.muted } : {})}>{'─'.repeat(Math.max(0, width))}</Text>
        {previewLines.slice(0, PREVIEW_ROWS - 1).map((line, i) => (
          <Text key={i} wrap="truncate-end">
            {truncate(line, width)}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
