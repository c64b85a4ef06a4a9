/**
 * The TUI's client for a running `stn serve` (`stn ui --remote URL --key KEY`): the same StationClient
 * as the local one, made of core's two remote clients: the REST API client (typed answers; failures as
 * StationErrors with the exit code the same failure has locally) and the run-event stream (WebSocket,
 * resumed after a lost connection). This file only maps their answers to the TUI's views.
 */
import {
  ApiClient,
  ApiError,
  RunEventStream,
  changesRunRow,
  errorMessage,
  type MeView,
  type RunStreamUpdate,
  type SyncJob,
} from '../../core/index.js';
import type {
  AgentDetailView,
  AskVariables,
  BundleFileView,
  BundleInspectionView,
  BundleInstallRequest,
  BundleInstallView,
  AgentView,
  ClientInfo,
  ClientUpdate,
  EnvironmentView,
  EventPage,
  EventPageQuery,
  McpServerView,
  McpToolView,
  MissingVariableView,
  RunQuery,
  RunView,
  ScheduleView,
  StationClient,
  SyncProgressView,
  SyncResultView,
} from './station-client.js';
import { checkedServerView, installResultView, mcpServerView, syncResultView } from './sync-result.js';
import { writeBundleFile } from './bundle-file.js';

export interface RemoteClientOptions {
  /** Where createBundle writes ENV.tar.gz [default: the current folder]. */
  bundleDir?: string;
  /** Base URL of the server, e.g. http://127.0.0.1:8585 (https with --tls-cert on the server). */
  url: string;
  key: string;
  /** First reconnect delay (ms); it doubles up to `maxReconnectMs` (default 5 s). */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /**
   * How often the server is pinged (ms, default 400): three pings without an answer count as a lost
   * connection, so a server that went silent shows as disconnected within two seconds.
   */
  heartbeatMs?: number;
  /** How often a sync in progress is polled (ms). */
  syncPollMs?: number;
  /** The fetch the API client uses (default: the global one). */
  fetch?: typeof fetch;
}

/** The server's page size limit for runs and events. */
const MAX_PAGE = 1000;

export class RemoteClient implements StationClient {
  private readonly listeners = new Set<(update: ClientUpdate) => void>();
  private readonly started: number[] = [];
  private unsubscribeStream: (() => void) | undefined;
  private connected = false;

  private constructor(
    private readonly api: ApiClient,
    private readonly stream: RunEventStream,
    private readonly me: MeView,
    private readonly options: RemoteClientOptions,
  ) {}

  /** Checks the URL and key (GET /api/v1/me) and returns a client. */
  static async connect(options: RemoteClientOptions): Promise<RemoteClient> {
    const api = new ApiClient({
      url: options.url,
      key: options.key,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    const me = await api.whoami();
    const stream = new RunEventStream({
      url: api.url,
      key: options.key,
      ...(options.reconnectMs === undefined ? {} : { reconnectMs: options.reconnectMs }),
      maxReconnectMs: options.maxReconnectMs ?? 5000,
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    });
    return new RemoteClient(api, stream, me, options);
  }

  info(): ClientInfo {
    return {
      kind: 'remote',
      label: `${this.api.url} (${this.me.name}, ${this.me.role})`,
      defaultEnvironment: this.me.defaultEnvironment,
    };
  }

  environments(): Promise<EnvironmentView[]> {
    return this.api.listEnvironments();
  }

  async createBundle(env: string): Promise<BundleFileView> {
    const bytes = await this.api.getEnvironmentBundle(env);
    return writeBundleFile(this.options.bundleDir ?? process.cwd(), env, bytes);
  }

  async syncEnvironment(
    env: string,
    onProgress: (p: SyncProgressView) => void,
    askVariables?: AskVariables,
  ): Promise<SyncResultView> {
    const follow = async (variables?: Record<string, string>): Promise<SyncJob> =>
      this.api.followSync(await this.api.startSync(env, variables === undefined ? {} : { variables }), {
        ...(this.options.syncPollMs === undefined ? {} : { pollMs: this.options.syncPollMs }),
        onProgress: ({ message, done, total }) => onProgress({ message, done, total }),
      });
    let job = await follow();
    // The server lists what is missing (never values); the answers go back in a second sync request,
    // which saves them the way the local client's answers are saved.
    const missing = job.error?.code === 'missing_variables' ? job.error.missing : undefined;
    if (missing !== undefined && askVariables !== undefined) {
      const answers = await askVariables(env, missing);
      if (answers !== undefined) job = await follow(answers);
    }
    const result = job.report?.environments[0];
    if (result !== undefined) return syncResultView(result);
    return {
      ok: false,
      summary: job.error?.message ?? 'sync failed',
      saved: [],
      errors: job.error === null ? [] : [job.error.message],
    };
  }

  inspectBundle(source: string): Promise<BundleInspectionView> {
    return this.api.inspectBundle(source);
  }

  async installBundle(
    request: BundleInstallRequest,
    onProgress: (p: SyncProgressView) => void,
    askVariables?: AskVariables,
  ): Promise<BundleInstallView> {
    // One request installs and syncs (no progress over the wire): say so while it runs.
    onProgress({ message: request.sync === false ? 'installing…' : 'installing and syncing…', done: 0, total: 1 });
    const body = {
      source: request.source,
      ...(request.environment === undefined ? {} : { environment: request.environment }),
      approve: request.approve,
      sync: request.sync !== false,
      // The form offers the bundle's defaults, as the local TUI and the CLI on a terminal do.
      ...(askVariables === undefined ? {} : { offerDefaults: true }),
    };
    try {
      return installResultView(await this.api.installBundle(body));
    } catch (error) {
      // The server lists the variables nothing gives (never values); the answers go back in a second
      // request, which the core install saves the way the local client's answers are saved.
      const missing = missingOf(error);
      if (missing === undefined || askVariables === undefined) throw error;
      const answers = await askVariables(request.environment ?? '', missing, defaultsOf(error));
      if (answers === undefined) throw error;
      onProgress({ message: 'installing…', done: 0, total: 1 });
      return installResultView(await this.api.installBundle({ ...body, vars: answers }));
    }
  }

  async agents(env: string): Promise<AgentView[]> {
    const list = await this.api.listAgents(env);
    return list.map(({ name, description, model, tools, lastRun }) => ({ name, description, model, tools, lastRun }));
  }

  async agent(env: string, name: string): Promise<AgentDetailView> {
    const [{ agent: a, warnings }, last] = await Promise.all([
      this.api.getAgent(env, name),
      this.api.listRuns({ environment: env, agent: name, limit: 1 }),
    ]);
    const run = last[0];
    return {
      name: a.name,
      description: a.description,
      model: a.model ?? null,
      tools: a.tools,
      lastRun: run === undefined ? null : { id: run.id, status: run.status, at: run.createdAt },
      file: a.fileName,
      maxSteps: a.maxSteps ?? null,
      frontmatter: a.frontmatter,
      inputSchema: a.inputSchema,
      template: a.template,
      warnings,
    };
  }

  schedules(env: string): Promise<ScheduleView[]> {
    return this.api.listSchedules(env);
  }

  runs(query: RunQuery): Promise<RunView[]> {
    return this.api.listRuns({ ...query, limit: Math.min(query.limit ?? 200, MAX_PAGE) });
  }

  run(id: number): Promise<RunView> {
    return this.api.getRun(id, { events: false });
  }

  async runEvents(id: number, query: EventPageQuery): Promise<EventPage> {
    const page = await this.api.listRunEvents(id, { ...query, limit: Math.min(Math.max(1, query.limit), MAX_PAGE) });
    return { events: page.events, hasOlder: page.hasOlder, hasNewer: page.hasNewer };
  }

  async startRun(env: string, agent: string, input: Record<string, unknown>): Promise<RunView> {
    const accepted = await this.api.startRun(env, agent, { input });
    this.started.push(accepted.run.id);
    // Followed from its first event: nothing of it is missed even if the socket is not subscribed yet.
    this.stream.follow(accepted.run.id);
    this.emit({ kind: 'runs', runs: [accepted.run] });
    return accepted.run;
  }

  startedRuns(): number[] {
    return [...this.started];
  }

  async cancelRun(id: number): Promise<void> {
    const outcome = await this.api.cancelRun(id, 'tui');
    this.emit({ kind: 'runs', runs: [outcome.run] });
  }

  async mcpServers(env: string): Promise<McpServerView[]> {
    return (await this.api.listServers(env)).map(mcpServerView);
  }

  mcpTools(env: string): Promise<McpToolView[]> {
    return this.api.listTools(env);
  }

  async checkMcp(env: string): Promise<McpServerView[]> {
    const report = await this.api.checkServers(env);
    return report.servers.map(checkedServerView);
  }

  subscribe(listener: (update: ClientUpdate) => void): () => void {
    this.listeners.add(listener);
    this.unsubscribeStream ??= this.stream.subscribe((update) => this.onStream(update));
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.unsubscribeStream?.();
    await this.stream.close();
  }

  private onStream(update: RunStreamUpdate): void {
    if (update.kind === 'event') {
      const { event } = update;
      this.emit({ kind: 'events', events: [event] });
      if (changesRunRow(event)) void this.refreshRun(event.runId, event.type === 'run.finished');
      return;
    }
    this.connected = update.ok;
    this.emit({
      kind: 'connection',
      ok: update.ok,
      error: update.error,
      retryAt: update.retryInMs === null ? null : Date.now() + update.retryInMs,
    });
    if (update.ok) void this.catchUp();
  }

  /**
   * Once subscribed (first, or again after a loss): runs that started before the subscription (while the
   * connection was down, or between the first list and the socket) are unknown to the stream; follow the
   * active ones from their first event, and refresh the rows of recent runs.
   */
  private async catchUp(): Promise<void> {
    try {
      const [active, recent] = await Promise.all([
        this.api.listRuns({ status: ['queued', 'running'], limit: 100 }),
        this.api.listRuns({ limit: 50 }),
      ]);
      for (const run of active) this.stream.follow(run.id);
      if (recent.length > 0) this.emit({ kind: 'runs', runs: recent });
    } catch (error) {
      this.emit({
        kind: 'connection',
        ok: this.connected,
        error: `could not refresh runs: ${errorMessage(error)}`,
      });
    }
  }

  private async refreshRun(id: number, finished: boolean): Promise<void> {
    try {
      const run = await this.run(id);
      this.emit({ kind: 'runs', runs: [run] });
      if (finished) this.stream.forget(id);
    } catch (error) {
      this.emit({
        kind: 'connection',
        ok: this.connected,
        error: `could not read run ${String(id)}: ${errorMessage(error)}`,
      });
    }
  }

  private emit(update: ClientUpdate): void {
    for (const listener of this.listeners) listener(update);
  }
}

/** The variables a 422 missing_variables answer lists, else undefined. */
/** The defaults a 422 missing_variables answer offers (details.defaults: name -> value). */
function defaultsOf(error: unknown): Record<string, string> {
  const defaults = ((error as ApiError).details as { defaults?: unknown } | undefined)?.defaults;
  if (defaults === null || typeof defaults !== 'object') return {};
  return Object.fromEntries(
    Object.entries(defaults as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function missingOf(error: unknown): MissingVariableView[] | undefined {
  if (!(error instanceof ApiError) || error.code !== 'missing_variables') return undefined;
  const missing = (error.details as { missing?: unknown } | undefined)?.missing;
  return Array.isArray(missing) ? (missing as MissingVariableView[]) : undefined;
}
