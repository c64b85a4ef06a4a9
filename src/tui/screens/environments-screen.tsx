import { Box, Text } from 'ink';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ListPane, emptyText } from '../components/list-pane.js';
import type { Segment } from '../components/window-list.js';
import type { EnvironmentView, MissingVariableView } from '../client/station-client.js';
import { errorText } from '../client/errors.js';
import { fit, formatAgo, truncate } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { errorLines } from '../components/error-line.js';
import { useListKeys } from '../hooks/use-list-keys.js';
import { listWindow, matchesFilter } from '../state/list-state.js';
import type { ScreenProps } from './screen-props.js';
import { VariablesForm } from './variables-form.js';

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

/** A sync waiting for the user to give the variables its configs need. */
interface Ask {
  env: string;
  missing: readonly MissingVariableView[];
  answer: (answers: Record<string, string> | undefined) => void;
}

/**
 * Environments: counts of agents, servers and tools; enter switches, `s` syncs (progress shown in place),
 * `b` packs the selected environment as a bundle file and shows its path.
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
  const envs = useAsync(() => client.environments(), 'environments');
  const [sync, setSync] = useState<SyncState | null>(null);
  const [ask, setAsk] = useState<Ask | null>(null);
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

  useListKeys({
    id: 'environments',
    scope: 'environments',
    total: items.length,
    height: rows,
    dispatch,
    filtering: list.filtering,
    isActive: active && ask === null,
    onAction: (action) => {
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
