import { seg } from '../api.js';
import { ErrorBox } from '../components/error-box.js';
import { StatusMark } from '../components/status.js';
import { useLoad, useSession } from '../hooks.js';

/** Every environment's MCP servers: state (live when this server runs them), tools, and their stderr. */
export function ServersPage() {
  const { api } = useSession();
  const all = useLoad(async () => {
    const envs = await api.get('listEnvironments', '/api/v1/environments');
    return Promise.all(
      envs.map(async (e) => ({
        env: e.name,
        servers: await api.get('listServers', `/api/v1/environments/${seg(e.name)}/servers`),
      })),
    );
  }, 'all');
  return (
    <section>
      <h1>MCP servers</h1>
      <button type="button" onClick={all.reload}>
        Refresh
      </button>
      {all.error !== undefined && <ErrorBox error={all.error} />}
      {all.data === undefined ? (
        <p className="loading">Loading…</p>
      ) : (
        all.data.map(({ env, servers }) => (
          <div key={env}>
            <h2>{env}</h2>
            {servers.length === 0 && <p className="empty">No servers.</p>}
            {servers.map((s) => {
              const stderr = s.live?.stderrTail ?? s.stderrTail;
              return (
                <article key={s.name} className="server">
                  <h3>
                    {s.name} <StatusMark status={s.live?.state ?? s.status ?? 'never synced'} />
                  </h3>
                  <p>
                    {s.transport}: <code>{s.command === null ? (s.url ?? '') : [s.command, ...s.args].join(' ')}</code>{' '}
                    · {s.live?.toolCount ?? s.tools} tools
                    {s.live === null ? '' : ` · pid ${String(s.live.pid ?? '-')} · ${String(s.live.restarts)} restarts`}
                  </p>
                  {(s.live?.error ?? s.lastError) != null && <p className="failed">✗ {s.live?.error ?? s.lastError}</p>}
                  {stderr !== '' && (
                    <details>
                      <summary>stderr</summary>
                      <pre>{stderr}</pre>
                    </details>
                  )}
                </article>
              );
            })}
          </div>
        ))
      )}
    </section>
  );
}
