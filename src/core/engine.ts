import { readEncryptionKey } from './security/encryption-key.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveStationHome, stationPaths, type StationPaths } from './config/home.js';
import { readStationConfigCached } from './config/config-cache.js';
import type { StationConfig } from './config/station-config.js';
import type { KeyWarning } from './config/unknown-keys.js';
import { EnvironmentService } from './environments/environment-service.js';
import { AgentService } from './agents/agent-service.js';
import { AuditLog } from './security/audit-log.js';
import { KeyService } from './security/key-service.js';
import { SecretService } from './security/secret-service.js';
import { ConfigError } from './errors.js';
import { openStore, storeLocation, type StoreLocation } from './store/open-store.js';
import type { StoreDb } from './store/store-db.js';
import type { RunRow } from './store/run-repo.js';
import { privacyWarnings, type PrivacyWarning } from './fs/private-files.js';
import { reapOrphanedGroups } from './mcp/group-records.js';
import { McpService } from './mcp/mcp-service.js';
import type { McpPool } from './mcp/pool.js';
import { EventBus } from './events/event-bus.js';
import { RunService } from './runner/run-service.js';
import type { Runner } from './runner/runner.js';
import { WebhookService, type WebhookTuning } from './webhooks/webhook-service.js';

export interface EngineOptions {
  /** Explicit Station home (the --home flag); else STATION_HOME, XDG_CONFIG_HOME, ~/.config. */
  home?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Webhook delivery timing (tests shorten the retry waits). */
  webhooks?: WebhookTuning;
  /**
   * Where the engine reports trouble found while it works, away from any request or command (traces that
   * cannot be sent to the collector): the command's or the server's log. Unset, nothing is reported.
   */
  warn?: (message: string) => void;
}

/**
 * The engine: one Station home opened. Light services are built here; heavy ones (MCP pool, model
 * client, runner) are loaded on first use so that quick commands stay quick.
 */
export interface Engine {
  readonly paths: StationPaths;
  readonly config: StationConfig;
  /** The store: the home's SQLite file, or the PostgreSQL database of `store` in config.yaml. */
  readonly db: StoreDb;
  /** Which engine the store is, and where (a file, or a URL without its password). */
  readonly store: StoreLocation;
  readonly env: NodeJS.ProcessEnv;
  readonly environments: EnvironmentService;
  /** Agents (`.prompt` files) of environments and their index: list, get, create, update, delete, validate. */
  readonly agents: AgentService;
  /** API keys for `stn serve` (created, listed and revoked by `stn key`). */
  readonly keys: KeyService;
  /** The audit trail (hash-chained), written by the application layer for every change from every door. */
  readonly audit: AuditLog;
  /**
   * The secret store: values encrypted at rest with the home's key (STATION_ENCRYPTION_KEY or keys/station.key),
   * used by templates and masking, never shown.
   */
  readonly secrets: SecretService;
  /** MCP servers of environments: list, add, remove, check, sync (light; servers start only when asked). */
  readonly mcpServers: McpService;
  /**
   * The running MCP pool of an environment: its configs rendered (`vars` win over variables.yml and the
   * process environment), every server started concurrently. Cached per environment; closed by close().
   */
  mcp(envName: string, opts?: { vars?: Record<string, string> }): Promise<McpPool>;
  /** The core event bus: every run event, as it is recorded (the one schema of src/core/events). */
  readonly events: EventBus;
  /**
   * Recorded runs: list, show (with events), cancel. Runs of dead processes are marked interrupted on open
   * (or at the next open, when another process holds the database's write lock), and the MCP servers
   * such processes left running are ended.
   */
  readonly runs: RunService;
  /**
   * Webhooks and their deliveries: every run that finishes in this process queues a delivery for each
   * webhook that wants it. `stn serve` runs the delivery worker; other processes send what they queued when
   * they close (for a few seconds), and leave the rest queued.
   */
  readonly webhooks: WebhookService;
  /** The run queue of this process (loaded and made on first use; shut down by close()). */
  runner(): Promise<Runner>;
  /**
   * Files of the home that may hold secrets (config.yaml, station.db, variables.yml) and that others may
   * read, found when the engine was opened; doors tell the user (core never prints).
   */
  privacyWarnings(): readonly PrivacyWarning[];
  /** Keys of config.yaml that Station does not know (likely typos), found when the engine was opened. */
  configWarnings(): readonly KeyWarning[];
  /** The environment a command uses when none is named: config `environment.default`. */
  defaultEnvironment(): string;
  /** Registers teardown work (children, servers) run by close(), last registered first. */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

/** Opens the Station home. It must have been made by `stn init` (or contain a database). */
export function openEngine(options: EngineOptions = {}): Engine {
  const env = options.env ?? process.env;
  const paths = stationPaths(resolveStationHome({ home: options.home, env }));
  if (!existsSync(paths.config) && !existsSync(paths.database)) {
    throw new ConfigError(`Station is not initialized at ${paths.home}`, {
      hints: ['Run `stn init` to create it, or point --home / STATION_HOME at an existing Station home.'],
      details: { home: paths.home },
    });
  }
  const { config, warnings: configWarnings } = readStationConfigCached(paths.config, join(paths.cache, 'config.json'));
  const store = storeLocation(paths, config, env);
  const db = openStore(paths, config, env, { key: () => readEncryptionKey(paths, env) });
  const warnings = privacyWarnings(paths);
  const closers: (() => Promise<void> | void)[] = [];
  const environments = new EnvironmentService(paths, db);
  const agents = new AgentService(db, environments);
  const secrets = new SecretService({ paths, db, env, environments });
  const mcpServers = new McpService({
    paths,
    db,
    environments,
    env,
    onClose: (fn) => closers.push(fn),
    callTimeoutMs: config.runner.toolTimeoutSeconds * 1000,
    maxResultBytes: config.runner.maxMcpResultBytes,
    // Sync indexes and checks agents through engine.agents.
    agents: () => agents,
    secretStore: secrets,
  });
  const events = new EventBus();
  let runner: Runner | undefined;
  let runnerPending: Promise<Runner> | undefined;
  const runs = new RunService(
    db,
    () => runner,
    undefined,
    config.runner.leaseSeconds * 1000,
    (run) => retriesAllowed(agents, run),
  );
  const interrupted = runs.markInterrupted();
  const webhooks = new WebhookService({
    db,
    config,
    secrets,
    environments,
    runs,
    ...(options.webhooks === undefined ? {} : { tuning: options.webhooks }),
  });
  // Queued after the run's end is stored, off the event's path: a webhook never holds a run.
  events.on('run.finished', (event) => webhooks.runFinished(event));
  if (interrupted.length > 0) {
    try {
      webhooks.runsFinishedElsewhere(interrupted);
    } catch (error) {
      // Opening must not fail on a webhook: these runs' deliveries are lost, the runs are recorded.
      process.emitWarning(`webhook deliveries of interrupted runs not queued: ${String(error)}`);
    }
  }
  // MCP servers left running by a Station process that was killed (kill -9) are ended, as its runs are
  // marked interrupted: SIGTERM now, SIGKILL after a grace that close() waits for.
  const reaping = reapOrphanedGroups(paths.run).catch(() => 0);
  let closed = false;
  return {
    paths,
    config,
    db,
    store,
    env,
    environments,
    agents,
    secrets,
    mcpServers,
    mcp: (envName, opts) => mcpServers.pool(envName, opts?.vars === undefined ? {} : { vars: opts.vars }),
    keys: new KeyService(db),
    audit: new AuditLog(db),
    events,
    runs,
    webhooks,
    runner: () =>
      (runnerPending ??= (async () => {
        const { createEngineRunner } = await import('./runner/engine-runner.js');
        // Traces of this process's runs, when config.yaml asks for them (the OpenTelemetry SDK loads only then);
        // close() sends the spans still buffered, after the runs have ended.
        const otlpEndpoint = config.telemetry.otlpEndpoint;
        if (otlpEndpoint !== null) {
          const { startRunTracer } = await import('./telemetry/run-tracer.js');
          const tracer = startRunTracer(events, {
            endpoint: otlpEndpoint,
            serviceName: config.telemetry.serviceName,
            ...(options.warn === undefined ? {} : { warn: options.warn }),
          });
          closers.push(() => tracer.shutdown());
        }
        // On a shared store this process's runs hold leases, renewed while it lives (see RunService.renewLeases).
        if (store.kind === 'postgres') {
          const leaseMs = config.runner.leaseSeconds * 1000;
          const timer = setInterval(
            () => {
              try {
                runs.renewLeases();
              } catch (error) {
                process.emitWarning(`run leases not renewed: ${String(error)}`);
              }
            },
            Math.max(100, Math.floor(leaseMs / 3)),
          );
          timer.unref();
          closers.push(() => clearInterval(timer));
        }
        runner = createEngineRunner({
          config,
          env,
          bus: events,
          repo: runs.repo,
          environments,
          agents,
          mcp: (envName) => mcpServers.runPool(envName),
          secrets: (envName) => mcpServers.secrets(envName),
        });
        return runner;
      })()),
    privacyWarnings: () => warnings,
    configWarnings: () => configWarnings,
    defaultEnvironment: () => config.environment.default,
    onClose: (fn) => {
      closers.push(fn);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      const errors: unknown[] = [];
      // Runs first (recorded as cancelled by shutdown), then the MCP pools and servers they use.
      if (runnerPending !== undefined) {
        try {
          await (await runnerPending).shutdown({ graceMs: 0 });
        } catch (error) {
          errors.push(error);
        }
      }
      // Deliveries this process queued (a CLI run's) get their first attempts before the database closes.
      try {
        await webhooks.stopWorker();
        await webhooks.flush();
      } catch (error) {
        errors.push(error);
      }
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch (error) {
          errors.push(error);
        }
      }
      await reaping;
      db.close();
      if (errors.length > 0) throw new AggregateError(errors, 'errors while closing Station');
    },
  };
}

/** The retries an interrupted run's agent allows (`retry_on_interrupt`), read from its file as it is now. */
function retriesAllowed(agents: AgentService, run: RunRow): number {
  try {
    return agents.get(run.environment_name, run.agent_name).retryOnInterrupt ?? 0;
  } catch {
    return 0; // an agent removed (or broken) since: its run stays interrupted, as recorded
  }
}
