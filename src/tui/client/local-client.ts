/**
 * The TUI's client over the application layer of this process, acting as the local user: what it
 * changes is audited as `local:<user>`, as with the CLI. Live updates come from one RunFeed: the runs
 * of this process from its event bus, and those any other process writes on the same Station home
 * (another terminal, a scheduler, `stn serve`) from the event store, each event once.
 */
import {
  changesRunRow,
  errorMessage,
  missingVariableView,
  syncProgress,
  type Application,
  type RunEvent,
  type RunFeed,
  type StationApi,
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
  RunQuery,
  RunView,
  ScheduleView,
  StationClient,
  SyncProgressView,
  SyncResultView,
} from './station-client.js';
import { checkedServerView, installResultView, mcpServerView, syncResultView } from './sync-result.js';
import { writeBundleFile } from './bundle-file.js';

export interface LocalClientOptions {
  /** Where createBundle writes ENV.tar.gz [default: the current folder]. */
  bundleDir?: string;
  /** How often the event store is read for rows other processes wrote (ms). */
  pollMs?: number;
  /** Rows read per poll at most (a backlog is read over the next polls). */
  pollBatch?: number;
}

export class LocalClient implements StationClient {
  private readonly listeners = new Set<(update: ClientUpdate) => void>();
  private readonly started: number[] = [];
  private readonly api: StationApi;
  private readonly feed: RunFeed;
  private unsubscribeFeed: (() => void) | undefined;
  private closed = false;
  private readonly bundleDir: string;

  constructor(
    private readonly app: Application,
    options: LocalClientOptions = {},
  ) {
    this.api = app.local('tui');
    this.bundleDir = options.bundleDir ?? process.cwd();
    this.feed = app.runFeed({
      intervalMs: options.pollMs,
      batchSize: options.pollBatch,
      onError: (error) => {
        this.emit({ kind: 'connection', ok: false, error: `reading runs failed: ${errorMessage(error)}` });
      },
      onRecovered: () => {
        this.emit({ kind: 'connection', ok: true, error: null });
      },
    });
  }

  info(): ClientInfo {
    return {
      kind: 'local',
      label: this.app.engine.paths.home,
      defaultEnvironment: this.api.environments.defaultName(),
    };
  }

  async environments(): Promise<EnvironmentView[]> {
    return this.api.environments.list();
  }

  async createBundle(env: string): Promise<BundleFileView> {
    const created = this.api.bundles.create(env);
    return writeBundleFile(this.bundleDir, env, created.bytes);
  }

  async syncEnvironment(
    env: string,
    onProgress: (p: SyncProgressView) => void,
    askVariables?: AskVariables,
  ): Promise<SyncResultView> {
    const progress = syncProgress();
    const report = await this.api.mcp.sync({
      environments: [env],
      onEvent: (event) => {
        const line = progress(event);
        if (line !== undefined) onProgress(line);
      },
      ...(askVariables === undefined
        ? {}
        : { askVariables: (name, missing) => askVariables(name, missing.map(missingVariableView)) }),
    });
    const result = report.environments[0];
    if (result === undefined) return { ok: report.ok, summary: 'nothing to sync', saved: [], errors: [] };
    return syncResultView(result);
  }

  async inspectBundle(source: string): Promise<BundleInspectionView> {
    return this.api.bundles.inspect(source);
  }

  async installBundle(
    request: BundleInstallRequest,
    onProgress: (p: SyncProgressView) => void,
    askVariables?: AskVariables,
  ): Promise<BundleInstallView> {
    const progress = syncProgress();
    const result = await this.api.bundles.install(request.source, {
      ...(request.environment === undefined ? {} : { environment: request.environment }),
      approvedHash: request.approve,
      sync: request.sync !== false,
      onSyncEvent: (event) => {
        const line = progress(event);
        if (line !== undefined) onProgress(line);
      },
      ...(askVariables === undefined
        ? {}
        : {
            askVariables: (name, missing, defaults) => askVariables(name, missing.map(missingVariableView), defaults),
          }),
    });
    return installResultView(result);
  }

  async agents(env: string): Promise<AgentView[]> {
    return this.api.agents.list(env).map((a) => ({
      name: a.name,
      description: a.description,
      model: a.model,
      tools: a.tools,
      lastRun: a.lastRun,
    }));
  }

  async agent(env: string, name: string): Promise<AgentDetailView> {
    const { agent: a, warnings } = this.api.agents.source(env, name);
    return {
      name: a.name,
      description: a.description,
      model: a.model ?? null,
      tools: a.tools,
      lastRun: this.api.agents.lastRuns(env).get(a.name) ?? null,
      file: a.path ?? a.fileName,
      maxSteps: a.maxSteps ?? null,
      frontmatter: a.frontmatter,
      inputSchema: a.inputSchema,
      template: a.template,
      warnings,
    };
  }

  async schedules(env: string): Promise<ScheduleView[]> {
    return this.api.schedules.list(env);
  }

  async runs(query: RunQuery): Promise<RunView[]> {
    return this.api.runs.list({
      environment: query.environment,
      agent: query.agent,
      status: query.status,
      limit: query.limit ?? 200,
    });
  }

  async run(id: number): Promise<RunView> {
    return this.api.runs.get(id);
  }

  async runEvents(id: number, query: EventPageQuery): Promise<EventPage> {
    return this.api.runs.events(id, query);
  }

  /** Queues a run on this process's runner; its events then come from the bus as they happen. */
  async startRun(env: string, agent: string, input: Record<string, unknown>): Promise<RunView> {
    const started = await this.api.runs.start(env, agent, input);
    this.started.push(started.runId);
    return this.api.runs.get(started.runId);
  }

  startedRuns(): number[] {
    return [...this.started];
  }

  async cancelRun(id: number): Promise<void> {
    const { run } = this.api.runs.cancel(id, 'tui');
    this.emit({ kind: 'runs', runs: [run] });
  }

  async mcpServers(env: string): Promise<McpServerView[]> {
    return this.api.mcp.servers(env).map(mcpServerView);
  }

  async mcpTools(env: string): Promise<McpToolView[]> {
    return this.api.mcp.tools(env);
  }

  async checkMcp(env: string): Promise<McpServerView[]> {
    const report = await this.api.mcp.check(env);
    return report.servers.map(checkedServerView);
  }

  subscribe(listener: (update: ClientUpdate) => void): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.stop();
  }

  /** Reads the event store now rather than at the next interval; returns the number of rows read. */
  poll(): number {
    return this.feed.poll();
  }

  /** New events, then the current rows of the runs whose row they changed (status, counters). */
  private deliver(events: readonly RunEvent[]): void {
    this.emit({ kind: 'events', events: [...events] });
    const changed = new Set(events.filter(changesRunRow).map((e) => e.runId));
    if (changed.size > 0) this.emit({ kind: 'runs', runs: [...changed].map((id) => this.api.runs.get(id)) });
  }

  private emit(update: ClientUpdate): void {
    for (const listener of this.listeners) listener(update);
  }

  private start(): void {
    if (this.unsubscribeFeed !== undefined || this.closed) return;
    this.unsubscribeFeed = this.feed.subscribe((events) => {
      this.deliver(events);
    });
    this.feed.start();
  }

  private stop(): void {
    this.feed.stop();
    this.unsubscribeFeed?.();
    this.unsubscribeFeed = undefined;
  }
}
