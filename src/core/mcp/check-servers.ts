/**
 * Preflight of an environment's MCP servers: start every one (or one), initialize, list tools, ping, then
 * stop them. Writes nothing. Shared by `stn mcp check` (McpService.check) and `stn doctor`, which runs it
 * without an open engine (a broken database must not keep it from checking the servers).
 */
import { loadMcpConfig, mcpConfigWarnings, type LoadedMcpConfig, type McpTransportKind } from '../config/mcp-config.js';
import { NotFoundError, errorMessage } from '../errors.js';
import type { ProcessGuard } from './process-guard.js';
import type { PoolEvent } from './server-connection.js';
import { startMcpPool } from './start-pool.js';

export interface CheckServerReport {
  name: string;
  transport: McpTransportKind;
  status: 'ok' | 'failed' | 'disabled';
  startMs: number;
  pingMs: number | null;
  tools: string[];
  error?: string;
  stderrTail: string;
  serverInfo?: { name: string; version: string };
}

export interface CheckReport {
  environment: string;
  ok: boolean;
  servers: CheckServerReport[];
  /** Unknown keys in the environment's MCP config files (likely typos), with file:line. */
  warnings: string[];
}

export interface CheckOptions {
  /** Only this server. */
  server?: string;
  overrides?: Readonly<Record<string, string>>;
  onEvent?: (event: PoolEvent) => void;
}

export interface CheckDeps {
  /** The process environment (variables for the configs). */
  env: NodeJS.ProcessEnv;
  /** The secret store's values for the environment (see LoadMcpConfigOptions.stored). */
  stored?: Readonly<Record<string, string>>;
  guard?: ProcessGuard | undefined;
  clientInfo?: { name: string; version: string } | undefined;
  /** Largest tool result kept (runner.max_mcp_result_bytes); the pool's default when absent. */
  maxResultBytes?: number | undefined;
}

/** Renders the environment folder's MCP configs (errors as loadMcpConfig throws them) and checks the servers. */
export async function checkEnvironmentServers(
  environment: string,
  dir: string,
  deps: CheckDeps,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const warnings = mcpConfigWarnings(dir).map((w) => w.message);
  const config = loadMcpConfig(dir, { env: deps.env, overrides: options.overrides ?? {}, stored: deps.stored ?? {} });
  return { ...(await checkLoadedServers(environment, config, deps, options)), warnings };
}

/** Checks the servers of a config already rendered (its unknown-key warnings are the caller's: none here). */
export async function checkLoadedServers(
  environment: string,
  config: LoadedMcpConfig,
  deps: CheckDeps,
  options: CheckOptions = {},
): Promise<CheckReport> {
  let servers = config.servers;
  if (options.server !== undefined) {
    servers = servers.filter((s) => s.name === options.server);
    if (servers.length === 0) {
      throw new NotFoundError(`no MCP server "${options.server}" in environment "${environment}"`, {
        hints: [`Servers: ${config.servers.map((s) => s.name).join(', ') || '(none)'}.`],
      });
    }
  }
  const pool = await startMcpPool(
    servers.filter((s) => !s.disabled),
    {
      secrets: config.secrets,
      guard: deps.guard,
      clientInfo: deps.clientInfo,
      maxResultBytes: deps.maxResultBytes,
      onEvent: options.onEvent,
    },
  );
  try {
    const statuses = new Map(pool.status().map((s) => [s.name, s]));
    const tools = pool.tools();
    const reports: CheckServerReport[] = [];
    for (const s of servers) {
      const st = statuses.get(s.name);
      if (s.disabled || st === undefined) {
        reports.push({
          name: s.name,
          transport: s.transport,
          status: 'disabled',
          startMs: 0,
          pingMs: null,
          tools: [],
          stderrTail: '',
        });
        continue;
      }
      const report: CheckServerReport = {
        name: s.name,
        transport: st.transport,
        status: st.state === 'ready' ? 'ok' : 'failed',
        startMs: st.startMs,
        pingMs: null,
        tools: tools.filter((t) => t.server === s.name).map((t) => t.name),
        stderrTail: st.stderrTail,
        ...(st.error === undefined ? {} : { error: st.error }),
        ...(st.serverInfo === undefined ? {} : { serverInfo: st.serverInfo }),
      };
      if (st.state === 'ready') {
        try {
          report.pingMs = Math.round((await pool.ping(s.name, Math.min(s.timeoutMs, 10_000))) * 10) / 10;
        } catch (error) {
          report.status = 'failed';
          report.error = `ping failed: ${errorMessage(error)}`;
        }
      }
      reports.push(report);
    }
    return { environment, ok: reports.every((r) => r.status !== 'failed'), servers: reports, warnings: [] };
  } finally {
    await pool.close();
  }
}
