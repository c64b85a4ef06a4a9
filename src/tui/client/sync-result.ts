import type { SyncEnvironmentReport } from '../../core/index.js';
import type { SyncResultView } from './station-client.js';

/** How a sync of one environment reads in the TUI: servers ready, tools, what changed, problems. */
export function syncResultView(result: SyncEnvironmentReport): SyncResultView {
  const ready = result.servers.filter((s) => s.status === 'ready').length;
  const tools = result.servers.reduce((n, s) => n + s.tools, 0);
  const p = result.plan;
  const changes = [
    p.toolsAdded.length > 0 ? `+${String(p.toolsAdded.length)} tools` : null,
    p.toolsRemoved.length > 0 ? `-${String(p.toolsRemoved.length)} tools` : null,
    p.toolsChanged.length > 0 ? `~${String(p.toolsChanged.length)} tools` : null,
  ].filter((x): x is string => x !== null);
  const changed = changes.length > 0 ? ` (${changes.join(', ')})` : ', no changes';
  return {
    ok: result.ok,
    summary: `${String(ready)}/${String(result.servers.length)} servers ready, ${String(tools)} tools${changed} in ${String(result.durationMs)}ms`,
    errors: [...result.problems, ...result.warnings],
  };
}
