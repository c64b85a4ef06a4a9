import { useEffect, useState } from 'react';
import type { SyncJob } from '../../core/api/sync-jobs.js';
import { seg } from '../api.js';
import { ErrorBox } from '../components/error-box.js';
import { LoadedView } from '../components/loaded-view.js';
import { StatusMark } from '../components/status.js';
import { ago } from '../format.js';
import { useCan, useLoad, useSession } from '../hooks.js';
import { Link } from '../router.js';

export function EnvironmentsPage() {
  const { api } = useSession();
  const envs = useLoad(() => api.get('listEnvironments', '/api/v1/environments'), 'envs');
  return (
    <section>
      <h1>Environments</h1>
      <LoadedView state={envs} what="environments">
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Agents
                </th>
                <th scope="col" className="num">
                  MCP servers
                </th>
                <th scope="col" className="num">
                  Tools
                </th>
                <th scope="col">Last sync</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr key={e.name}>
                  <td>
                    <Link to={`/environments/${seg(e.name)}`}>{e.name}</Link>
                  </td>
                  <td className="num">{e.agents}</td>
                  <td className="num">{e.servers}</td>
                  <td className="num">{e.tools}</td>
                  <td>{e.lastSyncedAt === null ? 'never' : ago(e.lastSyncedAt)}</td>
                  <td>{e.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadedView>
    </section>
  );
}

/** One environment: its servers, tools and agents, and a sync with live progress. */
export function EnvironmentPage({ env }: { env: string }) {
  const { api } = useSession();
  const detail = useLoad(() => api.get('getEnvironment', `/api/v1/environments/${seg(env)}`), `env:${env}`);
  const servers = useLoad(() => api.get('listServers', `/api/v1/environments/${seg(env)}/servers`), `env:${env}`);
  const tools = useLoad(() => api.get('listTools', `/api/v1/environments/${seg(env)}/tools`), `env:${env}`);
  const agents = useLoad(() => api.get('listAgents', `/api/v1/environments/${seg(env)}/agents`), `env:${env}`);
  const canSync = useCan('write', env);
  const reloadAll = (): void => {
    detail.reload();
    servers.reload();
    tools.reload();
  };
  if (detail.error !== undefined) return <ErrorBox error={detail.error} />;
  return (
    <section>
      <h1>Environment {env}</h1>
      {detail.data !== undefined && <p>{detail.data.description}</p>}
      {canSync && <SyncButton env={env} onDone={reloadAll} />}
      <h2>MCP servers</h2>
      <LoadedView state={servers} what="servers">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">
              No MCP servers: add them to <code>template.json</code>.
            </p>
          ) : (
            <ul className="plain">
              {list.map((s) => (
                <li key={s.name}>
                  <StatusMark status={s.live?.state ?? s.status ?? 'never synced'} /> <strong>{s.name}</strong> (
                  {s.transport}, {s.tools} tools){s.lastError === null ? '' : ` — ${s.lastError}`}
                </li>
              ))}
            </ul>
          )
        }
      </LoadedView>
      <h2>Agents</h2>
      <LoadedView state={agents} what="agents">
        {(list) => (
          <ul className="plain">
            {list.map((a) => (
              <li key={a.name}>
                <Link to={`/agents/${seg(env)}/${seg(a.name)}`}>{a.name}</Link> {a.description}
              </li>
            ))}
          </ul>
        )}
      </LoadedView>
      <h2>Tools</h2>
      <LoadedView state={tools} what="tools">
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Tool</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <tr key={t.qualifiedName}>
                  <td>
                    <code>{t.qualifiedName}</code>
                  </td>
                  <td>{t.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadedView>
    </section>
  );
}

function SyncButton({ env, onDone }: { env: string; onDone: () => void }) {
  const { api } = useSession();
  const [job, setJob] = useState<SyncJob | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (job?.status !== 'running') return;
    const t = setTimeout(() => {
      api.get('getSync', `/api/v1/syncs/${seg(job.id)}`).then((next) => {
        setJob(next);
        if (next.status !== 'running') onDone();
      }, setError);
    }, 300);
    return () => clearTimeout(t);
  }, [api, job, onDone]);
  const start = (): void => {
    setError(undefined);
    api.post('startSync', `/api/v1/environments/${seg(env)}/sync`, {}).then(setJob, setError);
  };
  return (
    <div className="sync">
      <button type="button" onClick={start} disabled={job?.status === 'running'}>
        {job?.status === 'running' ? 'Syncing…' : 'Sync'}
      </button>
      {job !== undefined && (
        <div role="status" aria-live="polite">
          <StatusMark status={job.status} />
          <ul className="progress">
            {job.progress.map((p, i) => (
              <li key={i}>
                [{p.done}/{p.total}] {p.message}
              </li>
            ))}
          </ul>
          {job.error !== null && <ErrorBox error={new Error(job.error.message)} />}
        </div>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}
