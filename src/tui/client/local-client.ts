/**
 * The TUI's client over an open Engine in this process. Live updates come from two sources: the engine's
 * event bus (runs this process runs) and the event store, followed with a cursor on run_events.id, so runs
 * started by other processes on the same Station home (another terminal, a scheduler, `stn serve`) appear
 * too. Each poll is one indexed query for rows after the cursor; nothing re-reads whole runs.
 */
import { RunFeedRepo, type Engine, type RunEvent, type RunService, type RunSummary } from '../../core/index.js';
import { McpRepo } from '../../core/store/mcp-repo.js';
import type {
  AgentDetailView,
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
  StationClient,
  SyncProgressView,
  SyncResultView,
} from './station-client.js';
import { checkedServerView, syncResultView } from './sync-result.js';

export interface LocalClientOptions {
  /** How often the event store is polled for rows other processes wrote (ms). */
  pollMs?: number;
  /** Rows read per poll at most (a backlog is read over the next polls). */
  pollBatch?: number;
}

export class LocalClient implements StationClient {
  private readonly listeners = new Set<(update: ClientUpdate) => void>();
  private readonly runService: RunService;
  private readonly repo: RunService['repo'];
  private readonly mcpRepo: McpRepo;
  private readonly pollMs: number;
  private readonly pollBatch: number;
  /** The last run_events.id handed out from the store. */
  private cursor: number;
  /** Highest seq delivered per run (bus and store feed one run; each event goes out once). */
  private readonly delivered = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribeBus: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    options: LocalClientOptions = {},
  ) {
    this.runService = engine.runs;
    this.repo = engine.runs.repo;
    this.mcpRepo = new McpRepo(engine.db);
    this.cursor = new RunFeedRepo(engine.db).latestEventId();
    this.pollMs = options.pollMs ?? 250;
    this.pollBatch = options.pollBatch ?? 1000;
  }

  info(): ClientInfo {
    return { kind: 'local', label: this.engine.paths.home, defaultEnvironment: this.engine.defaultEnvironment() };
  }

  async environments(): Promise<EnvironmentView[]> {
    return this.engine.environments.list();
  }

  async syncEnvironment(env: string, onProgress: (p: SyncProgressView) => void): Promise<SyncResultView> {
    let total = 0;
    let done = 0;
    const report = await this.engine.mcpServers.sync({
      environments: [env],
      onEvent: (event) => {
        switch (event.type) {
          case 'environment-start':
            total = event.servers;
            onProgress({ message: `starting ${String(total)} server${total === 1 ? '' : 's'}`, done, total });
            return;
          case 'server-starting':
            onProgress({ message: `starting ${event.server}`, done, total });
            return;
          case 'server-ready':
            done++;
            onProgress({ message: `${event.server} ready: ${String(event.toolCount)} tools`, done, total });
            return;
          case 'server-failed':
            done++;
            onProgress({ message: `${event.server} failed: ${event.error}`, done, total });
            return;
          default:
            return;
        }
      },
    });
    const result = report.environments[0];
    if (result === undefined) return { ok: report.ok, summary: 'nothing to sync', errors: [] };
    return syncResultView(result);
  }

  async agents(env: string): Promise<AgentView[]> {
    return this.engine.agents.list(env).map((a) => ({
      name: a.name,
      description: a.description,
      model: a.model,
      tools: a.tools,
      lastRun: this.lastRun(env, a.name),
    }));
  }

  async agent(env: string, name: string): Promise<AgentDetailView> {
    const a = this.engine.agents.get(env, name);
    return {
      name: a.name,
      description: a.description,
      model: a.model ?? null,
      tools: a.tools,
      lastRun: this.lastRun(env, a.name),
      file: a.path ?? a.fileName,
      maxSteps: a.maxSteps ?? null,
      frontmatter: a.frontmatter,
      inputSchema: a.inputSchema,
      template: a.template,
    };
  }

  private lastRun(env: string, agent: string): AgentView['lastRun'] {
    const run = this.runService.list({ environment: env, agent, limit: 1 })[0];
    return run === undefined ? null : { id: run.id, status: run.status, at: run.createdAt };
  }

  async runs(query: RunQuery): Promise<RunView[]> {
    const base = { environment: query.environment, agent: query.agent, limit: query.limit ?? 200 };
    if (query.status === undefined || query.status.length === 0) return this.runService.list(base);
    const all = query.status.flatMap((status) => this.runService.list({ ...base, status }));
    return all.sort((a, b) => b.id - a.id).slice(0, base.limit);
  }

  async run(id: number): Promise<RunView> {
    return this.runService.get(id);
  }

  async runEvents(id: number, query: EventPageQuery): Promise<EventPage> {
    this.runService.get(id);
    const last = this.repo.lastSeq(id);
    const limit = Math.max(1, query.limit);
    let after: number;
    if (query.tail === true) after = Math.max(0, last - limit);
    else if (query.before !== undefined) after = Math.max(0, query.before - 1 - limit);
    else after = query.after ?? 0;
    let events = this.repo.events(id, { afterSeq: after, limit });
    if (query.before !== undefined) {
      const before = query.before;
      events = events.filter((e) => e.seq < before);
    }
    const first = events[0]?.seq ?? after + 1;
    const end = events.at(-1)?.seq ?? after;
    return { events, hasOlder: first > 1, hasNewer: end < last };
  }

  /** Queues a run on this process's runner; its events then come from the bus as they happen. */
  async startRun(env: string, agent: string, input: Record<string, unknown>): Promise<RunView> {
    const runner = await this.engine.runner();
    const handle = await runner.submit({ agent, environment: env, input });
    return this.runService.get(handle.runId);
  }

  async cancelRun(id: number): Promise<void> {
    this.runService.cancel(id, 'cancelled from stn ui');
    this.touch([id]);
  }

  async mcpServers(env: string): Promise<McpServerView[]> {
    const row = this.engine.environments.require(env);
    const recorded = new Map(this.mcpRepo.servers(row.id).map((r) => [r.name, r]));
    return this.engine.mcpServers.list(env).map((s) => ({
      name: s.name,
      transport: s.transport,
      state: s.disabled ? 'disabled' : (s.status ?? 'not synced'),
      error: s.lastError,
      stderrTail: recorded.get(s.name)?.stderr_tail ?? '',
      toolCount: s.tools,
      source: 'recorded',
      lastSyncedAt: s.lastSyncedAt,
    }));
  }

  async mcpTools(env: string): Promise<McpToolView[]> {
    return this.engine.mcpServers.tools(env);
  }

  async checkMcp(env: string): Promise<McpServerView[]> {
    const report = await this.engine.mcpServers.check(env);
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

  /** Reads new event rows after the cursor and hands out those not yet delivered. Returns how many rows it read. */
  poll(): number {
    const rows = this.repo.eventsAfter(this.cursor, this.pollBatch);
    if (rows.length === 0) return 0;
    this.cursor = rows.at(-1)?.id ?? this.cursor;
    this.deliver(rows.map((r) => r.event));
    return rows.length;
  }

  /** Hands out events not delivered yet (by run and seq) and the rows of the runs they touch. */
  private deliver(events: readonly RunEvent[]): void {
    const fresh: RunEvent[] = [];
    for (const event of events) {
      const seen = this.delivered.get(event.runId) ?? 0;
      if (event.seq <= seen) continue;
      this.delivered.set(event.runId, event.seq);
      fresh.push(event);
    }
    if (fresh.length === 0) return;
    this.emit({ kind: 'events', events: fresh });
    this.touch([...new Set(fresh.filter(changesRow).map((e) => e.runId))]);
  }

  /** Sends the current rows of these runs. */
  private touch(ids: readonly number[]): void {
    if (ids.length === 0) return;
    const runs: RunSummary[] = [];
    for (const id of ids) {
      if (this.repo.get(id) !== undefined) runs.push(this.runService.get(id));
    }
    if (runs.length > 0) this.emit({ kind: 'runs', runs });
  }

  private emit(update: ClientUpdate): void {
    for (const listener of this.listeners) listener(update);
  }

  private start(): void {
    if (this.timer !== undefined || this.closed) return;
    // Runs of this process: every event as it is recorded, straight from the bus.
    this.unsubscribeBus = this.engine.events.subscribe((event) => {
      this.deliver([event]);
    });
    this.timer = setInterval(() => {
      this.poll();
    }, this.pollMs);
    this.timer.unref();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribeBus?.();
    this.unsubscribeBus = undefined;
  }
}

/** Events after which a run's row (status, counters) has changed. */
function changesRow(event: RunEvent): boolean {
  switch (event.type) {
    case 'run.queued':
    case 'run.started':
    case 'model.response':
    case 'tool.finished':
    case 'run.finished':
      return true;
    default:
      return false;
  }
}
