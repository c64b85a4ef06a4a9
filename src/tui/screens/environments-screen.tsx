import { Box, Text } from 'ink';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ListPane, emptyText } from '../components/list-pane.js';
import type { Segment } from '../components/window-list.js';
import type { BundleInspectionView, EnvironmentView, MissingVariableView } from '../client/station-client.js';
import { errorText } from '../client/errors.js';
import { fit, formatAgo, truncate } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { errorLines } from '../components/error-line.js';
import { useListKeys } from '../hooks/use-list-keys.js';
import { listWindow, matchesFilter } from '../state/list-state.js';
import type { ScreenProps } from './screen-props.js';
import { VariablesForm } from './variables-form.js';
import { BundleSourceForm, TrustGate } from './bundle-install.js';

/** What the environments list is loaded as (useAsync, FirstLoads). */
export const ENVIRONMENTS_KEY = 'environments';

interface SyncState {
  env: string;
  phase: 'running' | 'done' | 'failed';
  message: string;
  /** What the status lines report [default: Sync]. */
  title?: string;
}

const CANCELLED = (env: string): SyncState => ({
  env,
  phase: 'failed',
  message: 'cancelled: nothing was saved (s syncs again)',
});

/** A sync (or install) waiting for the user to give the variables its configs need. */
interface Ask {
  env: string;
  missing: readonly MissingVariableView[];
  defaults: Readonly<Record<string, string>>;
  doing: 'sync' | 'install';
  answer: (answers: Record<string, string> | undefined) => void;
}

/** `i`: the source form, then the bundle being read, then the trust gate. */
type Install =
  | { step: 'source' }
  | { step: 'gate'; source: string; environment: string; named: boolean; inspection: BundleInspectionView };

/**
 * Environments: counts of agents, servers and tools; enter switches, `s` syncs (progress shown in place),
 * `b` packs the selected environment as a bundle file and shows its path, `i` installs a bundle: its
 * source, the trust gate (the MCP servers it would start, its agents; y/n), its variables, then the core
 * install and sync, as `stn bundle install` on a terminal.
 * A sync whose configs need variables nothing gives asks for them in a form, as `stn sync` does on a terminal.
 */
export function EnvironmentsScreen({
  app,
  dispatch,
  client,
  theme,
  width,
  height,
  active,
  now,
}: ScreenProps): ReactNode {
  const list = app.lists.environments;
  const envs = useAsync(() => client.environments(), ENVIRONMENTS_KEY);
  const [sync, setSync] = useState<SyncState | null>(null);
  const [ask, setAsk] = useState<Ask | null>(null);
  const [install, setInstall] = useState<Install | null>(null);
  // A form left open when the screen goes away (the app quits) is a cancel: the sync saves nothing.
  const pending = useRef<Ask | null>(null);
  useEffect(
    () => () => {
      pending.current?.answer(undefined);
    },
    [],
  );
  const items = (envs.data ?? []).filter((e) => matchesFilter(list.filter, e.name, e.description));
  // The sync's result wraps (up to three lines) so what it saved and what went wrong are not cut off at 80 columns.
  const syncLines =
    sync === null
      ? []
      : errorLines(sync.message, width, 3, 0, sync.phase === 'failed' ? '✗' : sync.phase === 'done' ? '✓' : '●');
  const syncRows = sync === null ? 0 : 1 + syncLines.length;
  const rows = Math.max(1, height - 2 - syncRows - (envs.error === null ? 0 : 1));
  const selected = items[listWindow(list, items.length, rows).cursor];
  const { reload } = envs;

  const startSync = useCallback(
    (env: string) => {
      setSync({ env, phase: 'running', message: 'starting…' });
      let cancelled = false;
      const askVariables = (name: string, missing: readonly MissingVariableView[]) =>
        new Promise<Record<string, string> | undefined>((resolve) => {
          const request: Ask = {
            env: name,
            missing,
            defaults: {},
            doing: 'sync',
            answer: (answers) => {
              pending.current = null;
              cancelled = answers === undefined;
              setAsk(null);
              dispatch({ type: 'variables-form', open: false });
              setSync({ env, phase: 'running', message: answers === undefined ? 'cancelling…' : 'starting…' });
              resolve(answers);
            },
          };
          pending.current = request;
          setSync({ env, phase: 'running', message: 'waiting for variables…' });
          setAsk(request);
          dispatch({ type: 'variables-form', open: true });
        });
      client
        .syncEnvironment(
          env,
          (p) => {
            setSync({ env, phase: 'running', message: `${p.message} (${String(p.done)}/${String(p.total)})` });
          },
          askVariables,
        )
        .then(
          (result) => {
            setSync(
              cancelled
                ? CANCELLED(env)
                : {
                    env,
                    phase: result.ok ? 'done' : 'failed',
                    message: [result.summary, ...result.saved, ...result.errors].join(' · '),
                  },
            );
            reload();
          },
          (error: unknown) => {
            setSync(cancelled ? CANCELLED(env) : { env, phase: 'failed', message: errorText(error) });
            reload();
          },
        );
    },
    [client, reload, dispatch],
  );

  const closeInstall = useCallback(() => {
    setInstall(null);
    dispatch({ type: 'bundle-install', step: null });
  }, [dispatch]);

  /** Reads the bundle (nothing installed) and opens the trust gate, or says why it cannot. */
  const readBundle = useCallback(
    (source: string, environment: string | undefined) => {
      closeInstall();
      const label = environment ?? source;
      setSync({ env: label, phase: 'running', message: 'reading the bundle…', title: 'Install' });
      client.inspectBundle(source).then(
        (inspection) => {
          setSync(null);
          setInstall({
            step: 'gate',
            source,
            environment: environment ?? inspection.environment,
            named: environment !== undefined,
            inspection,
          });
          dispatch({ type: 'bundle-install', step: 'gate' });
        },
        (error: unknown) => {
          setSync({
            env: label,
            phase: 'failed',
            message: `${errorText(error)} · nothing was installed`,
            title: 'Install',
          });
        },
      );
    },
    [client, dispatch, closeInstall],
  );

  /** The user approved the servers the gate showed: the core install (variables asked in the form). */
  const startInstall = useCallback(
    (gate: Extract<Install, { step: 'gate' }>, withSync: boolean) => {
      closeInstall();
      const env = gate.environment;
      const title = 'Install';
      setSync({ env, phase: 'running', message: 'installing…', title });
      let cancelled = false;
      const askVariables = (
        name: string,
        missing: readonly MissingVariableView[],
        defaults?: Readonly<Record<string, string>>,
      ) =>
        new Promise<Record<string, string> | undefined>((resolve) => {
          const request: Ask = {
            env: name === '' ? env : name,
            missing,
            defaults: defaults ?? {},
            doing: 'install',
            answer: (answers) => {
              pending.current = null;
              cancelled = answers === undefined;
              setAsk(null);
              dispatch({ type: 'variables-form', open: false });
              setSync({ env, phase: 'running', message: answers === undefined ? 'cancelling…' : 'installing…', title });
              resolve(answers);
            },
          };
          pending.current = request;
          setSync({ env, phase: 'running', message: 'waiting for variables…', title });
          setAsk(request);
          dispatch({ type: 'variables-form', open: true });
        });
      client
        .installBundle(
          {
            source: gate.source,
            ...(gate.named ? { environment: env } : {}),
            approve: gate.inspection.configHash,
            sync: withSync,
          },
          (p) => {
            setSync({ env, phase: 'running', message: `${p.message} (${String(p.done)}/${String(p.total)})`, title });
          },
          askVariables,
        )
        .then(
          (result) => {
            setSync({
              env: result.environment,
              phase: result.ok ? 'done' : 'failed',
              message: [
                `installed environment ${result.environment}`,
                result.summary,
                ...result.saved,
                ...result.warnings,
              ].join(' · '),
              title,
            });
            reload();
          },
          (error: unknown) => {
            setSync({
              env,
              phase: 'failed',
              message: cancelled
                ? 'cancelled: nothing was installed (i starts again)'
                : `${errorText(error)} · nothing was installed`,
              title,
            });
            reload();
          },
        );
    },
    [client, reload, dispatch, closeInstall],
  );

  useListKeys({
    id: 'environments',
    scope: 'environments',
    total: items.length,
    height: rows,
    dispatch,
    filtering: list.filtering,
    isActive: active && ask === null && install === null,
    onAction: (action) => {
      if (action === 'install-bundle' && sync?.phase !== 'running') {
        setInstall({ step: 'source' });
        dispatch({ type: 'bundle-install', step: 'source' });
        return;
      }
      if (selected === undefined) return;
      if (action === 'use-env') dispatch({ type: 'use-environment', name: selected.name });
      else if (action === 'sync' && sync?.phase !== 'running') startSync(selected.name);
      else if (action === 'create-bundle' && sync?.phase !== 'running') {
        const env = selected.name;
        setSync({ env, phase: 'running', message: 'packing…', title: 'Bundle' });
        client.createBundle(env).then(
          (file) => {
            setSync({
              env,
              phase: 'done',
              message: `wrote ${file.path} (${String(file.bytes)} bytes)`,
              title: 'Bundle',
            });
          },
          (error: unknown) => {
            setSync({ env, phase: 'failed', message: errorText(error), title: 'Bundle' });
          },
        );
      } else if (action === 'refresh') reload();
    },
  });

  const cols = { name: Math.max(12, width - 50), agents: 7, servers: 8, tools: 7, synced: 12 };
  const renderRow = (e: EnvironmentView, w: number): Segment[] => {
    const current = e.name === app.environment;
    return [
      { text: fit(`${e.name}${current ? ' *' : ''}`, cols.name), bold: current },
      { text: fit(String(e.agents), cols.agents, 'right') },
      { text: fit(String(e.servers), cols.servers, 'right') },
      { text: fit(String(e.tools), cols.tools, 'right') },
      {
        text:
          '  ' +
          fit(formatAgo(e.lastSyncedAt, now), Math.max(0, w - cols.name - cols.agents - cols.servers - cols.tools - 2)),
      },
    ];
  };
  const syncColor = sync?.phase === 'failed' ? theme.error : sync?.phase === 'done' ? theme.ok : theme.running;
  if (ask !== null) {
    return (
      <VariablesForm
        key={ask.env}
        env={ask.env}
        missing={ask.missing}
        defaults={ask.defaults}
        doing={ask.doing}
        theme={theme}
        width={width}
        height={height}
        active={active}
        onSubmit={(answers) => {
          ask.answer(answers);
        }}
        onCancel={() => {
          ask.answer(undefined);
        }}
      />
    );
  }
  if (install?.step === 'source') {
    return (
      <BundleSourceForm
        theme={theme}
        width={width}
        height={height}
        active={active}
        onSubmit={readBundle}
        onCancel={closeInstall}
      />
    );
  }
  if (install?.step === 'gate') {
    return (
      <TrustGate
        inspection={install.inspection}
        environment={install.environment}
        exists={(envs.data ?? []).some((e) => e.name === install.environment)}
        theme={theme}
        width={width}
        height={height}
        active={active}
        onAnswer={(answer) => {
          if (answer === undefined) {
            closeInstall();
            setSync({
              env: install.environment,
              phase: 'failed',
              message: 'cancelled: the MCP servers were not approved; nothing was installed',
              title: 'Install',
            });
          } else startInstall(install, answer === 'sync');
        }}
      />
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <ListPane
        title="Environments"
        extra="* current"
        list={list}
        items={items}
        header={
          fit('NAME', cols.name) +
          fit('AGENTS', cols.agents, 'right') +
          fit('SERVERS', cols.servers, 'right') +
          fit('TOOLS', cols.tools, 'right') +
          '  SYNCED'
        }
        error={envs.error}
        rows={rows}
        width={width}
        theme={theme}
        keyOf={(e) => e.name}
        renderRow={renderRow}
        empty={emptyText(
          envs.loading,
          list.filter,
          'environment',
          'No environments. Create one with: stn env create NAME',
        )}
        focused={active}
      />
      {sync !== null ? (
        <Box flexDirection="column" height={syncRows}>
          <Text bold>
            {truncate(
              `${sync.title ?? 'Sync'} ${sync.env}: ${sync.phase === 'running' ? 'running…' : sync.phase}`,
              width,
            )}
          </Text>
          {syncLines.map((line, i) => (
            <Text key={i} wrap="truncate-end" {...(syncColor !== undefined ? { color: syncColor } : {})}>
              {line}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
