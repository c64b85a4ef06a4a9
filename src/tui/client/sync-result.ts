import type { ServerView } from '../../core/index.js';
import type { BundleInstallView, McpServerView, SyncResultView } from './station-client.js';

/** How a sync of one environment reads in the TUI: servers ready, tools, what changed, problems. */
/** The part of a sync report (core's SyncEnvironmentReport, or the same JSON from the API) the summary reads. */
export interface SyncSummaryInput {
  ok: boolean;
  servers: readonly { status: string; tools: number }[];
  plan: { toolsAdded: readonly unknown[]; toolsRemoved: readonly unknown[]; toolsChanged: readonly unknown[] };
  problems: readonly string[];
  warnings: readonly string[];
  durationMs: number;
  /** Answers to the variable form: names saved to variables.yml, and secrets stored encrypted. */
  variablesSaved?: readonly string[];
  secretsStored?: readonly string[];
}

export function syncResultView(result: SyncSummaryInput): SyncResultView {
  const ready = result.servers.filter((s) => s.status === 'ready').length;
  const tools = result.servers.reduce((n, s) => n + s.tools, 0);
  const p = result.plan;
  const changes = [
    p.toolsAdded.length > 0 ? `+${String(p.toolsAdded.length)} tools` : null,
    p.toolsRemoved.length > 0 ? `-${String(p.toolsRemoved.length)} tools` : null,
    p.toolsChanged.length > 0 ? `~${String(p.toolsChanged.length)} tools` : null,
  ].filter((x): x is string => x !== null);
  const changed = changes.length > 0 ? ` (${changes.join(', ')})` : ', no changes';
  const saved = [
    (result.variablesSaved ?? []).length > 0
      ? `saved ${(result.variablesSaved ?? []).join(', ')} to variables.yml`
      : null,
    (result.secretsStored ?? []).length > 0
      ? `stored ${(result.secretsStored ?? []).join(', ')} in the secret store (encrypted)`
      : null,
  ].filter((x): x is string => x !== null);
  return {
    ok: result.ok,
    saved,
    summary: `${String(ready)}/${String(result.servers.length)} servers ready, ${String(tools)} tools${changed} in ${String(result.durationMs)}ms`,
    errors: [...result.problems, ...result.warnings],
  };
}

/** The part of core's InstallResult (or the same JSON from the API) the TUI reports. */
export interface InstallSummaryInput {
  environment: string;
  ok: boolean;
  variablesSaved: readonly string[];
  secretsStored: readonly string[];
  warnings: readonly string[];
  sync: { environments: readonly SyncSummaryInput[] } | null;
}

export function installResultView(result: InstallSummaryInput): BundleInstallView {
  const synced = result.sync?.environments[0];
  const sync = synced === undefined ? null : syncResultView(synced);
  const saved = syncResultView({
    ok: true,
    servers: [],
    plan: { toolsAdded: [], toolsRemoved: [], toolsChanged: [] },
    problems: [],
    warnings: [],
    durationMs: 0,
    variablesSaved: result.variablesSaved,
    secretsStored: result.secretsStored,
  }).saved;
  return {
    environment: result.environment,
    ok: result.ok,
    summary: sync === null ? 'not synced (s syncs it)' : `synced: ${sync.summary}`,
    saved,
    warnings: [...(sync?.errors ?? []), ...result.warnings],
  };
}

/** A server of a live MCP check (`stn mcp check`, the API's servers/check) as the MCP screen shows it. */
export function checkedServerView(s: {
  name: string;
  transport: string;
  status: string;
  error?: string | undefined;
  stderrTail: string;
  tools: readonly string[];
}): McpServerView {
  return {
    name: s.name,
    transport: s.transport,
    state: s.status === 'ok' ? 'ready' : s.status,
    error: s.error ?? null,
    stderrTail: s.stderrTail,
    toolCount: s.tools.length,
    source: 'live',
    lastSyncedAt: null,
  };
}

/**
 * A configured server (core's ServerView: the REST servers route, or the application layer) as the MCP
 * screen shows it: its live state when a pool runs it, else what the last sync recorded, stderr tail included.
 */
export function mcpServerView(s: ServerView): McpServerView {
  if (s.live !== null) {
    return {
      name: s.name,
      transport: s.live.transport,
      state: s.live.state,
      error: s.live.error ?? null,
      stderrTail: s.live.stderrTail,
      toolCount: s.live.toolCount,
      source: 'live',
      lastSyncedAt: s.lastSyncedAt,
    };
  }
  return {
    name: s.name,
    transport: s.transport,
    state: s.disabled ? 'disabled' : (s.status ?? 'not synced'),
    error: s.lastError,
    stderrTail: s.stderrTail,
    toolCount: s.tools,
    source: 'recorded',
    lastSyncedAt: s.lastSyncedAt,
  };
}
