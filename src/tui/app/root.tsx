import { Box, Text, useApp, useStdout } from 'ink';
import { useCallback, useEffect, useReducer, useRef, useState, type ReactNode } from 'react';
import { isActiveStatus, type ConnectionView, type RunView, type StationClient } from '../client/station-client.js';
import { errorText } from '../client/errors.js';
import { DetailView, detailMaxOffset, wrapDetail, type DetailLine } from '../components/detail-view.js';
import { plural } from '../format.js';
import { Footer } from '../components/footer.js';
import { Header } from '../components/header.js';
import { HelpOverlay, helpLines } from '../components/help-overlay.js';
import { QuitPrompt } from '../components/quit-prompt.js';
import type { UpdateBatch } from '../hooks/coalescer.js';
import { useClientUpdates } from '../hooks/use-client-updates.js';
import { KeyRouter, useKeyRouter, useRouterKeys } from '../hooks/use-keys.js';
import { useNow } from '../hooks/use-now.js';
import { readSize, tooSmallMessage, useTerminalResize, type Size } from '../hooks/use-terminal-size.js';
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
import { useFirstLoad } from '../hooks/first-loads.js';
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

/** What the runs (the header's count, the Runs screen, the agents' last runs) are loaded as (FirstLoads). */
export const RUNS_KEY = 'runs';

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
function footerScopes(app: AppState, quitting: Scope | null): Scope[] {
  if (quitting !== null) return [quitting];
  if (app.help) return ['help'];
  const list = activeListId(app);
  if (list !== undefined && app.lists[list].filtering) return ['filter'];
  switch (app.screen) {
    case 'environments':
      if (app.variablesForm) return ['variables'];
      if (app.bundleInstall === 'source') return ['bundle-source'];
      if (app.bundleInstall === 'gate') return ['trust-gate'];
      return ['environments', 'list'];
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

/** The `e` view: the last error message in full (wrapped), or that there has been none. */
function lastErrorLines(error: string | null, width: number): DetailLine[] {
  return wrapDetail(
    [{ text: 'Last error', heading: true }, '', ...(error === null ? ['No error so far.'] : error.split('\n'))],
    width,
  );
}

const NOTICE_MS = 6000;

/** The runs this UI started (through its client) that are still queued or running, oldest first. */
function ownRunsInProgress(client: StationClient, runs: RunsState): RunView[] {
  const started = new Set(client.startedRuns());
  return runs.runs.filter((r) => started.has(r.id) && isActiveStatus(r.status)).sort((a, b) => a.id - b.id);
}

/** The whole app: header, the current screen (or the help overlay), footer; global keys. */
export function Root({ client, theme, environment, screen }: RootProps): ReactNode {
  const { stdout } = useStdout();
  const { exit } = useApp();
  const [app, dispatch] = useReducer(appReducer, undefined, () =>
    initialAppState({ environment, ...readSize(stdout), ...(screen === undefined ? {} : { screen }) }),
  );
  const firstRuns = useFirstLoad<RunView[]>(RUNS_KEY);
  const [runs, runsDispatch] = useReducer(runsReducer, undefined, () =>
    firstRuns.shown === undefined
      ? initialRunsState()
      : runsReducer(initialRunsState(), { type: 'runs-loaded', runs: firstRuns.shown.data }),
  );
  const [trace, traceDispatch] = useReducer(traceReducer, undefined, () => initialTraceState());
  const [connection, setConnection] = useState<ConnectionView>({ ok: true, error: null, retryAt: null });
  const connected = useRef(true);
  /**
   * Quitting was asked while runs this UI started were in progress (their ids): the question is shown
   * while any of them still is. Runs started later do not bring it back.
   */
  const [quitting, setQuitting] = useState<ReadonlySet<number> | null>(null);
  const info = client.info();
  const [helpOffset, setHelpOffset] = useState(0);
  // The last error notice, kept after the footer drops it, so `e` can show it in full.
  const [lastError, setLastError] = useState<string | null>(null);
  const [seenNotice, setSeenNotice] = useState(app.notice);
  if (app.notice !== seenNotice) {
    setSeenNotice(app.notice);
    if (app.notice?.level === 'error') setLastError(app.notice.text);
  }
  const [errorOpen, setErrorOpen] = useState(false);
  const overlay = app.help || errorOpen;
  const now = useNow();
  const width = app.size.columns;
  const body = bodyRows(app.size);
  const tooSmall = tooSmallMessage(app.size);

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
    // The load started before the first frame is used once: shown already, or awaited here.
    const early = firstRuns.take(RUNS_KEY);
    if (early !== undefined && firstRuns.shown !== undefined) return;
    let current = true;
    (early?.promise ?? client.runs({ limit: RUNS_LIMIT })).then(
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
  }, [client, runsGeneration, firstRuns]);

  useClientUpdates(
    client,
    useCallback(
      (batch: UpdateBatch) => {
        if (batch.runs.length > 0) runsDispatch({ type: 'runs-updated', runs: batch.runs });
        if (batch.events.length > 0)
          traceDispatch({ type: 'live', events: batch.events, height: traceListHeight(body) });
        if (batch.connection !== null) {
          const { ok } = batch.connection;
          setConnection(batch.connection);
          // Remote runs execute in the server: while it cannot be reached their status is unknown.
          if (!ok && info.kind === 'remote') runsDispatch({ type: 'connection-lost' });
          else if (!connected.current) {
            // Back: load the runs again (that clears the stale marks) and fetch the trace's missed events.
            reloadRuns();
            traceDispatch({ type: 'resync' });
          }
          connected.current = ok;
        }
      },
      [body, reloadRuns, info.kind],
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

  // Quitting while runs this UI started are in progress asks first. Locally they run inside this process,
  // so quitting cancels them (recorded as cancelled from the TUI); remotely they run in the server and
  // keep running there unless the user asks to cancel them.
  const ownRuns = ownRunsInProgress(client, runs);
  const quitScope: Scope | null =
    quitting !== null && ownRuns.some((r) => quitting.has(r.id))
      ? info.kind === 'local'
        ? 'quit-local'
        : 'quit-remote'
      : null;
  const askOrQuit = (): void => {
    if (ownRuns.length === 0) exit();
    else setQuitting(new Set(ownRuns.map((r) => r.id)));
  };
  const cancelAndQuit = (): void => {
    const ids = ownRuns.map((r) => r.id);
    void Promise.allSettled(ids.map((id) => client.cancelRun(id))).then((results) => {
      const failed = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`#${String(ids[i])}: ${errorText(r.reason)}`] : [],
      );
      if (failed.length === 0) {
        exit();
        return;
      }
      // Not cancelled: say so and stay, rather than quit and leave them running unnoticed.
      setQuitting(null);
      dispatch({ type: 'notice', notice: { text: `Could not cancel ${failed.join('; ')}`, level: 'error' } });
    });
  };
  const quitDefault = (): void => {
    if (info.kind === 'local') cancelAndQuit();
    else exit();
  };

  // Ctrl-C quits from anywhere, text fields included (asking first as q does; a second Ctrl-C confirms).
  const [router] = useState(() => new KeyRouter());
  useKeyRouter(router);
  useRouterKeys(
    router,
    (input, key) => {
      if (!(key.ctrl && input === 'c')) return;
      if (quitScope !== null) quitDefault();
      else askOrQuit();
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
      if (quitScope !== null) {
        const action = resolveKey(quitScope, input, key);
        if (action === 'stay') setQuitting(null);
        else if (action === 'quit-cancel') cancelAndQuit();
        else if (action === 'quit-keep') exit();
        return;
      }
      if (tooSmall !== null) {
        // Only quitting works until the terminal is big enough again (the screens wait, hidden, as they were).
        if (!textEntry && resolveKey('global', input, key) === 'quit') askOrQuit();
        return;
      }
      if (textEntry && !overlay) return;
      if (overlay) {
        const action = resolveKey(['help', 'list'], input, key);
        if (
          action === 'close-help' ||
          action === 'help' ||
          (errorOpen && resolveKey('global', input, key) === 'show-error')
        ) {
          dispatch({ type: 'help', open: false });
          setErrorOpen(false);
        }
        const max = detailMaxOffset(app.help ? helpLines(width) : lastErrorLines(lastError, width), body);
        if (action === 'down') setHelpOffset((o) => Math.min(o + 1, max));
        else if (action === 'up') setHelpOffset((o) => Math.max(0, o - 1));
        else if (action === 'page-down') setHelpOffset((o) => Math.min(o + body - 2, max));
        else if (action === 'page-up') setHelpOffset((o) => Math.max(0, o - body + 2));
        else if (action === 'top') setHelpOffset(0);
        else if (action === 'bottom') setHelpOffset(max);
        return;
      }
      const action = resolveKey('global', input, key);
      switch (action) {
        case 'quit':
          askOrQuit();
          return;
        case 'help':
          setHelpOffset(0);
          dispatch({ type: 'help', open: true });
          return;
        case 'show-error':
          setHelpOffset(0);
          setErrorOpen(true);
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
    active: !overlay && tooSmall === null && quitScope === null,
    runs,
    reloadRuns,
    trace,
    traceDispatch,
    now,
  };
  let content: ReactNode;
  if (app.help) content = <HelpOverlay width={width} height={body} theme={theme} offset={helpOffset} />;
  else if (errorOpen)
    content = (
      <DetailView
        lines={lastErrorLines(lastError, width)}
        offset={helpOffset}
        width={width}
        height={body}
        theme={theme}
        close="esc or e closes"
      />
    );
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
  return (
    <Providers router={router}>
      {tooSmall !== null ? (
        <Text>
          {quitScope === null
            ? `${tooSmall}: make the window bigger, or q to quit`
            : `${tooSmall}. ${plural(ownRuns.length, 'run')} in progress: ${info.kind === 'local' ? 'y quit and cancel them' : 'y quit (they keep running), c cancel them and quit'}, n stay`}
        </Text>
      ) : null}
      <Box
        flexDirection="column"
        width={width}
        height={frameRows(app.size)}
        overflow="hidden"
        display={tooSmall === null ? 'flex' : 'none'}
      >
        <Header
          width={width}
          theme={theme}
          environment={app.environment}
          connection={{ label: `${info.kind} ${info.label}`, remote: info.kind === 'remote', ...connection }}
          running={runningCount(runs)}
          stale={runs.stale}
          screen={app.screen}
        />
        {quitScope !== null && (
          <QuitPrompt
            width={width}
            height={body}
            theme={theme}
            kind={info.kind}
            server={info.label.split(' ')[0] ?? info.label}
            runs={ownRuns}
            stale={runs.stale}
          />
        )}
        {/* Hidden, not unmounted, while the quit question is shown: "stay" comes back to it as it was. */}
        <Box
          height={body}
          width={width}
          flexDirection="column"
          overflow="hidden"
          display={quitScope === null ? 'flex' : 'none'}
        >
          {content}
        </Box>
        <Footer
          width={width}
          theme={theme}
          scopes={errorOpen ? ['help'] : footerScopes(app, quitScope)}
          textEntry={textEntry && !overlay && quitScope === null}
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
