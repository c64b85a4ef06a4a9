import { Box, Text } from 'ink';
import { useMemo, useState, type ReactNode } from 'react';
import { DetailView, detailMaxOffset, wrapDetail } from '../components/detail-view.js';
import { ListTitle } from '../components/list-title.js';
import { WindowList, type Segment } from '../components/window-list.js';
import type { McpServerView, McpToolView } from '../client/station-client.js';
import { errorText } from '../client/errors.js';
import { fit, formatAgo, prettyLines, truncate } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useListKeys } from '../hooks/use-list-keys.js';
import { resolveKey } from '../keymap.js';
import { clamp, listWindow, matchesFilter } from '../state/list-state.js';
import { statusStyle } from '../theme.js';
import type { ScreenProps } from './screen-props.js';
import { useKeys } from '../hooks/use-keys.js';

const STDERR_ROWS = 5;
/** After the selected tool's one-line description: it is cut to fit, the way to read it all is not. */
const TOOL_HINT = '  (enter: in full, with its schema)';

/** The lines of a tool's full view: name, description, input schema. */
export function toolDetailLines(tool: McpToolView): string[] {
  return [
    tool.qualifiedName,
    '',
    ...tool.description.split('\n'),
    '',
    'Input schema:',
    ...prettyLines(tool.inputSchema).map((l) => `  ${l}`),
  ];
}

/** The lines of a server's full view: state, error and the whole stderr tail. */
export function serverDetailLines(server: McpServerView): string[] {
  return [
    `${server.name} (${server.transport}) · ${server.state} · ${String(server.toolCount)} tools · ${server.source === 'live' ? 'live status' : `recorded at last sync ${server.lastSyncedAt ?? '-'}`}`,
    ...(server.error === null ? [] : ['', `error: ${server.error}`]),
    '',
    'stderr (tail):',
    ...(server.stderrTail === '' ? ['  (empty)'] : server.stderrTail.split('\n').map((l) => `  ${l}`)),
  ];
}

/** MCP servers (status, stderr tail) and their tools (description, schema); `t` switches, `/` filters. */
export function McpScreen({ app, dispatch, client, theme, width, height, active, now }: ScreenProps): ReactNode {
  const env = app.environment;
  const servers = useAsync(() => client.mcpServers(env), `servers:${env}`);
  const [check, setCheck] = useState<{
    env: string;
    running: boolean;
    servers: McpServerView[] | null;
    error: string | null;
  } | null>(null);
  const live = check !== null && check.env === env ? check : null;
  const serverData = live?.servers ?? servers.data;
  const tools = useAsync(() => client.mcpTools(env), `tools:${env}`);
  const pane = app.mcpPane;
  const listId = pane === 'servers' ? 'mcp-servers' : 'mcp-tools';
  const list = app.lists[listId];
  const serverItems = useMemo(
    () =>
      (serverData ?? []).filter((s) =>
        matchesFilter(app.lists['mcp-servers'].filter, s.name, s.state, s.error, s.transport),
      ),
    [serverData, app.lists],
  );
  const toolItems = useMemo(
    () =>
      (tools.data ?? []).filter((t) => matchesFilter(app.lists['mcp-tools'].filter, t.qualifiedName, t.description)),
    [tools.data, app.lists],
  );
  const total = pane === 'servers' ? serverItems.length : toolItems.length;
  const rows = Math.max(1, height - 2 - (pane === 'servers' ? STDERR_ROWS : 2));
  const cursor = listWindow(list, total, rows).cursor;
  const selectedServer = pane === 'servers' ? serverItems[cursor] : undefined;
  const selectedTool = pane === 'tools' ? toolItems[cursor] : undefined;
  const [detailOffset, setDetailOffset] = useState(0);
  const detailText = app.mcpDetail
    ? selectedServer !== undefined
      ? serverDetailLines(selectedServer)
      : selectedTool !== undefined
        ? toolDetailLines(selectedTool)
        : null
    : null;
  const detail =
    detailText === null
      ? null
      : wrapDetail(
          detailText.map((text, i) => ({ text, heading: i === 0 })),
          width,
        );

  useListKeys({
    id: listId,
    scope: 'mcp',
    total,
    height: rows,
    dispatch,
    filtering: list.filtering,
    isActive: active && !app.mcpDetail,
    onAction: (action) => {
      if (action === 'toggle-pane') dispatch({ type: 'mcp-pane' });
      else if (action === 'check' && live?.running !== true) {
        setCheck({ env, running: true, servers: live?.servers ?? null, error: null });
        client.checkMcp(env).then(
          (result) => {
            setCheck({ env, running: false, servers: result, error: null });
          },
          (error: unknown) => {
            setCheck({ env, running: false, servers: null, error: errorText(error) });
          },
        );
      } else if (action === 'refresh') {
        setCheck(null);
        servers.reload();
        tools.reload();
      } else if (action === 'open' && total > 0) {
        setDetailOffset(0);
        dispatch({ type: 'mcp-detail', open: true });
      }
    },
  });
  useKeys(
    (input, key) => {
      const action = resolveKey(['mcp', 'list'], input, key);
      const max = detailMaxOffset(detail ?? [], height);
      if (action === 'back' || action === 'open') dispatch({ type: 'mcp-detail', open: false });
      else if (action === 'toggle-pane') dispatch({ type: 'mcp-pane' });
      else if (action === 'down') setDetailOffset((o) => clamp(o + 1, 0, max));
      else if (action === 'up') setDetailOffset((o) => clamp(o - 1, 0, max));
      else if (action === 'page-down') setDetailOffset((o) => clamp(o + height - 2, 0, max));
      else if (action === 'page-up') setDetailOffset((o) => clamp(o - height + 2, 0, max));
      else if (action === 'top') setDetailOffset(0);
      else if (action === 'bottom') setDetailOffset(max);
    },
    { isActive: active && app.mcpDetail },
  );

  if (detail !== null) {
    return <DetailView lines={detail} offset={detailOffset} width={width} height={height} theme={theme} />;
  }

  const error = pane === 'servers' ? servers.error : tools.error;
  const checkState =
    live === null
      ? 'recorded at last sync; c checks now'
      : live.running
        ? 'checking…'
        : live.error !== null
          ? `check failed: ${live.error}`
          : 'live check';
  const switchHint = pane === 'servers' ? `${checkState} · t: tools` : 't: servers';
  if (pane === 'servers') {
    const cols = { name: 22, transport: 10, state: 12, tools: 7 };
    const renderRow = (s: McpServerView, w: number): Segment[] => {
      const st = statusStyle(theme, s.state);
      return [
        { text: fit(s.name, cols.name), bold: true },
        { text: fit(s.transport, cols.transport) },
        { text: fit(`${st.mark} ${s.state}`, cols.state), color: st.color },
        { text: fit(String(s.toolCount), cols.tools - 1, 'right') + ' ' },
        {
          text: fit(
            s.error ?? (s.source === 'live' ? 'live' : `synced ${formatAgo(s.lastSyncedAt, now)}`),
            Math.max(0, w - cols.name - cols.transport - cols.state - cols.tools),
          ),
          color: s.error === null ? theme.muted : theme.error,
        },
      ];
    };
    const tail = selectedServer?.stderrTail.split('\n').filter((l) => l !== '') ?? [];
    return (
      <Box flexDirection="column" width={width} height={height}>
        <ListTitle
          title={`MCP servers in ${env}`}
          extra={switchHint}
          list={list}
          total={total}
          width={width}
          theme={theme}
        />
        <Text bold>
          {' ' +
            fit('NAME', cols.name) +
            fit('TRANSPORT', cols.transport) +
            fit('STATE', cols.state) +
            fit('TOOLS', cols.tools - 1, 'right') +
            ' DETAIL'}
        </Text>
        <WindowList
          items={serverItems}
          state={list}
          height={rows}
          width={width}
          theme={theme}
          keyOf={(s) => s.name}
          renderRow={renderRow}
          empty={
            error !== null
              ? `✗ ${error}`
              : servers.loading
                ? 'Loading…'
                : `No MCP servers recorded for ${env}. Sync it from Environments (1) with s.`
          }
          focused={active}
        />
        <Box flexDirection="column" height={STDERR_ROWS}>
          <Text {...(theme.muted !== undefined ? { color: theme.muted } : {})}>
            {fit(
              `── stderr of ${selectedServer?.name ?? '-'}${selectedServer === undefined ? '' : ' (enter: all of it)'} ${'─'.repeat(width)}`,
              width,
            )}
          </Text>
          {(tail.length === 0 ? ['(no stderr)'] : tail.slice(-(STDERR_ROWS - 1))).map((line, i) => (
            <Text key={i} wrap="truncate-end" dimColor>
              {truncate(line, width)}
            </Text>
          ))}
        </Box>
      </Box>
    );
  }
  const nameWidth = Math.min(40, Math.max(20, Math.floor(width * 0.4)));
  const renderTool = (t: McpToolView, w: number): Segment[] => [
    { text: fit(t.qualifiedName, nameWidth), bold: true },
    { text: ' ' + fit(t.description, Math.max(0, w - nameWidth - 1)), color: theme.muted },
  ];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <ListTitle
        title={`MCP tools in ${env}`}
        extra={switchHint}
        list={list}
        total={total}
        width={width}
        theme={theme}
      />
      <Text bold>{' ' + fit('TOOL', nameWidth) + ' DESCRIPTION'}</Text>
      <WindowList
        items={toolItems}
        state={list}
        height={rows}
        width={width}
        theme={theme}
        keyOf={(t) => `${t.server}/${t.name}`}
        renderRow={renderTool}
        empty={
          error !== null
            ? `✗ ${error}`
            : tools.loading
              ? 'Loading…'
              : `No tools recorded for ${env}. Sync it from Environments (1) with s.`
        }
        focused={active}
      />
      <Box height={2} flexDirection="column">
        <Text {...(theme.muted !== undefined ? { color: theme.muted } : {})}>{'─'.repeat(width)}</Text>
        <Text wrap="truncate-end">
          {selectedTool === undefined
            ? ''
            : truncate(selectedTool.description, width - TOOL_HINT.length) + truncate(TOOL_HINT, width)}
        </Text>
      </Box>
    </Box>
  );
}
