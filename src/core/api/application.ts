import type { Engine } from '../engine.js';
import type { ServerStatus } from '../mcp/server-connection.js';
import { RunFeed, type RunFeedOptions } from '../runner/run-feed.js';
import type { Principal } from '../security/roles.js';
import { AgentsApi } from './agents-api.js';
import { AuditApi } from './audit-api.js';
import type { AuditOrigin } from './audit-origin.js';
import { BundlesApi } from './bundles-api.js';
import { ApiContext, type SharedState } from './context.js';
import { DoctorApi } from './doctor-api.js';
import { EnvironmentsApi } from './environments-api.js';
import { KeysApi } from './keys-api.js';
import { McpApi } from './mcp-api.js';
import { localPrincipal } from './principal.js';
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

/** The operations of one caller, by area. */
export class StationApi {
  readonly principal: Principal;
  readonly environments: EnvironmentsApi;
  readonly agents: AgentsApi;
  readonly mcp: McpApi;
  readonly runs: RunsApi;
  readonly keys: KeysApi;
  /** The secret store (admins): names listed, values set and removed, never read back. */
  readonly secrets: SecretsApi;
  readonly doctor: DoctorApi;
  /** The audit trail (admins): rows filtered and paged, and the chain verified. */
  readonly audit: AuditApi;
  /** Bundles (admins): create one from an environment, install one. */
  readonly bundles: BundlesApi;
  /** Agents' schedules: list, show, pause, resume, run now, run what is due. */
  readonly schedules: SchedulesApi;
  /** Webhooks (admins): added, listed, removed, tested; their deliveries listed and redelivered. */
  readonly webhooks: WebhooksApi;
  /** A browser's session: single-use WebSocket tickets. */
  readonly session: SessionApi;
  /** The store (admins): engine, location, schema version. */
  readonly store: StoreApi;

  constructor(ctx: ApiContext) {
    this.principal = ctx.principal;
    this.environments = new EnvironmentsApi(ctx);
    this.agents = new AgentsApi(ctx);
    this.mcp = new McpApi(ctx);
    this.runs = new RunsApi(ctx);
    this.keys = new KeysApi(ctx);
    this.secrets = new SecretsApi(ctx);
    this.audit = new AuditApi(ctx);
    this.bundles = new BundlesApi(ctx);
    this.schedules = new SchedulesApi(
      ctx,
      () => new StationApi(new ApiContext(ctx.engine, SCHEDULER_PRINCIPAL, ctx.shared, { door: 'scheduler' })),
    );
    this.webhooks = new WebhooksApi(ctx);
    this.session = new SessionApi(ctx);
    this.store = new StoreApi(ctx);
    this.doctor = new DoctorApi(ctx.principal, { paths: ctx.engine.paths, env: ctx.engine.env });
  }
}
