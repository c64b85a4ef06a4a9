import { Box, useApp, useStdout } from 'ink';
import { useCallback, useEffect, useReducer, useState, type ReactNode } from 'react';
import { isActiveStatus, type StationClient } from '../client/station-client.js';
import { errorText } from '../client/errors.js';
import { Footer } from '../components/footer.js';
import { Header } from '../components/header.js';
import { HelpOverlay, helpLines } from '../components/help-overlay.js';
import type { UpdateBatch } from '../hooks/coalescer.js';
import { useClientUpdates } from '../hooks/use-client-updates.js';
import { KeyRouter, useKeyRouter, useRouterKeys } from '../hooks/use-keys.js';
import { useNow } from '../hooks/use-now.js';
import { readSize, useTerminalResize, type Size } from '../hooks/use-terminal-size.js';
import { resolveKey, type KeyAction, type Scope } from '../keymap.js';
import { AgentsScreen } from '../screens/agents-screen.js';
import { EnvironmentsScreen } from '../screens/environments-screen.js';
import { McpScreen } from '../screens/mcp-screen.js';
import { RunsScreen, runsStatus, selectedRun, shownRuns } from '../screens/runs-screen.js';
import type { ScreenProps } from '../screens/screen-props.js';
import { TraceScreen, traceListHeight, traceRunEnded, traceStatus } from '../screens/trace-screen.js';
import { initialRunsState, runningCount, runsReducer, RUNS_LIMIT, type RunsState } from '../state/runs-state.js';
import { initialTraceState, traceReducer, type TraceState } from '../state/trace-state.js';
import type { Theme } from '../theme.js';
import { Providers } from './providers.js';
import {
  activeListId,
  appReducer,
  initialAppState,
  isTextEntry,
  type AppState,
  type Notice,
  type ScreenId,
} from './reducer.js';

export interface RootProps {
  client: StationClient;
  theme: Theme;
  environment: string;
  screen?: ScreenId;
}

const HEADER_ROWS = 2;
const FOOTER_ROWS = 2;

/**
 * Rows the app draws: one less than the terminal, so Ink never takes the "taller than the screen" path
 * that clears and redraws the whole terminal on every frame.
 */
export function frameRows(size: Size): number {
  return Math.max(HEADER_ROWS + FOOTER_ROWS + 3, size.rows - 1);
}

export function bodyRows(size: Size): number {
  return frameRows(size) - HEADER_ROWS - FOOTER_ROWS;
}

/** The scopes whose keys work now, for the footer. */
function footerScopes(app: AppState): Scope[] {
  if (app.help) return ['help'];
  const list = activeListId(app);
  if (list !== undefined && app.lists[list].filtering) return ['filter'];
  switch (app.screen) {
    case 'environments':
      return app.variablesForm ? ['variables'] : ['environments', 'list'];
    case 'agents':
      if (app.agentPane.kind === 'form') return ['form'];
      return app.agentPane.kind === 'detail' ? ['agent-detail'] : ['agents', 'list'];
    case 'runs':
      return ['runs', 'list'];
    case 'trace':
      return ['trace'];
    case 'mcp':
      return ['mcp', 'list'];
  }
}

/** Keys that do nothing on the current screen now: cancel and follow once the run shown has ended. */
function hiddenActions(app: AppState, runs: RunsState, trace: TraceState, body: number): KeyAction[] {
  if (app.help) return [];
  if (app.screen === 'runs') {
    const shown = shownRuns(runs.runs, app.environment, app.runsFilter, app.lists.runs.filter);
    const run = selectedRun(app, shown, body);
    return run === undefined || !isActiveStatus(run.status) ? ['cancel'] : [];
  }
  if (app.screen === 'trace' && app.trace.runId !== null) {
    const run = runs.runs.find((r) => r.id === app.trace.runId);
    return traceRunEnded(trace, run) ? ['cancel', 'follow'] : [];
  }
  return [];
}

/** The notice to show: one about a run in progress is dropped as soon as that run has ended. */
function liveNotice(notice: Notice | null, runs: RunsState): Notice | null {
  if (notice?.runId === undefined) return notice;
  const run = runs.runs.find((r) => r.id === notice.runId);
  return run !== undefined && !isActiveStatus(run.status) ? null : notice;
}

const NOTICE_MS = 6000;

/** The whole app: header, the current screen (or the help overlay), footer; global keys. */
export function Root({ client, theme, environment, screen }: RootProps): ReactNode {
  const { stdout } = useStdout();
  const { exit } = useApp();
  const [app, dispatch] = useReducer(appReducer, undefined, () =>
    initialAppState({ environment, ...readSize(stdout), ...(screen === undefined ? {} : { screen }) }),
  );
  const [runs, runsDispatch] = useReducer(runsReducer, undefined, () => initialRunsState());
  const [trace, traceDispatch] = useReducer(traceReducer, undefined, () => initialTraceState());
  const [connection, setConnection] = useState<{ ok: boolean; error: string | null }>({ ok: true, error: null });
  const [helpOffset, setHelpOffset] = useState(0);
  const now = useNow();
  const width = app.size.columns;
  const body = bodyRows(app.size);

  useTerminalResize(
    useCallback((size: Size) => {
      dispatch({ type: 'resize', columns: size.columns, rows: size.rows });
    }, []),
  );

  const [runsGeneration, setRunsGeneration] = useState(0);
  const reloadRuns = useCallback(() => {
    setRunsGeneration((g) => g + 1);
  }, []);
  useEffect(() => {
    let current = true;
    client.runs({ limit: RUNS_LIMIT }).then(
      (list) => {
        if (current) runsDispatch({ type: 'runs-loaded', runs: list });
      },
      (error: unknown) => {
        if (current)
          dispatch({ type: 'notice', notice: { text: `Cannot load runs: ${errorText(error)}`, level: 'error' } });
      },
    );
    return () => {
      current = false;
    };
  }, [client, runsGeneration]);

  useClientUpdates(
    client,
    useCallback(
      (batch: UpdateBatch) => {
        if (batch.runs.length > 0) runsDispatch({ type: 'runs-updated', runs: batch.runs });
        if (batch.events.length > 0)
          traceDispatch({ type: 'live', events: batch.events, height: traceListHeight(body) });
        if (batch.connection !== null) setConnection(batch.connection);
      },
      [body],
    ),
  );

  useEffect(() => {
    if (app.notice === null) return;
    const timer = setTimeout(() => {
      dispatch({ type: 'notice', notice: null });
    }, NOTICE_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [app.notice]);

  // Ctrl-C quits from anywhere, text fields included.
  const [router] = useState(() => new KeyRouter());
  useKeyRouter(router);
  useRouterKeys(
    router,
    (input, key) => {
      if (key.ctrl && input === 'c') exit();
    },
    { isActive: true },
  );

  // Always listening (useKeys swaps in the latest handler at commit): while a text field takes the keys,
  // only Ctrl-C is global.
  const textEntry = isTextEntry(app);
  useRouterKeys(
    router,
    (input, key) => {
      if (key.ctrl && input === 'c') return;
      if (textEntry && !app.help) return;
      if (app.help) {
        const action = resolveKey(['help', 'list'], input, key);
        if (action === 'close-help' || action === 'help') dispatch({ type: 'help', open: false });
        else if (action === 'down') setHelpOffset((o) => Math.min(o + 1, Math.max(0, helpLines().length - body + 1)));
        else if (action === 'up') setHelpOffset((o) => Math.max(0, o - 1));
        else if (action === 'page-down')
          setHelpOffset((o) => Math.min(o + body - 2, Math.max(0, helpLines().length - body + 1)));
        else if (action === 'page-up') setHelpOffset((o) => Math.max(0, o - body + 2));
        return;
      }
      const action = resolveKey('global', input, key);
      switch (action) {
        case 'quit':
          exit();
          return;
        case 'help':
          setHelpOffset(0);
          dispatch({ type: 'help', open: true });
          return;
        case 'next-screen':
          dispatch({ type: 'cycle-screen', delta: 1 });
          return;
        case 'prev-screen':
          dispatch({ type: 'cycle-screen', delta: -1 });
          return;
        case 'screen-1':
          dispatch({ type: 'screen', screen: 'environments' });
          return;
        case 'screen-2':
          dispatch({ type: 'screen', screen: 'agents' });
          return;
        case 'screen-3':
          dispatch({ type: 'screen', screen: 'runs' });
          return;
        case 'screen-4':
          dispatch({ type: 'screen', screen: 'trace' });
          return;
        case 'screen-5':
          dispatch({ type: 'screen', screen: 'mcp' });
          return;
        default:
          return;
      }
    },
    { isActive: true },
  );

  const props: ScreenProps = {
    app,
    dispatch,
    client,
    theme,
    width,
    height: body,
    active: !app.help,
    runs,
    reloadRuns,
    trace,
    traceDispatch,
    now,
  };
  let content: ReactNode;
  if (app.help) content = <HelpOverlay width={width} height={body} theme={theme} offset={helpOffset} />;
  else {
    switch (app.screen) {
      case 'environments':
        content = <EnvironmentsScreen {...props} />;
        break;
      case 'agents':
        content = <AgentsScreen {...props} />;
        break;
      case 'runs':
        content = <RunsScreen {...props} />;
        break;
      case 'trace':
        content = <TraceScreen {...props} />;
        break;
      case 'mcp':
        content = <McpScreen {...props} />;
        break;
    }
  }
  const info = client.info();
  return (
    <Providers router={router}>
      <Box flexDirection="column" width={width} height={frameRows(app.size)} overflow="hidden">
        <Header
          width={width}
          theme={theme}
          environment={app.environment}
          connection={{ label: `${info.kind} ${info.label}`, ok: connection.ok, error: connection.error }}
          running={runningCount(runs)}
          screen={app.screen}
        />
        <Box height={body} width={width} flexDirection="column" overflow="hidden">
          {content}
        </Box>
        <Footer
          width={width}
          theme={theme}
          scopes={footerScopes(app)}
          textEntry={textEntry && !app.help}
          notice={liveNotice(app.notice, runs)}
          hide={hiddenActions(app, runs, trace, body)}
          status={
            app.screen === 'runs'
              ? runsStatus(runs, app.environment)
              : app.screen === 'trace'
                ? traceStatus(trace, app.trace.runId)
                : ''
          }
        />
      </Box>
    </Providers>
  );
}
