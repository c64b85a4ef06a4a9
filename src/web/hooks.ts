import { createContext, useCallback, useContext, useEffect, useEffectEvent, useState } from 'react';
import type { MeView } from '../core/api/views.js';
import { seg, type WebApi } from './api.js';
import type { LiveConnection, LiveStatus } from './live.js';

export interface Session {
  api: WebApi;
  me: MeView;
  live: LiveConnection;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside a signed-in page');
  return session;
}

/** Whether the key may take `action` ('run', 'write') in `environment`: viewers get no run or edit buttons. */
export function useCan(action: 'run' | 'write', environment: string): boolean {
  const { me } = useSession();
  const roleMay = me.role === 'admin' || (action === 'run' && me.role === 'user');
  return roleMay && (me.environments === '*' || me.environments.includes(environment));
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads with `load` when `key` (what the loader depends on, as a string) changes, and on reload; the last
 * answer stays shown while a new one loads.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; for: string }>({
    data: undefined,
    error: undefined,
    for: '',
  });
  const [tick, setTick] = useState(0);
  const onLoad = useEffectEvent(load);
  const current = `${key}#${String(tick)}`;
  useEffect(() => {
    const gone = new AbortController();
    onLoad().then(
      (data) => {
        if (!gone.signal.aborted) setState({ data, error: undefined, for: current });
      },
      (error: unknown) => {
        if (!gone.signal.aborted) setState((s) => ({ data: s.data, error, for: current }));
      },
    );
    return () => gone.abort();
  }, [current]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.for !== current, reload };
}

/** `load` for every environment the key may see, in the server's order (one request each, in parallel). */
export function useEachEnvironment<T>(
  key: string,
  load: (api: WebApi, env: string, path: string) => Promise<T>,
): Loaded<{ env: string; value: T }[]> {
  const { api } = useSession();
  return useLoad(async () => {
    const envs = await api.get('listEnvironments', '/api/v1/environments');
    return Promise.all(
      envs.map(async (e) => ({ env: e.name, value: await load(api, e.name, `/api/v1/environments/${seg(e.name)}`) })),
    );
  }, key);
}

/** The time now, ticking every `everyMs` while `active`. */
export function useNow(everyMs: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs, active]);
  return now;
}

export function useLiveStatus(live: LiveConnection): LiveStatus {
  const [status, setStatus] = useState(live.status);
  useEffect(() => live.onStatus(setStatus), [live]);
  return status;
}
