/**
 * The TUI's client for a running `stn serve` (`stn ui --remote URL --key KEY`): the same StationClient
 * as the local one, over the REST API and the WebSocket at /ws. Live updates arrive as the server's run
 * events; after a lost connection it reconnects with the last seq of each run it follows, so nothing is
 * missed, and says so through `connection` updates.
 */
import WebSocket from 'ws';
import { ExitCode, StationError, type ExitCodeValue } from '../../core/index.js';
import type {
  EventPage,
  EventPageQuery,
  AgentDetailView,
  AgentView,
  ClientInfo,
  ClientUpdate,
  EnvironmentView,
  JsonSchemaObject,
  McpServerView,
  McpToolView,
  RunEventView,
  RunQuery,
  RunView,
  StationClient,
  SyncProgressView,
  SyncResultView,
} from './station-client.js';
import { checkedServerView, syncResultView } from './sync-result.js';

export interface RemoteClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8585 (https with --tls-cert on the server). */
  url: string;
  key: string;
  /** First reconnect delay (ms); it doubles up to 10 s. */
  reconnectMs?: number;
  /** How often a sync in progress is polled (ms). */
  syncPollMs?: number;
}

/**
 * An error answered by the server (or the server unreachable): a StationError with the API's code, hints
 * and details (field errors), and an exit code from the HTTP status, so `stn ui --remote` reports it as
 * any other command error.
 */
export class RemoteError extends StationError {
  constructor(
    message: string,
    readonly status: number,
    code: string,
    hints: readonly string[],
    details: Record<string, unknown> | undefined,
  ) {
    super(code, message, exitCodeFor(status), { hints, ...(details === undefined ? {} : { details }) });
  }
}

function exitCodeFor(status: number): ExitCodeValue {
  if (status === 401 || status === 403) return ExitCode.AUTH;
  if (status === 404) return ExitCode.NOT_FOUND;
  if (status === 409) return ExitCode.CONFLICT;
  if (status === 400) return ExitCode.INVALID;
  if (status === 429) return ExitCode.QUEUE_FULL;
  return ExitCode.ERROR;
}

interface Me {
  name: string;
  role: string;
  defaultEnvironment: string;
  version: string;
}

interface SyncJob {
  id: string;
  status: 'running' | 'completed' | 'failed';
  progress: { message: string; done?: number; total?: number }[];
  report: {
    ok: boolean;
    environments: {
      ok: boolean;
      servers: { status: string; tools: number }[];
      plan: { toolsAdded: unknown[]; toolsRemoved: unknown[]; toolsChanged: unknown[] };
      problems: string[];
      warnings: string[];
      durationMs: number;
    }[];
  } | null;
  error: { message: string } | null;
}

interface ServerRow {
  name: string;
  transport: string;
  disabled: boolean;
  status: string | null;
  tools: number;
  lastError: string | null;
  lastSyncedAt: string | null;
  live: { state: string; error?: string; stderrTail: string; toolCount: number } | null;
}

/** Events after which a run's row (status, counters) has changed. */
const ROW_EVENTS = new Set(['run.queued', 'run.started', 'model.response', 'tool.finished', 'run.finished']);

export class RemoteClient implements StationClient {
  private readonly base: string;
  private readonly listeners = new Set<(update: ClientUpdate) => void>();
  /** Highest seq received per run: what a reconnect resumes from. */
  private readonly lastSeq = new Map<number, number>();
  private ws: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay: number;
  private connected = false;
  private everConnected = false;
  private closed = false;

  private constructor(
    private readonly options: RemoteClientOptions,
    private readonly me: Me,
  ) {
    this.base = options.url.replace(/\/+$/, '');
    this.reconnectDelay = options.reconnectMs ?? 500;
  }

  /** Checks the URL and key (GET /api/v1/me) and returns a client. */
  static async connect(options: RemoteClientOptions): Promise<RemoteClient> {
    const base = options.url.replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+/.test(base)) {
      throw new RemoteError(
        `not an http(s) URL: ${options.url}`,
        0,
        'usage',
        ['Give the URL stn serve prints, e.g. http://127.0.0.1:8585'],
        undefined,
      );
    }
    const me = await request<Me>(base, options.key, 'GET', '/api/v1/me');
    return new RemoteClient(options, me);
  }

  info(): ClientInfo {
    return {
      kind: 'remote',
      label: `${this.base} (${this.me.name}, ${this.me.role})`,
      defaultEnvironment: this.me.defaultEnvironment,
    };
  }

  environments(): Promise<EnvironmentView[]> {
    return this.get<EnvironmentView[]>('/api/v1/environments');
  }

  async syncEnvironment(env: string, onProgress: (p: SyncProgressView) => void): Promise<SyncResultView> {
    let job = await this.send<SyncJob>('POST', `/api/v1/environments/${enc(env)}/sync`);
    let shown = 0;
    for (;;) {
      for (const p of job.progress.slice(shown))
        onProgress({
          message: p.message,
          ...(p.done === undefined ? {} : { done: p.done }),
          ...(p.total === undefined ? {} : { total: p.total }),
        });
      shown = job.progress.length;
      if (job.status !== 'running') break;
      await delay(this.options.syncPollMs ?? 250);
      job = await this.get<SyncJob>(`/api/v1/syncs/${enc(job.id)}`);
    }
    const result = job.report?.environments[0];
    if (result === undefined)
      return {
        ok: false,
        summary: job.error?.message ?? 'sync failed',
        errors: job.error === null ? [] : [job.error.message],
      };
    return syncResultView(result);
  }

  async agents(env: string): Promise<AgentView[]> {
    const list = await this.get<(AgentView & Record<string, unknown>)[]>(`/api/v1/environments/${enc(env)}/agents`);
    return list.map((a) => ({
      name: a.name,
      description: a.description,
      model: a.model,
      tools: a.tools,
      lastRun: a.lastRun,
    }));
  }

  async agent(env: string, name: string): Promise<AgentDetailView> {
    const [source, last] = await Promise.all([
      this.get<{
        agent: {
          name: string;
          fileName: string;
          description: string;
          model?: string;
          maxSteps?: number;
          tools: string[];
          frontmatter: Record<string, unknown>;
          inputSchema: JsonSchemaObject;
          template: string;
        };
      }>(`/api/v1/environments/${enc(env)}/agents/${enc(name)}`),
      this.runs({ environment: env, agent: name, limit: 1 }),
    ]);
    const a = source.agent;
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
    };
  }

  runs(query: RunQuery): Promise<RunView[]> {
    const params = new URLSearchParams();
    if (query.environment !== undefined) params.set('environment', query.environment);
    if (query.agent !== undefined) params.set('agent', query.agent);
    if (query.status !== undefined && query.status.length > 0) params.set('status', query.status.join(','));
    params.set('limit', String(Math.min(query.limit ?? 200, 1000)));
    return this.get<RunView[]>(`/api/v1/runs?${params.toString()}`);
  }

  run(id: number): Promise<RunView> {
    return this.get<RunView>(`/api/v1/runs/${String(id)}?events=false`);
  }

  async runEvents(id: number, query: EventPageQuery): Promise<EventPage> {
    const params = new URLSearchParams({ limit: String(Math.min(Math.max(1, query.limit), 1000)) });
    if (query.tail === true) params.set('tail', 'true');
    else if (query.before !== undefined) params.set('before', String(query.before));
    else if (query.after !== undefined) params.set('after', String(query.after));
    const page = await this.get<EventPage & { lastSeq: number }>(
      `/api/v1/runs/${String(id)}/events?${params.toString()}`,
    );
    return { events: page.events, hasOlder: page.hasOlder, hasNewer: page.hasNewer };
  }

  async startRun(env: string, agent: string, input: Record<string, unknown>): Promise<RunView> {
    const accepted = await this.send<{ id: number; run: RunView }>(
      'POST',
      `/api/v1/environments/${enc(env)}/agents/${enc(agent)}/runs`,
      { input },
    );
    return accepted.run;
  }

  async cancelRun(id: number): Promise<void> {
    const outcome = await this.send<{ run: RunView }>('POST', `/api/v1/runs/${String(id)}/cancel`);
    this.emit({ kind: 'runs', runs: [outcome.run] });
  }

  async mcpServers(env: string): Promise<McpServerView[]> {
    const rows = await this.get<ServerRow[]>(`/api/v1/environments/${enc(env)}/servers`);
    return rows.map((s) =>
      s.live !== null
        ? {
            name: s.name,
            transport: s.transport,
            state: s.live.state,
            error: s.live.error ?? null,
            stderrTail: s.live.stderrTail,
            toolCount: s.live.toolCount,
            source: 'live',
            lastSyncedAt: s.lastSyncedAt,
          }
        : {
            name: s.name,
            transport: s.transport,
            state: s.disabled ? 'disabled' : (s.status ?? 'not synced'),
            error: s.lastError,
            stderrTail: '',
            toolCount: s.tools,
            source: 'recorded',
            lastSyncedAt: s.lastSyncedAt,
          },
    );
  }

  mcpTools(env: string): Promise<McpToolView[]> {
    return this.get<McpToolView[]>(`/api/v1/environments/${enc(env)}/tools`);
  }

  async checkMcp(env: string): Promise<McpServerView[]> {
    const report = await this.send<{
      servers: {
        name: string;
        transport: string;
        status: string;
        error?: string;
        stderrTail: string;
        tools: string[];
      }[];
    }>('POST', `/api/v1/environments/${enc(env)}/servers/check`);
    return report.servers.map(checkedServerView);
  }

  subscribe(listener: (update: ClientUpdate) => void): () => void {
    this.listeners.add(listener);
    if (this.ws === undefined && this.reconnectTimer === undefined) this.open();
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000, 'client closing');
    });
  }

  /** Opens the WebSocket and subscribes to every run, resuming each followed run from its last seq. */
  private open(): void {
    if (this.closed) return;
    const ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/ws`, {
      headers: { Authorization: `Bearer ${this.options.key}` },
    });
    this.ws = ws;
    ws.on('open', () => {
      this.reconnectDelay = this.options.reconnectMs ?? 500;
      const resume = Object.fromEntries([...this.lastSeq].map(([runId, seq]) => [String(runId), seq]));
      ws.send(JSON.stringify({ type: 'subscribe', id: 'all', scope: 'all', resume }));
    });
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(ws, data));
    ws.on('unexpected-response', (req, res) => {
      req.destroy();
      this.setConnected(false, `the server refused the WebSocket (HTTP ${String(res.statusCode)})`);
    });
    ws.on('error', (error) => this.setConnected(false, error.message));
    ws.on('close', () => {
      if (this.ws === ws) this.ws = undefined;
      if (this.closed) return;
      this.setConnected(false, 'connection to the server lost; reconnecting');
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.open();
      }, this.reconnectDelay);
      this.reconnectTimer.unref();
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, 10_000);
    });
  }

  private onMessage(ws: WebSocket, data: WebSocket.RawData): void {
    let msg: { type?: unknown; runId?: unknown; seq?: unknown; runs?: unknown };
    try {
      msg = JSON.parse(rawText(data)) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.type !== 'string') return;
    if (msg.type === 'ws.subscribed') {
      if ((msg as { id?: unknown }).id !== 'all') return;
      const again = this.everConnected;
      this.everConnected = true;
      this.setConnected(true, null);
      if (again) void this.catchUp(ws);
      return;
    }
    if (msg.type === 'ws.dropped' && Array.isArray(msg.runs)) {
      // Too slow for the server: ask again for what was dropped.
      for (const r of msg.runs as { runId: number; fromSeq: number }[]) {
        ws.send(
          JSON.stringify({
            type: 'subscribe',
            id: `catch-up-${String(r.runId)}`,
            scope: 'run',
            runId: r.runId,
            afterSeq: r.fromSeq - 1,
          }),
        );
      }
      return;
    }
    if (msg.type.startsWith('ws.')) return;
    const event = msg as unknown as RunEventView;
    const last = this.lastSeq.get(event.runId) ?? 0;
    if (event.seq <= last) return;
    this.lastSeq.set(event.runId, event.seq);
    this.emit({ kind: 'events', events: [event] });
    if (ROW_EVENTS.has(event.type)) void this.refreshRun(event.runId, event.type === 'run.finished');
  }

  /**
   * After a reconnect: runs that started while the connection was down are unknown to the resume map;
   * follow the active ones from their first event, and refresh the rows of recent runs.
   */
  private async catchUp(ws: WebSocket): Promise<void> {
    try {
      const [active, recent] = await Promise.all([
        this.runs({ status: ['queued', 'running'], limit: 100 }),
        this.runs({ limit: 50 }),
      ]);
      for (const run of active) {
        if (this.lastSeq.has(run.id) || ws.readyState !== WebSocket.OPEN) continue;
        ws.send(
          JSON.stringify({
            type: 'subscribe',
            id: `catch-up-${String(run.id)}`,
            scope: 'run',
            runId: run.id,
            afterSeq: 0,
          }),
        );
      }
      if (recent.length > 0) this.emit({ kind: 'runs', runs: recent });
    } catch (error) {
      this.emit({
        kind: 'connection',
        ok: this.connected,
        error: `could not refresh runs: ${(error as Error).message}`,
      });
    }
  }

  private async refreshRun(id: number, finished: boolean): Promise<void> {
    try {
      const run = await this.run(id);
      this.emit({ kind: 'runs', runs: [run] });
      if (finished) this.lastSeq.delete(id);
    } catch (error) {
      this.emit({
        kind: 'connection',
        ok: this.connected,
        error: `could not read run ${String(id)}: ${(error as Error).message}`,
      });
    }
  }

  private setConnected(ok: boolean, error: string | null): void {
    if (this.connected === ok && ok) return;
    this.connected = ok;
    this.emit({ kind: 'connection', ok, error });
  }

  private emit(update: ClientUpdate): void {
    for (const listener of this.listeners) listener(update);
  }

  private get<T>(path: string): Promise<T> {
    return request<T>(this.base, this.options.key, 'GET', path);
  }

  private send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return request<T>(this.base, this.options.key, method, path, body);
  }
}

async function request<T>(base: string, key: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: {
        Authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new RemoteError(
      `cannot reach ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      0,
      'unreachable',
      ['Is stn serve running there? Check the URL and port.'],
      undefined,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (
      json as
        { error?: { code?: string; message?: string; hints?: string[]; details?: Record<string, unknown> } } | undefined
    )?.error;
    throw new RemoteError(
      err?.message ?? `HTTP ${String(res.status)} from ${method} ${path}`,
      res.status,
      err?.code ?? 'http',
      err?.hints ?? [],
      err?.details,
    );
  }
  return json as T;
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
