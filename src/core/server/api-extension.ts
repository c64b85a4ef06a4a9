import type { Engine } from '../engine.js';
import { errorMessage } from '../errors.js';
import type { McpPool } from '../mcp/pool.js';
import type { Logger } from './logger.js';
import { agentRoutes } from './routes/agent-routes.js';
import { mcpRoutes } from './routes/mcp-routes.js';
import { runRoutes } from './routes/run-routes.js';
import type { ServerExtension } from './station-server.js';

/**
 * The MCP pools `stn serve` keeps running, one per environment, started in the background at boot.
 * /ready reports on them; the servers route shows their live state.
 */
export class LivePools {
  private readonly pools = new Map<string, McpPool>();
  private readonly failures = new Map<string, string>();
  private starting: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
    private readonly onServerFailed: (server: string) => void,
  ) {}

  /** Starts the pool of every environment; a failing environment is logged, not fatal. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      const names = this.engine.environments.list().map((e) => e.name);
      await Promise.all(
        names.map(async (env) => {
          try {
            const pool = await this.engine.mcp(env);
            this.pools.set(env, pool);
            for (const s of pool.status()) {
              if (s.state !== 'ready') {
                this.onServerFailed(s.name);
                this.log.warn('mcp server not ready', {
                  environment: env,
                  server: s.name,
                  state: s.state,
                  error: s.error,
                });
              }
            }
            this.log.info('mcp pool started', {
              environment: env,
              servers: pool.status().length,
              tools: pool.tools().length,
            });
          } catch (error) {
            this.failures.set(env, errorMessage(error));
            this.log.error('mcp pool failed', { environment: env, error: errorMessage(error) });
          }
        }),
      );
    })();
    return this.starting;
  }

  get(env: string): McpPool | undefined {
    return this.pools.get(env);
  }

  ready(): { ok: boolean; starting: boolean; environments: Record<string, unknown> } {
    const environments: Record<string, unknown> = {};
    for (const [env, pool] of this.pools) {
      environments[env] = { ok: true, servers: pool.status().map((s) => ({ name: s.name, state: s.state })) };
    }
    for (const [env, error] of this.failures) environments[env] = { ok: false, error };
    const starting =
      this.starting === undefined || this.pools.size + this.failures.size < this.engine.environments.list().length;
    // A broken environment is reported, not fatal: the others serve. Ready once every pool was tried.
    return { ok: !starting, starting, environments };
  }
}

/**
 * REST routes over the application layer: agents, MCP servers and tools, syncs, runs; /ready reports on
 * the live pools (whose state the application layer's `liveServers` shows on the servers route).
 */
export function apiExtension(pools: LivePools): ServerExtension {
  return {
    routes: (ctx) => [...agentRoutes(ctx), ...mcpRoutes(ctx), ...runRoutes(ctx)],
    ready: async () => {
      const state = pools.ready();
      return { ok: state.ok, mcp: state };
    },
  };
}
