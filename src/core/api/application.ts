import type { Engine } from '../engine.js';
import type { ServerStatus } from '../mcp/server-connection.js';
import { RunFeed, type RunFeedOptions } from '../runner/run-feed.js';
import type { Principal } from '../security/roles.js';
import { AgentsApi } from './agents-api.js';
import { AuditApi } from './audit-api.js';
import { BackupApi } from './backup-api.js';
import type { AuditOrigin } from './audit-origin.js';
import { BundlesApi } from './bundles-api.js';
import { ApiContext, type SharedState } from './context.js';
import { DoctorApi } from './doctor-api.js';
import { EnvironmentsApi } from './environments-api.js';
import { KeysApi } from './keys-api.js';
import { McpApi } from './mcp-api.js';
import { localPrincipal } from './principal.js';
import { RetentionApi } from './retention-api.js';
import { RunsApi } from './runs-api.js';
import { SCHEDULER_PRINCIPAL, SchedulesApi } from './schedules-api.js';
import { SecretsApi } from './secrets-api.js';
import { SyncJobs } from './sync-jobs.js';
import { SessionApi } from './session-api.js';
import { StoreApi } from './store-api.js';
import { WebhooksApi } from './webhooks-api.js';
import { WsTicketBook } from './ws-tickets.js';

export interface ApplicationOptions {
  /** Live state of an environment's servers, when this process keeps its pool running (`stn serve`). */
  liveServers?: (environment: string) => readonly ServerStatus[] | undefined;
  clock?: () => number;
}

/**
 * The application layer: every operation a door offers (CLI, TUI, REST, WebSocket, MCP), each doing
 * authorize -> service -> audit exactly once. One Application per process and engine; `as(principal)`
 * gives the operations of one caller.
 */
export class Application {
  private readonly shared: SharedState;

  constructor(
    readonly engine: Engine,
    options: ApplicationOptions = {},
  ) {
    const live = options.liveServers;
    this.shared = {
      syncJobs: new SyncJobs(options.clock),
      wsTickets: new WsTicketBook(options.clock),
      liveServers: (env) => live?.(env),
    };
  }

  /**
   * The operations of `principal` (an API key's, or the local user's), audited as coming through
   * `origin.door` (default: the request's door when called while the server handles one).
   */
  as(principal: Principal, origin: Partial<AuditOrigin> = {}): StationApi {
    return new StationApi(new ApiContext(this.engine, principal, this.shared, origin));
  }

  /**
   * The caller a WebSocket ticket was given to, as its key stands now (revoked or expired meanwhile:
   * refused). The ticket is spent whatever the answer.
   */
  redeemWsTicket(ticket: string): Principal {
    return this.engine.keys.principalOf(this.shared.wsTickets.redeem(ticket));
  }

  /** The operations of whoever runs this process (the CLI, the local TUI, `stn stdio`), audited with that door. */
  local(door: AuditOrigin['door'] = 'cli'): StationApi {
    return this.as(localPrincipal(this.engine.env), { door });
  }

  /**
   * Run events of every process on this Station home as they happen, this process's runs straight from
   * its bus: each event once, in seq order per run. Not started; the caller starts and stops it. Not
   * scoped to a principal: a door shows its caller what it may see (the WebSocket hub per key; the local
   * TUI's user sees everything).
   */
  runFeed(options: Omit<RunFeedOptions, 'bus'> = {}): RunFeed {
    return new RunFeed(this.engine.db, { ...options, bus: this.engine.events });
  }
}

/**
 * The operations of one caller, by area. Each area is made on first use: a request's handle (one per
 * request) costs only the areas it calls.
 */
export class StationApi {
  readonly principal: Principal;
  private readonly areas: Partial<{
    environments: EnvironmentsApi;
    agents: AgentsApi;
    mcp: McpApi;
    runs: RunsApi;
    retention: RetentionApi;
    keys: KeysApi;
    secrets: SecretsApi;
    doctor: DoctorApi;
    audit: AuditApi;
    bundles: BundlesApi;
    schedules: SchedulesApi;
    webhooks: WebhooksApi;
    session: SessionApi;
    store: StoreApi;
    backup: BackupApi;
  }> = {};

  constructor(private readonly ctx: ApiContext) {
    this.principal = ctx.principal;
  }

  get environments(): EnvironmentsApi {
    return (this.areas.environments ??= new EnvironmentsApi(this.ctx));
  }

  get agents(): AgentsApi {
    return (this.areas.agents ??= new AgentsApi(this.ctx));
  }

  get mcp(): McpApi {
    return (this.areas.mcp ??= new McpApi(this.ctx));
  }

  get runs(): RunsApi {
    return (this.areas.runs ??= new RunsApi(this.ctx));
  }

  /** Retention (admins): finished runs pruned by hand or by the configured policy, and the store compacted. */
  get retention(): RetentionApi {
    return (this.areas.retention ??= new RetentionApi(this.ctx));
  }

  get keys(): KeysApi {
    return (this.areas.keys ??= new KeysApi(this.ctx));
  }

  /** The secret store (admins): names listed, values set and removed, never read back. */
  get secrets(): SecretsApi {
    return (this.areas.secrets ??= new SecretsApi(this.ctx));
  }

  get doctor(): DoctorApi {
    const { ctx } = this;
    return (this.areas.doctor ??= new DoctorApi(ctx.principal, { paths: ctx.engine.paths, env: ctx.engine.env }));
  }

  /** The audit trail (admins): rows filtered and paged, and the chain verified. */
  get audit(): AuditApi {
    return (this.areas.audit ??= new AuditApi(this.ctx));
  }

  /** Bundles (admins): create one from an environment, install one. */
  get bundles(): BundlesApi {
    return (this.areas.bundles ??= new BundlesApi(this.ctx));
  }

  /** Agents' schedules: list, show, pause, resume, run now, run what is due. */
  get schedules(): SchedulesApi {
    const { ctx } = this;
    // The scheduler's runs are audited as its own, from where the call came (a request's id and address).
    const origin = { ...ctx.origin, door: 'scheduler' } as const;
    return (this.areas.schedules ??= new SchedulesApi(
      ctx,
      () => new StationApi(new ApiContext(ctx.engine, SCHEDULER_PRINCIPAL, ctx.shared, origin)),
    ));
  }

  /** Webhooks (admins): added, listed, removed, tested; their deliveries listed and redelivered. */
  get webhooks(): WebhooksApi {
    return (this.areas.webhooks ??= new WebhooksApi(this.ctx));
  }

  /** A browser's session: single-use WebSocket tickets. */
  get session(): SessionApi {
    return (this.areas.session ??= new SessionApi(this.ctx));
  }

  /** The store (admins): engine, location, schema version. */
  get store(): StoreApi {
    return (this.areas.store ??= new StoreApi(this.ctx));
  }

  /** Backups (admins): an online copy of the home's store, environments and config in one archive. */
  get backup(): BackupApi {
    return (this.areas.backup ??= new BackupApi(this.ctx));
  }
}
