import type { Engine } from '../engine.js';
import { errorMessage } from '../errors.js';
import type { McpPool } from '../mcp/pool.js';
import { canSeeEnvironment, type Principal } from '../security/roles.js';
import type { Logger } from './logger.js';
import { agentRoutes } from './routes/agent-routes.js';
import { mcpRoutes } from './routes/mcp-routes.js';
import { runRoutes } from './routes/run-routes.js';
import type { ServerExtension } from './station-server.js';

/**
 * The MCP pools `stn serve` keeps running, one per environment, started in the background at boot. Each
 * question goes to the MCP service for the environment's current pool, so an edited template.json or
 * variables.yml shows in /ready and in the servers route (the pool of the new config starts on the first
 * question after the edit).
 */
export class LivePools {
  /** The pool last reported for each environment, so that each new one is logged once. */
  private readonly seen = new Map<string, McpPool>();
  private starting: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
    private readonly onServerFailed: (environment: string, server: string) => void,
  ) {}

  /** Starts the pool of every environment; a failing environment is logged, not fatal. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      const names = this.engine.environments.list().map((e) => e.name);
      await Promise.all(
        names.map(async (env) => {
          try {
            this.observe(env, await this.engine.mcp(env));
          } catch (error) {
            this.log.error('mcp pool failed', { environment: env, error: errorMessage(error) });
          }
        }),
      );
    })();
    return this.starting;
  }

  /** The environment's pool on its current config, once it has started. */
  get(env: string): McpPool | undefined {
    const live = this.engine.mcpServers.livePool(env);
    if (live.state !== 'ready') return undefined;
    this.observe(env, live.pool);
    return live.pool;
  }

  /**
   * Whether every environment's pool was tried, and how each environment the caller may see fares: an
   * environment whose servers all failed (or whose config does not load) is `ok: false`. A broken
   * environment is reported, not fatal: the others serve, so the process is ready once every pool was tried.
   */
  ready(caller: Principal | undefined): { ok: boolean; starting: boolean; environments: Record<string, unknown> } {
    const environments: Record<string, unknown> = {};
    let starting = this.starting === undefined;
    for (const { name } of this.engine.environments.list()) {
      const live = this.engine.mcpServers.livePool(name);
      if (live.state === 'starting') starting = true;
      if (caller !== undefined && !canSeeEnvironment(caller, name)) continue;
      if (live.state === 'ready') {
        this.observe(name, live.pool);
        const servers = live.pool.status().map((s) => ({ name: s.name, state: s.state, error: s.error }));
        const failed = servers.filter((s) => s.state !== 'ready').length;
        environments[name] = {
          ok: servers.length === 0 || failed < servers.length,
          ...(failed > 0 && failed === servers.length ? { error: `all ${String(failed)} MCP servers failed` } : {}),
          servers: servers.map(({ name: server, state, error }) => ({
            name: server,
            state,
            ...(error === undefined ? {} : { error }),
          })),
        };
      } else if (live.state === 'failed') {
        environments[name] = { ok: false, error: live.error };
      } else {
        environments[name] = { ok: false, starting: true };
      }
    }
    return { ok: !starting, starting, environments };
  }

  /** The state of every server of every pool started so far (for the metrics; starts nothing). */
  serverStates(): { environment: string; server: string; state: string }[] {
    return [...this.seen].flatMap(([environment, pool]) =>
      pool.status().map((s) => ({ environment, server: s.name, state: s.state })),
    );
  }

  /** Logs a pool the first time it is seen (at boot, or after a config edit), and counts its failed servers. */
  private observe(env: string, pool: McpPool): void {
    const previous = this.seen.get(env);
    if (previous === pool) return;
    this.seen.set(env, pool);
    for (const s of pool.status()) {
      if (s.state !== 'ready') {
        this.onServerFailed(env, s.name);
        this.log.warn('mcp server not ready', { environment: env, server: s.name, state: s.state, error: s.error });
      }
    }
    this.log.info(previous === undefined ? 'mcp pool started' : 'mcp pool restarted after a config change', {
      environment: env,
      servers: pool.status().length,
      tools: pool.tools().length,
    });
  }
}

/**
 * REST routes over the application layer: agents, MCP servers and tools, syncs, runs; /ready reports on
 * the live pools (whose state the application layer's `liveServers` shows on the servers route).
 */
export function apiExtension(pools: LivePools): ServerExtension {
  return {
    routes: (ctx) => [...agentRoutes(ctx), ...mcpRoutes(ctx), ...runRoutes(ctx)],
    ready: async (caller) => {
      const state = pools.ready(caller);
      return { ok: state.ok, mcp: state };
    },
  };
}
