import { useEffect, useEffectEvent } from 'react';
import { changesRunRow, RUN_STATUSES } from '../../core/events/run-events.js';
import { LoadedView } from '../components/loaded-view.js';
import { RunStatusMark } from '../components/status.js';
import { ago, count, duration } from '../format.js';
import { useLoad, useLiveStatus, useNow, useSession } from '../hooks.js';
import { Link, navigate, useLocation } from '../router.js';

/** Runs, newest first, with filters in the URL (shareable), kept current by the live events. */
export function RunsPage() {
  const { api, live } = useSession();
  const { query } = useLocation();
  const environment = query.get('environment') ?? '';
  const status = query.get('status') ?? '';
  const agent = query.get('agent') ?? '';
  const envs = useLoad(() => api.get('listEnvironments', '/api/v1/environments'), 'envs');
  const params = new URLSearchParams({ limit: '100' });
  if (environment !== '') params.set('environment', environment);
  if (status !== '') params.set('status', status);
  if (agent !== '') params.set('agent', agent);
  const runs = useLoad(() => api.get('listRuns', `/api/v1/runs?${params.toString()}`), `runs?${params.toString()}`);
  const reload = useEffectEvent(() => runs.reload());
  const liveStatus = useLiveStatus(live);

  // A run's row changes with a few event types: reload the list (at most every 500 ms) when one comes.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = live.subscribe({ scope: 'all' }, (event) => {
      if (!changesRunRow(event) || timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        reload();
      }, 500);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [live]);
  // After a reconnect, what changed meanwhile is read again.
  useEffect(() => {
    if (liveStatus === 'live') reload();
  }, [liveStatus]);

  const setFilter = (name: string, value: string): void => {
    const next = new URLSearchParams(query);
    if (value === '') next.delete(name);
    else next.set(name, value);
    const qs = next.toString();
    navigate(`/runs${qs === '' ? '' : `?${qs}`}`);
  };
  const now = useNow(5000);

  return (
    <section>
      <h1>Runs</h1>
      <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Environment{' '}
          <select value={environment} onChange={(e) => setFilter('environment', e.target.value)}>
            <option value="">all</option>
            {envs.data?.map((e) => (
              <option key={e.name}>{e.name}</option>
            ))}
          </select>
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Agent{' '}
          <input
            type="search"
            key={agent}
            defaultValue={agent}
            placeholder="name"
            onKeyDown={(e) => {
              if (e.key === 'Enter') setFilter('agent', e.currentTarget.value.trim());
            }}
          />
        </label>
      </form>
      <LoadedView state={runs} what="runs">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">
              No runs{environment === '' && status === '' && agent === '' ? ' yet' : ' match'}. Start one from an{' '}
              <Link to="/agents">agent</Link>, or with <code>stn agent run NAME</code>.
            </p>
          ) : (
            <table className="runs">
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  <th scope="col">Status</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Trigger</th>
                  <th scope="col" className="num">
                    Steps
                  </th>
                  <th scope="col" className="num">
                    Tools
                  </th>
                  <th scope="col" className="num">
                    Tokens
                  </th>
                  <th scope="col">Started</th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link to={`/runs/${String(r.id)}`}>#{r.id}</Link>
                    </td>
                    <td>
                      <RunStatusMark run={r} />
                    </td>
                    <td>{r.agent}</td>
                    <td>{r.environment}</td>
                    <td>{r.trigger}</td>
                    <td className="num">{r.steps}</td>
                    <td className="num">{r.toolCalls}</td>
                    <td className="num">{count(r.tokens.total)}</td>
                    <td title={r.startedAt ?? r.createdAt}>{ago(r.startedAt ?? r.createdAt, now)}</td>
                    <td className="num">
                      {duration(r.durationMs ?? (r.startedAt === null ? null : now - Date.parse(r.startedAt)))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadedView>
    </section>
  );
}
