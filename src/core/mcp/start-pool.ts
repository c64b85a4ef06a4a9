/**
 * The one place that starts an MCP pool: it turns what a service knows (the rendered config's secrets,
 * the shared process guard, the client info, the call timeout, the result limit, a listener) into McpPool options. Light:
 * the pool module, and with it the MCP SDK, is loaded only here, when a pool is started.
 */
import type { McpServerConfig } from '../config/mcp-config.js';
import type { McpPool, McpPoolOptions } from './pool.js';
import type { ProcessGuard } from './process-guard.js';
import type { Secret } from './redactor.js';
import type { PoolEvent } from './server-connection.js';

export interface PoolSettings {
  /** Values masked in errors and stderr tails: the rendered config's secrets. */
  secrets: readonly Secret[];
  /** Shared process hooks; absent: the pool gets a guard of its own. */
  guard?: ProcessGuard | undefined;
  clientInfo?: { name: string; version: string } | undefined;
  /** Tool-call timeout (reset by progress) of servers that set no `call_timeout_ms`. */
  callTimeoutMs?: number | undefined;
  /** Largest answer of a stdio server that sets no `max_result_bytes`. */
  maxResultBytes?: number | undefined;
  onEvent?: ((event: PoolEvent) => void) | undefined;
}

/** McpPool options from the settings (unset settings left out, so the pool's defaults apply). */
export function poolOptions(settings: PoolSettings): McpPoolOptions {
  const options: McpPoolOptions = { secrets: settings.secrets };
  if (settings.guard !== undefined) options.guard = settings.guard;
  if (settings.clientInfo !== undefined) options.clientInfo = settings.clientInfo;
  if (settings.callTimeoutMs !== undefined) options.callTimeoutMs = settings.callTimeoutMs;
  if (settings.maxResultBytes !== undefined) options.maxResultBytes = settings.maxResultBytes;
  if (settings.onEvent !== undefined) options.onEvent = settings.onEvent;
  return options;
}

/** Starts these servers in a new pool (see McpPool.start: resolves once each is ready or has failed). */
export async function startMcpPool(servers: readonly McpServerConfig[], settings: PoolSettings): Promise<McpPool> {
  const { McpPool } = await import('./pool.js');
  return McpPool.start(servers, poolOptions(settings));
}
