import { useEffect, useEffectEvent, useMemo, useState, type SubmitEvent } from 'react';
import type { MeView } from '../core/api/views.js';
import { WebApi } from './api.js';
import { ErrorBox } from './components/error-box.js';
import { SessionContext, useLiveStatus, type Session } from './hooks.js';
import { LiveConnection } from './live.js';
import { AgentPage, AgentsPage } from './pages/agents-page.js';
import { EnvironmentPage, EnvironmentsPage } from './pages/environments-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsPage } from './pages/runs-page.js';
import { ServersPage } from './pages/servers-page.js';
import { Link, match, navigate, useLocation } from './router.js';

/** The key lives for this browser tab's session only (sessionStorage), never in a cookie or on disk. */
const KEY_SLOT = 'station.key';

export function App() {
  const [signedIn, setSignedIn] = useState<{ api: WebApi; me: MeView } | undefined>();
  const [checking, setChecking] = useState(() => sessionStorage.getItem(KEY_SLOT) !== null);
  const [error, setError] = useState<unknown>();

  const signIn = (key: string): Promise<void> =>
    verify(key).then(
      (session) => {
        sessionStorage.setItem(KEY_SLOT, session.api.key);
        setSignedIn(session);
        setError(undefined);
        setChecking(false);
      },
      (e: unknown) => {
        sessionStorage.removeItem(KEY_SLOT);
        setError(e);
        setChecking(false);
      },
    );
  const onMount = useEffectEvent(() => {
    const saved = sessionStorage.getItem(KEY_SLOT);
    if (saved !== null) void signIn(saved);
  });
  useEffect(() => onMount(), []);

  if (checking) return <p className="loading">Signing in…</p>;
  if (signedIn === undefined) return <SignIn onKey={signIn} error={error} />;
  const signOut = (): void => {
    sessionStorage.removeItem(KEY_SLOT);
    setSignedIn(undefined);
  };
  return <SignedIn api={signedIn.api} me={signedIn.me} onSignOut={signOut} />;
}

/** Whether the key opens Station: who it is (GET /api/v1/me), or the error that says why not. */
async function verify(key: string): Promise<{ api: WebApi; me: MeView }> {
  const api = new WebApi(key.trim());
  return { api, me: await api.get('whoami', '/api/v1/me') };
}

function SignIn({ onKey, error }: { onKey: (key: string) => Promise<void>; error: unknown }) {
  const [key, setKey] = useState('');
  const submit = (e: SubmitEvent<HTMLFormElement>): void => {
    e.preventDefault();
    void onKey(key);
  };
  return (
    <main className="sign-in">
      <h1>Station</h1>
      <form onSubmit={submit}>
        <label htmlFor="key">API key</label>
        <input
          id="key"
          type="password"
          autoComplete="off"
          autoFocus
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder="stn_…"
        />
        <button type="submit" disabled={key.trim() === ''}>
          Sign in
        </button>
        <p className="hint">
          Create one with <code>stn key create NAME --role viewer</code>. It is kept for this tab only.
        </p>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
    </main>
  );
}

const NAV = [
  { to: '/runs', label: 'Runs' },
  { to: '/environments', label: 'Environments' },
  { to: '/agents', label: 'Agents' },
  { to: '/servers', label: 'MCP servers' },
];

function SignedIn({ api, me, onSignOut }: { api: WebApi; me: MeView; onSignOut: () => void }) {
  const live = useMemo(() => new LiveConnection(api), [api]);
  useEffect(() => () => live.close(), [live]);
  const session: Session = useMemo(() => ({ api, me, live }), [api, me, live]);
  const status = useLiveStatus(live);
  const { path } = useLocation();
  useEffect(() => {
    if (path === '/' || path === '') navigate('/runs');
  }, [path]);
  return (
    <SessionContext.Provider value={session}>
      <header className="top">
        <Link to="/runs" className="brand">
          Station
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} aria-current={path.startsWith(n.to) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span className={`live live-${status}`} role="status" aria-live="polite">
          {status === 'live' ? '● live' : status === 'reconnecting' ? '◌ reconnecting…' : '◌ connecting…'}
        </span>
        <span className="who" title={`key prefix ${me.prefix}`}>
          {me.name} ({me.role})
        </span>
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="content">
        <Page path={path} />
      </main>
    </SessionContext.Provider>
  );
}

function Page({ path }: { path: string }) {
  let p: Record<string, string> | undefined;
  if ((p = match('/runs/:id', path))) return <RunPage key={p.id} id={Number(p.id)} />;
  if (match('/runs', path)) return <RunsPage />;
  if ((p = match('/environments/:env', path))) return <EnvironmentPage env={p.env ?? ''} />;
  if (match('/environments', path)) return <EnvironmentsPage />;
  if ((p = match('/agents/:env/:agent', path))) return <AgentPage env={p.env ?? ''} name={p.agent ?? ''} />;
  if (match('/agents', path)) return <AgentsPage />;
  if (match('/servers', path)) return <ServersPage />;
  if (path === '/' || path === '') return null;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing at <code>{path}</code>. <Link to="/runs">See the runs</Link>.
      </p>
    </section>
  );
}
