/**
 * MCP servers of environments, for commands and the server: list what is configured and recorded, edit
 * configs, check servers live, sync, and hand out the running pool of an environment. Light: the MCP
 * SDK is loaded only when a server is actually started.
 */
import { basename } from 'node:path';
import type { StationPaths } from '../config/home.js';
import {
  addServerToConfig,
  removeServerFromConfig,
  type AddServerInput,
  type ConfigEditResult,
} from '../config/mcp-config-edit.js';
import {
  loadMcpConfig,
  mcpConfigWarnings,
  readMcpServerTemplates,
  type LoadedMcpConfig,
  type McpTransportKind,
} from '../config/mcp-config.js';
import type { KeyWarning } from '../config/unknown-keys.js';
import type { EnvironmentService } from '../environments/environment-service.js';
import { McpError, NotFoundError, errorMessage } from '../errors.js';
import type { SecretStore } from '../security/secret-service.js';
import type { StoreDb } from '../store/store-db.js';
import { EnvironmentRepo } from '../store/environment-repo.js';
import { McpRepo } from '../store/mcp-repo.js';
import { SyncService, type AgentCatalog, type SyncOptions, type SyncReport } from '../sync/sync-service.js';
import { InputValidatorCache } from '../prompt/validate-input.js';
import { pickResourceServer, type PromptListing, type ResourceListing, type ResourceReadReport } from './offerings.js';
import { checkEnvironmentServers, type CheckOptions, type CheckReport } from './check-servers.js';
import type { McpPool } from './pool.js';
import { folderStamp, StampedCache } from '../fs/file-stamps.js';
import { ProcessGuard } from './process-guard.js';
import { secretLabel, type Secret } from './redactor.js';
import { startMcpPool } from './start-pool.js';
import { prepareToolCall, type PreparedToolCall } from './tool-call.js';
import { qualifiedToolName } from './tool-names.js';

export type { CheckOptions, CheckReport, CheckServerReport } from './check-servers.js';

/** One server in `stn mcp list --json` (a stable shape). Values are shown as written: placeholders, not secrets. */
export interface McpServerSummary {
  name: string;
  file: string;
  transport: McpTransportKind;
  command: string | null;
  args: string[];
  url: string | null;
  /** Names only: values may be secrets. */
  envNames: string[];
  headerNames: string[];
  timeoutMs: number;
  disabled: boolean;
  /** From the last sync: ready, failed, disabled, or null when never synced. */
  status: string | null;
  tools: number;
  lastError: string | null;
  /** The last lines the server wrote to stderr when it was last synced or checked (secrets masked). */
  stderrTail: string;
  lastSyncedAt: string | null;
  /** Unknown keys of its entry (likely typos), each as `file:line:col: unknown key ...; did you mean ...?`. */
  warnings: string[];
}

/** One tool in `stn mcp tools --json`, as recorded by the last sync. */
export interface McpToolSummary {
  server: string;
  name: string;
  qualifiedName: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** Which servers to ask, with template variables (as `--var` gives them). */
export interface OfferingOptions {
  /** Only this server. */
  server?: string | undefined;
  vars?: Readonly<Record<string, string>> | undefined;
}

export interface McpServiceDeps {
  paths: StationPaths;
  db: StoreDb;
  environments: EnvironmentService;
  env: NodeJS.ProcessEnv;
  onClose: (fn: () => Promise<void>) => void;
  /** The agents service, when there is one (sync indexes and checks agents with it). */
  agents: () => AgentCatalog | undefined;
  clientInfo?: { name: string; version: string };
  /** Tool-call timeout of the running pools' servers that set no `call_timeout_ms` (runner.tool_timeout_seconds). */
  callTimeoutMs?: number;
  /** Largest answer of the stdio servers that set no `max_result_bytes` (runner.max_mcp_result_bytes). */
  maxResultBytes?: number;
  /** The secret store: values for templates (between the process environment and variables.yml), and sync's answers. */
  secretStore?: SecretStore | undefined;
}

/** An environment's pool as McpService.livePool() finds it. */
export type LivePool = { state: 'ready'; pool: McpPool } | { state: 'starting' } | { state: 'failed'; error: string };

interface PoolEntry {
  /** The rendered config the pool was started on. */
  fingerprint: string;
  pool: Promise<McpPool>;
  /** The pool, once it has started. */
  started?: McpPool;
}

export class McpService {
  private readonly repo: McpRepo;
  /** Running pools by environment (and overrides), with the fingerprint of the config each was started on. */
  private readonly pools = new Map<string, PoolEntry>();
  /** One set of process hooks for every pool this service starts; it records their processes in the home. */
  private readonly guard: ProcessGuard;
  private closeRegistered = false;
  /** Set by engine.close(): no pool starts after it. */
  private closed = false;
  /** Compiled input schemas of the tools called by hand. */
  private readonly validators = new InputValidatorCache();
  /** Rendered configs by environment and overrides, with the stamp of what they were made from. */
  private readonly configs = new StampedCache<LoadedMcpConfig>(64);
  /** The secret store's values by environment, with the store's stamp. */
  private readonly storedValues = new StampedCache<Record<string, string>>(64);

  constructor(private readonly deps: McpServiceDeps) {
    this.repo = new McpRepo(deps.db);
    this.guard = new ProcessGuard({ recordsDir: deps.paths.run });
  }

  /** MCP servers recorded by the last sync of every environment. */
  recordedCount(): number {
    return this.repo.serverCount();
  }

  /** Servers configured in an environment, with what the last sync recorded about them. */
  list(environment: string): McpServerSummary[] {
    const row = this.deps.environments.require(environment);
    const recorded = new Map(this.repo.servers(row.id).map((r) => [r.name, r]));
    return readMcpServerTemplates(this.deps.environments.dir(environment)).map((s) => {
      const r = recorded.get(s.name);
      return {
        name: s.name,
        file: basename(s.file),
        transport: s.transport,
        command: s.transport === 'stdio' ? s.command : null,
        args: s.transport === 'stdio' ? s.args : [],
        url: s.transport === 'stdio' ? null : s.url,
        envNames: s.transport === 'stdio' ? Object.keys(s.env).sort() : [],
        headerNames: s.transport === 'stdio' ? [] : Object.keys(s.headers).sort(),
        timeoutMs: s.timeoutMs,
        disabled: s.disabled,
        status: r?.status ?? null,
        tools: r?.tool_count ?? 0,
        lastError: r?.last_error ?? null,
        stderrTail: r?.stderr_tail ?? '',
        lastSyncedAt: r?.last_synced_at == null ? null : new Date(r.last_synced_at).toISOString(),
        warnings: s.warnings ?? [],
      };
    });
  }

  /**
   * Unknown keys in the environment's MCP config files (`agrs` for `args`, a misspelt `mcpServers`), with
   * file:line and the key meant: for commands to show before they start servers.
   */
  configWarnings(environment: string): KeyWarning[] {
    this.requireFolder(environment);
    return mcpConfigWarnings(this.deps.environments.dir(environment));
  }

  /** Tools recorded by the last sync, filtered by server and by a piece of the name (case-insensitive). */
  tools(environment: string, filter: { server?: string; name?: string } = {}): McpToolSummary[] {
    const row = this.deps.environments.require(environment);
    const rows = this.repo.tools(row.id);
    if (filter.server !== undefined && !this.repo.servers(row.id).some((s) => s.name === filter.server)) {
      const names = this.repo.servers(row.id).map((s) => s.name);
      throw new NotFoundError(`no MCP server "${filter.server}" recorded in environment "${environment}"`, {
        hints: [names.length > 0 ? `Servers: ${names.join(', ')}.` : 'Nothing recorded yet: run `stn sync` first.'],
      });
    }
    const needle = filter.name?.toLowerCase();
    return rows
      .filter((t) => filter.server === undefined || t.server_name === filter.server)
      .filter((t) => needle === undefined || qualifiedToolName(t.server_name, t.name).toLowerCase().includes(needle))
      .map((t) => ({
        server: t.server_name,
        name: t.name,
        qualifiedName: qualifiedToolName(t.server_name, t.name),
        description: t.description,
        inputSchema: JSON.parse(t.input_schema_json) as Record<string, unknown>,
      }));
  }

  add(environment: string, input: AddServerInput): ConfigEditResult {
    this.deps.environments.require(environment);
    return addServerToConfig(this.deps.environments.dir(environment), input);
  }

  /** Takes a server out of its config file and drops its records (its tools go with it). */
  remove(environment: string, name: string): ConfigEditResult {
    const row = this.deps.environments.require(environment);
    const result = removeServerFromConfig(this.deps.environments.dir(environment), name);
    this.deps.db.transaction(() => this.repo.deleteServer(row.id, name)).immediate();
    return result;
  }

  /** Preflight: start, initialize, list tools and ping every server (or one), then stop them. Writes nothing. */
  async check(environment: string, options: CheckOptions = {}): Promise<CheckReport> {
    this.requireFolder(environment);
    return checkEnvironmentServers(
      environment,
      this.deps.environments.dir(environment),
      {
        env: this.deps.env,
        stored: this.stored(environment),
        guard: this.guard,
        clientInfo: this.deps.clientInfo,
        maxResultBytes: this.deps.maxResultBytes,
      },
      options,
    );
  }

  /**
   * The secret values of an environment's MCP configs as they render now (see SecretValue.secret), for
   * masking run records. A config that does not render gives none: its servers cannot start either, so
   * none of its values reaches a server.
   */
  secrets(environment: string): Secret[] {
    if (!this.deps.environments.exists(environment)) return [];
    // Every value of the secret store counts, used by the configs or not (a store that cannot be read is an
    // error here: a run must not go on unable to mask its secrets).
    let config: LoadedMcpConfig | undefined;
    try {
      config = this.renderedConfig(environment, {});
    } catch {
      // A config that does not render gives no secrets (its servers cannot start either); the store's still count.
    }
    return this.secretsOf(environment, config);
  }

  /** The secrets of a rendered config (none for a config that does not render) and of the secret store. */
  private secretsOf(environment: string, config: LoadedMcpConfig | undefined): Secret[] {
    const stored = this.stored(environment);
    const fromStore = Object.entries(stored).map(([name, value]) => ({ value, label: secretLabel(name) }));
    const fromConfig = config?.secrets.filter((s) => s.secret).map(({ value, label }) => ({ value, label })) ?? [];
    return [...fromConfig, ...fromStore];
  }

  /**
   * The running pool of an environment, as pool() gives it, and the secrets of the config it runs on, as
   * secrets() gives them, from one render: a run masks these from the moment it has its tools, so a value
   * of template.json or variables.yml changed while the run was queued is masked too.
   */
  async runPool(environment: string): Promise<{ pool: McpPool; secrets: Secret[] }> {
    const { entry, config } = this.currentEntryAndConfig(environment, {});
    return { pool: await entry.pool, secrets: this.secretsOf(environment, config) };
  }

  /**
   * The environment's MCP config rendered with these overrides, and the secret store's values it used:
   * rendered again only when a file of the environment's folder or the secret store changed (a run queue
   * asks for it on every run; a long-lived process still sees an edited template.json or variables.yml at
   * its next run). A config that fails is not kept.
   */
  private renderedConfig(environment: string, overrides: Readonly<Record<string, string>>): LoadedMcpConfig {
    const dir = this.deps.environments.dir(environment);
    const store = this.storeStamp();
    const stamp = store === undefined ? undefined : `${folderStamp(dir)}#${store}`;
    return this.configs.get(poolKey(environment, overrides), stamp, () =>
      loadMcpConfig(dir, { env: this.deps.env, overrides, stored: this.stored(environment) }),
    );
  }

  /** The secret store's stamp ('' without a store); undefined for a store that cannot say when it changed. */
  private storeStamp(): string | undefined {
    const store = this.deps.secretStore;
    if (store === undefined) return '';
    return store.stamp?.();
  }

  /** The secret store's values for an environment's templates (its own over global ones); none without a store. */
  private stored(environment: string): Record<string, string> {
    const store = this.deps.secretStore;
    if (store === undefined) return {};
    // Decrypted again only when the store changed.
    return this.storedValues.get(environment, this.storeStamp(), () => store.valuesFor(environment));
  }

  /**
   * The running pool of an environment: configs rendered, every server started. Cached per environment
   * (and variable overrides) for the life of the engine; engine.close() closes it.
   */
  async pool(environment: string, options: { vars?: Readonly<Record<string, string>> } = {}): Promise<McpPool> {
    return this.currentEntry(environment, options.vars ?? {}).pool;
  }

  /**
   * The pool of an environment as it is now, without waiting for it: `ready` with the pool once it has
   * started, `starting` while it starts, `failed` when its config cannot be loaded. Like pool(), it
   * renders the config first, so asking after template.json or variables.yml changed starts the pool of
   * the new config (the old one ends once its calls are done). For live state: `stn serve`'s /ready.
   */
  livePool(environment: string): LivePool {
    let entry: PoolEntry;
    try {
      entry = this.currentEntry(environment, {});
    } catch (error) {
      return { state: 'failed', error: errorMessage(error) };
    }
    return entry.started === undefined ? { state: 'starting' } : { state: 'ready', pool: entry.started };
  }

  /**
   * A call by hand of a tool of the environment's running pool (see pool()): the reference resolved as agent
   * files name tools and the arguments checked against the tool's input schema; send() makes the call.
   */
  async prepareToolCall(
    environment: string,
    reference: string,
    args: unknown,
    options: { vars?: Readonly<Record<string, string>> | undefined } = {},
  ): Promise<PreparedToolCall> {
    const named = reference.indexOf('__') > 0 ? reference.slice(0, reference.indexOf('__')) : undefined;
    const pool = await this.poolFor(environment, options.vars, named);
    try {
      return prepareToolCall(pool, environment, reference, args, this.validators);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // Not on the server it names: close names come from every server (the tool may be on another one).
      const every = await this.pool(environment, poolOptions(options.vars));
      if (every === pool) throw error;
      return prepareToolCall(every, environment, reference, args, this.validators);
    }
  }

  /** The resources and resource templates the servers of the environment's running pool offer. */
  async resources(environment: string, options: OfferingOptions = {}): Promise<ResourceListing> {
    const pool = await this.poolFor(environment, options.vars, options.server);
    return { environment, servers: await pool.resources(options.server) };
  }

  /** The prompts the servers of the environment's running pool offer. */
  async prompts(environment: string, options: OfferingOptions = {}): Promise<PromptListing> {
    const pool = await this.poolFor(environment, options.vars, options.server);
    return { environment, servers: await pool.prompts(options.server) };
  }

  /** Reads a resource, from the named server or the one that offers the URI. */
  async readResource(environment: string, uri: string, options: OfferingOptions = {}): Promise<ResourceReadReport> {
    const pool = await this.poolFor(environment, options.vars, options.server);
    const server = options.server ?? pickResourceServer(await pool.resources(), uri, environment);
    const t0 = performance.now();
    const contents = await pool.readResource(server, uri);
    const durationMs = Math.round((performance.now() - t0) * 10) / 10;
    return { environment, server, uri, durationMs, contents };
  }

  /**
   * The pool for a request about one server (`server` may also be a name that is no server, or absent):
   * the environment's pool when this process keeps it (stn serve, the TUI, a run), else a pool of that
   * server alone, quicker to start than every server of the environment. Cached like pool().
   */
  private async poolFor(
    environment: string,
    vars: Readonly<Record<string, string>> | undefined,
    server: string | undefined,
  ): Promise<McpPool> {
    const overrides = vars ?? {};
    if (server === undefined || this.pools.has(poolKey(environment, overrides))) {
      return this.pool(environment, poolOptions(vars));
    }
    return this.currentEntry(environment, overrides, server).pool;
  }

  /**
   * The cached pool for the environment's config as it is now, started (or replaced) when needed: of every
   * server, or of the one named `only` when the config has it.
   */
  private currentEntry(environment: string, overrides: Readonly<Record<string, string>>, only?: string): PoolEntry {
    return this.currentEntryAndConfig(environment, overrides, only).entry;
  }

  /** currentEntry(), with the config it was rendered from. */
  private currentEntryAndConfig(
    environment: string,
    overrides: Readonly<Record<string, string>>,
    only?: string,
  ): { entry: PoolEntry; config: LoadedMcpConfig } {
    if (this.closed)
      throw new McpError('the MCP servers of this engine are closed', { code: 'mcp_server_unavailable' });
    this.requireFolder(environment);
    // Rendering the config is cheap (a few small files): doing it on every call lets a long-lived process
    // (stn serve, the TUI) pick up an edited template.json or variables.yml without a restart.
    const config = this.renderedConfig(environment, overrides);
    const subset = config.servers.filter((s) => s.name === only);
    const servers = subset.length > 0 ? subset : config.servers;
    const key = poolKey(environment, overrides, subset.length > 0 ? only : undefined);
    const fingerprint = JSON.stringify(servers);
    const cached = this.pools.get(key);
    if (cached !== undefined && cached.fingerprint === fingerprint) return { entry: cached, config };
    if (cached !== undefined) {
      // The config changed: new runs get a new pool; the old one ends when its calls are done.
      void cached.pool.then((old) => old.closeWhenIdle()).catch(() => undefined);
    }
    if (!this.closeRegistered) {
      this.closeRegistered = true;
      this.deps.onClose(() => this.closePools());
    }
    const pending = startMcpPool(servers, {
      secrets: config.secrets,
      guard: this.guard,
      clientInfo: this.deps.clientInfo,
      callTimeoutMs: this.deps.callTimeoutMs,
      maxResultBytes: this.deps.maxResultBytes,
    });
    const entry: PoolEntry = { fingerprint, pool: pending };
    this.pools.set(key, entry);
    pending.then(
      (pool) => {
        entry.started = pool;
      },
      () => {
        // A pool that could not start is tried again on the next call.
        if (this.pools.get(key) === entry) this.pools.delete(key);
      },
    );
    return { entry, config };
  }

  /** Runs `stn sync` for the given environments. */
  sync(options: SyncOptions): Promise<SyncReport> {
    return this.syncService().sync(options);
  }

  /** Every environment folder name (reads the disk only, so a dry run writes nothing). */
  allEnvironments(): string[] {
    return this.syncService().allEnvironments();
  }

  private syncService(): SyncService {
    return new SyncService({
      paths: this.deps.paths,
      db: this.deps.db,
      environments: this.deps.environments,
      env: this.deps.env,
      agents: this.deps.agents(),
      ...(this.deps.secretStore === undefined ? {} : { secretStore: this.deps.secretStore }),
      guard: this.guard,
      ...(this.deps.clientInfo === undefined ? {} : { clientInfo: this.deps.clientInfo }),
      ...(this.deps.maxResultBytes === undefined ? {} : { maxResultBytes: this.deps.maxResultBytes }),
    });
  }

  private async closePools(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()].map((entry) => entry.pool);
    this.pools.clear();
    await Promise.all(
      pools.map(async (p) => {
        const pool = await p.catch(() => undefined);
        await pool?.close();
      }),
    );
  }

  private requireFolder(environment: string): void {
    if (!this.deps.environments.exists(environment)) {
      const known = new EnvironmentRepo(this.deps.db).all().map((r) => r.name);
      throw new NotFoundError(`environment "${environment}" does not exist`, {
        hints: [known.length > 0 ? `Known environments: ${known.join(', ')}.` : 'Run `stn init` first.'],
      });
    }
  }
}

function poolOptions(vars: Readonly<Record<string, string>> | undefined): {
  vars?: Readonly<Record<string, string>>;
} {
  return vars === undefined ? {} : { vars };
}

/** The cache key of a pool: environment, variable overrides, and the one server it runs (if only one). */
function poolKey(environment: string, overrides: Readonly<Record<string, string>>, only?: string): string {
  return `${environment}\u0000${JSON.stringify(Object.entries(overrides).sort())}\u0000${only ?? ''}`;
}
