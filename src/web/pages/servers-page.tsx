import { LoadedView } from '../components/loaded-view.js';
import { StatusMark } from '../components/status.js';
import { useEachEnvironment } from '../hooks.js';

/** Every environment's MCP servers: state (live when this server runs them), tools, and their stderr. */
export function ServersPage() {
  const all = useEachEnvironment('servers', (api, _env, path) => api.get('listServers', `${path}/servers`));
  return (
    <section>
      <h1>MCP servers</h1>
      <button type="button" onClick={all.reload}>
        Refresh
      </button>
      <LoadedView state={all} what="servers">
        {(lists) =>
          lists.map(({ env, value: servers }) => (
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
                      {s.transport}:{' '}
                      <code>{s.command === null ? (s.url ?? '') : [s.command, ...s.args].join(' ')}</code> ·{' '}
                      {s.live?.toolCount ?? s.tools} tools
                      {s.live === null
                        ? ''
                        : ` · pid ${String(s.live.pid ?? '-')} · ${String(s.live.restarts)} restarts`}
                    </p>
                    {(s.live?.error ?? s.lastError) != null && (
                      <p className="failed">✗ {s.live?.error ?? s.lastError}</p>
                    )}
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
        }
      </LoadedView>
    </section>
  );
}
