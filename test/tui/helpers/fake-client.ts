// A StationClient of our own, in memory, for screen tests where a real engine adds nothing (rendering,
// keys, navigation). Not a mock: it answers every query from arrays the test fills, the way LocalClient
// answers from the store, and hands what the test pushes (events, changed runs, the connection) to
// subscribers, as the real clients do. Real-engine screen tests use makeStation() instead.
import { ConflictError, NotFoundError, StationError, ExitCode } from '../../../src/core/errors.js';
import type {
  AskVariables,
  BundleInspectionView,
  BundleInstallRequest,
  BundleInstallView,
  MissingVariableView,
  AgentDetailView,
  AgentView,
  ClientInfo,
  ClientUpdate,
  EnvironmentView,
  EventPage,
  EventPageQuery,
  McpServerView,
  McpToolView,
  RunEventView,
  RunQuery,
  RunView,
  ScheduleView,
  StationClient,
  SyncProgressView,
  SyncResultView,
} from '../../../src/tui/client/station-client.js';

export type FakeAgent = AgentDetailView & { environment: string };
export type FakeServer = McpServerView & { environment: string };
export type FakeTool = McpToolView & { environment: string };

/** A bundle the fake can inspect and install by its source: what it holds and the variables it needs. */
export interface FakeBundle {
  inspection: BundleInspectionView;
  missing: MissingVariableView[];
}

export interface FakeStationData {
  environments: EnvironmentView[];
  agents: FakeAgent[];
  runs: RunView[];
  events: RunEventView[];
  servers: FakeServer[];
  tools: FakeTool[];
  /** Schedules of agents (each names its environment and agent), as the schedules API lists them. */
  schedules: ScheduleView[];
  /** Bundles by source, for inspectBundle and installBundle. */
  bundles: Record<string, FakeBundle>;
}

export class FakeStationClient implements StationClient {
  readonly data: FakeStationData;
  /** Runs asked for through startRun, in order. */
  readonly started: { environment: string; agent: string; input: Record<string, unknown>; id?: number }[] = [];
  /** Bundles installed through installBundle: the request and the variable answers. */
  readonly installed: { request: BundleInstallRequest; answers: Record<string, string> }[] = [];
  /** Runs asked to cancel through cancelRun, in order. */
  readonly cancelled: number[] = [];
  /** What syncEnvironment does; a test replaces it to report progress, a failure or an error. */
  sync: (env: string, onProgress: (p: SyncProgressView) => void) => Promise<SyncResultView> = () =>
    Promise.resolve({ ok: true, summary: 'nothing to sync', saved: [], errors: [] });
  private readonly listeners = new Set<(update: ClientUpdate) => void>();

  constructor(data: Partial<FakeStationData> = {}) {
    this.data = {
      environments: [],
      agents: [],
      runs: [],
      events: [],
      servers: [],
      tools: [],
      schedules: [],
      bundles: {},
      ...data,
    };
  }

  info(): ClientInfo {
    return { kind: 'local', label: '/fake/station', defaultEnvironment: 'default' };
  }

  async environments(): Promise<EnvironmentView[]> {
    return this.data.environments.map((e) => ({ ...e }));
  }

  async createBundle(env: string): Promise<{ path: string; bytes: number }> {
    this.requireEnvironment(env);
    return { path: `/tmp/${env}.tar.gz`, bytes: 1 };
  }

  async syncEnvironment(env: string, onProgress: (p: SyncProgressView) => void): Promise<SyncResultView> {
    this.requireEnvironment(env);
    return this.sync(env, onProgress);
  }

  async inspectBundle(source: string): Promise<BundleInspectionView> {
    const bundle = this.data.bundles[source];
    if (bundle === undefined) throw new NotFoundError(`no bundle at ${source}`);
    return structuredClone(bundle.inspection);
  }

  /** As the core install: the approval must match, the environment must be new, the variables answered. */
  async installBundle(
    request: BundleInstallRequest,
    onProgress: (p: SyncProgressView) => void,
    askVariables?: AskVariables,
  ): Promise<BundleInstallView> {
    const bundle = this.data.bundles[request.source];
    if (bundle === undefined) throw new NotFoundError(`no bundle at ${request.source}`);
    const environment = request.environment ?? bundle.inspection.environment;
    if (request.approve !== bundle.inspection.configHash) {
      throw new StationError('approval_required', 'the approved configHash does not match', ExitCode.CONFLICT);
    }
    if (this.data.environments.some((e) => e.name === environment)) {
      throw new ConflictError(`environment "${environment}" already exists; nothing was installed`);
    }
    let answers: Record<string, string> = {};
    if (bundle.missing.length > 0) {
      const given = await askVariables?.(environment, bundle.missing);
      if (given === undefined) {
        throw new StationError('missing_variables', 'missing variables; nothing was installed', ExitCode.USAGE);
      }
      answers = given;
    }
    onProgress({ message: 'syncing', done: 1, total: 1 });
    this.installed.push({ request, answers });
    this.data.environments.push({
      name: environment,
      path: `/fake/station/environments/${environment}`,
      description: bundle.inspection.description ?? '',
      agents: bundle.inspection.agents.length,
      servers: bundle.inspection.servers.length,
      tools: 0,
      lastSyncedAt: null,
    });
    return {
      environment,
      ok: true,
      summary: request.sync === false ? 'not synced (s syncs it)' : 'synced: 1/1 servers ready, 3 tools',
      saved: Object.keys(answers).length > 0 ? [`saved ${Object.keys(answers).join(', ')} to variables.yml`] : [],
      warnings: [],
    };
  }

  async agents(env: string): Promise<AgentView[]> {
    this.requireEnvironment(env);
    return this.data.agents
      .filter((a) => a.environment === env)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((a) => ({
        name: a.name,
        description: a.description,
        model: a.model,
        tools: a.tools,
        lastRun: this.lastRun(env, a.name),
      }));
  }

  async agent(env: string, name: string): Promise<AgentDetailView> {
    const found = this.data.agents.find((a) => a.environment === env && a.name === name);
    if (found === undefined) throw new NotFoundError(`agent "${name}" does not exist in environment "${env}"`);
    const { environment: _, ...view } = found;
    return { ...view, lastRun: this.lastRun(env, name) };
  }

  async schedules(env: string): Promise<ScheduleView[]> {
    this.requireEnvironment(env);
    return this.data.schedules.filter((s) => s.environment === env).map((s) => ({ ...s }));
  }

  async runs(query: RunQuery): Promise<RunView[]> {
    return this.data.runs
      .filter(
        (r) =>
          (query.environment === undefined || r.environment === query.environment) &&
          (query.agent === undefined || r.agent === query.agent) &&
          (query.status === undefined || query.status.length === 0 || query.status.includes(r.status)),
      )
      .sort((a, b) => b.id - a.id)
      .slice(0, query.limit ?? 200);
  }

  async run(id: number): Promise<RunView> {
    return { ...this.requireRun(id) };
  }

  /** Pages as LocalClient does: the tail, the page before a seq, or the page after one. */
  async runEvents(id: number, query: EventPageQuery): Promise<EventPage> {
    this.requireRun(id);
    const all = this.data.events.filter((e) => e.runId === id).sort((a, b) => a.seq - b.seq);
    const last = all.at(-1)?.seq ?? 0;
    const limit = Math.max(1, query.limit);
    let after: number;
    if (query.tail === true) after = Math.max(0, last - limit);
    else if (query.before !== undefined) after = Math.max(0, query.before - 1 - limit);
    else after = query.after ?? 0;
    const before = query.before ?? Number.POSITIVE_INFINITY;
    const events = all
      .filter((e) => e.seq > after)
      .slice(0, limit)
      .filter((e) => e.seq < before);
    const first = events[0]?.seq ?? after + 1;
    const end = events.at(-1)?.seq ?? after;
    return { events, hasOlder: first > 1, hasNewer: end < last };
  }

  /** Queues a run: its row and its run.queued event go to subscribers; the test plays the rest. */
  async startRun(env: string, agent: string, input: Record<string, unknown>): Promise<RunView> {
    const found = await this.agent(env, agent);
    const id = Math.max(0, ...this.data.runs.map((r) => r.id)) + 1;
    this.started.push({ environment: env, agent, input, id });
    const run = runView({
      id,
      agent,
      environment: env,
      status: 'queued',
      model: found.model,
    });
    this.pushEvents({
      runId: run.id,
      seq: 1,
      type: 'run.queued',
      ts: run.createdAt,
      data: { agent, environment: env, input, model: found.model ?? 'default' },
    });
    this.putRuns(run);
    return { ...run };
  }

  startedRuns(): number[] {
    return this.started.flatMap((s) => (s.id === undefined ? [] : [s.id]));
  }

  async cancelRun(id: number): Promise<void> {
    this.requireRun(id);
    this.cancelled.push(id);
  }

  async mcpServers(env: string): Promise<McpServerView[]> {
    this.requireEnvironment(env);
    return this.data.servers.filter((s) => s.environment === env).map(({ environment: _, ...s }) => s);
  }

  async mcpTools(env: string): Promise<McpToolView[]> {
    this.requireEnvironment(env);
    return this.data.tools.filter((t) => t.environment === env).map(({ environment: _, ...t }) => t);
  }

  /** The recorded servers, now as a live status. */
  async checkMcp(env: string): Promise<McpServerView[]> {
    return (await this.mcpServers(env)).map((s) => ({ ...s, source: 'live' }));
  }

  subscribe(listener: (update: ClientUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** Records events and hands them to subscribers (what a run in progress does). */
  pushEvents(...events: RunEventView[]): void {
    this.data.events.push(...events);
    this.emit({ kind: 'events', events });
  }

  /** Adds or replaces runs by id and hands their rows to subscribers. */
  putRuns(...runs: RunView[]): void {
    for (const run of runs) {
      const i = this.data.runs.findIndex((r) => r.id === run.id);
      if (i >= 0) this.data.runs[i] = run;
      else this.data.runs.push(run);
    }
    this.emit({ kind: 'runs', runs });
  }

  /** The connection going down or coming back (what a remote client reports). */
  setConnection(ok: boolean, error: string | null = null): void {
    this.emit({ kind: 'connection', ok, error });
  }

  private emit(update: ClientUpdate): void {
    for (const listener of this.listeners) listener(update);
  }

  private lastRun(env: string, agent: string): AgentView['lastRun'] {
    const run = this.data.runs
      .filter((r) => r.environment === env && r.agent === agent)
      .reduce<RunView | undefined>((newest, r) => (newest === undefined || r.id > newest.id ? r : newest), undefined);
    return run === undefined ? null : { id: run.id, status: run.status, at: run.createdAt };
  }

  private requireEnvironment(env: string): void {
    if (!this.data.environments.some((e) => e.name === env))
      throw new NotFoundError(`environment "${env}" does not exist`);
  }

  private requireRun(id: number): RunView {
    const run = this.data.runs.find((r) => r.id === id);
    if (run === undefined) throw new NotFoundError(`run ${String(id)} does not exist`);
    return run;
  }
}

export function environmentView(fields: Partial<EnvironmentView> & { name: string }): EnvironmentView {
  return {
    path: `/fake/station/environments/${fields.name}`,
    description: '',
    agents: 0,
    servers: 0,
    tools: 0,
    lastSyncedAt: null,
    ...fields,
  };
}

export function agentView(fields: Partial<FakeAgent> & { name: string }): FakeAgent {
  return {
    environment: 'default',
    description: '',
    model: null,
    tools: [],
    lastRun: null,
    file: `${fields.name}.prompt`,
    maxSteps: null,
    frontmatter: { metadata: { name: fields.name } },
    inputSchema: { type: 'object', properties: { userInput: { type: 'string' } } },
    template: '{{userInput}}',
    warnings: [],
    ...fields,
  };
}

export function runView(fields: Partial<RunView> & { id: number; agent: string }): RunView {
  return {
    environment: 'default',
    status: 'completed',
    stopReason: null,
    trigger: 'manual',
    scheduledAt: null,
    model: 'test-model',
    steps: 0,
    toolCalls: 0,
    tokens: { input: 0, output: 0, total: 0 },
    error: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    ...fields,
  };
}

/** A schedule firing every hour on the hour; `next` (ISO times) is what the test says the next fires are. */
export function scheduleView(fields: Partial<ScheduleView> & { agent: string }): ScheduleView {
  return {
    environment: 'default',
    cron: '0 * * * *',
    timezone: null,
    enabled: true,
    overlap: 'skip',
    catchUp: 'none',
    variables: {},
    paused: false,
    pausedAt: null,
    pausedBy: null,
    next: [],
    lastFireAt: null,
    lastOutcome: null,
    lastRunId: null,
    lastStatus: null,
    lastError: null,
    ...fields,
  };
}

export function serverView(fields: Partial<FakeServer> & { name: string }): FakeServer {
  return {
    environment: 'default',
    transport: 'stdio',
    state: 'ready',
    error: null,
    stderrTail: '',
    toolCount: 0,
    source: 'recorded',
    lastSyncedAt: null,
    ...fields,
  };
}

export function toolView(fields: Partial<FakeTool> & { server: string; name: string }): FakeTool {
  return {
    environment: 'default',
    qualifiedName: `${fields.server}__${fields.name}`,
    description: '',
    inputSchema: { type: 'object', properties: {} },
    ...fields,
  };
}

/**
 * What makeStation() has before anything runs: the default environment with the two template agents,
 * lister (as LISTER_PROMPT in station.tsx) and the filesystem server, not synced yet; no runs.
 */
export function freshStation(): FakeStationData {
  return {
    environments: [
      environmentView({
        name: 'default',
        description: 'Default environment: a filesystem MCP server rooted at PROJECT_ROOT.',
        agents: 3,
        servers: 1,
      }),
    ],
    agents: [
      agentView({
        name: 'file-explorer',
        description: 'Explores the project folder with the filesystem MCP server and answers questions about it.',
        tools: ['filesystem__list_directory', 'filesystem__read_text_file'],
        maxSteps: 8,
      }),
      agentView({ name: 'hello', description: 'A friendly agent that answers briefly. Uses no tools.', maxSteps: 3 }),
      agentView({
        name: 'lister',
        description: 'Lists a folder and says what is in it.',
        model: 'test-model',
        tools: ['filesystem__list_directory'],
        maxSteps: 5,
        inputSchema: {
          type: 'object',
          properties: {
            userInput: { type: 'string', description: 'what to look for' },
            path: { type: 'string', description: 'the folder to list' },
          },
          required: ['path'],
        },
        template: '{{role "system"}}\nList {{path}} with the tool, then answer.\n\n{{role "user"}}\n{{userInput}}\n',
      }),
    ],
    runs: [],
    events: [],
    servers: [serverView({ name: 'filesystem', state: 'not synced' })],
    tools: [],
    schedules: [],
    bundles: {},
  };
}
