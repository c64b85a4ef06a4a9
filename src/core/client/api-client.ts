/**
 * A typed client of a Station server's REST API: one method per operation (named by its operationId),
 * answers typed by the wire contract (ApiResponses), and failures as StationErrors rebuilt from the
 * error body, exit code included. Used by the remote TUI, the server tests and any other remote door.
 */
import type { AuditFilters } from '../security/audit-log.js';
import type { AgentDraft } from '../agents/agent-draft.js';
import type { ApiRequests, ApiResponses, OfferingFilter, RunQuery, ToolFilter } from '../api/views.js';
import type { SyncJob } from '../api/sync-jobs.js';
import { UsageError } from '../errors.js';
import type { RunDetail, RunSummary } from '../runner/run-service.js';
import type { EventPageQuery } from '../store/run-repo.js';
import { ApiError, ServerUnreachableError, errorBodyOf } from './api-errors.js';

export interface ApiClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8585 (https with --tls-cert on the server). */
  url: string;
  /** The API key (`stn key create`), sent as a Bearer token. */
  key: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

interface CallOptions {
  query?: URLSearchParams;
  body?: unknown;
  /** Statuses besides 2xx whose body is an answer, not an error (503 of /ready). */
  answers?: readonly number[];
  /** The answer is text, not JSON (/metrics). */
  text?: boolean;
  /** The answer is bytes (an archive). */
  binary?: boolean;
}

export class ApiClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  private readonly key: string;
  private readonly fetch: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+/.test(this.url)) {
      throw new UsageError(`not an http(s) URL: ${options.url}`, {
        hints: ['Give the URL stn serve prints, e.g. http://127.0.0.1:8585'],
      });
    }
    this.key = options.key;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The same server with another key. */
  withKey(key: string): ApiClient {
    return new ApiClient({ url: this.url, key, fetch: this.fetch });
  }

  // Operations: the process and the caller.

  health(): Promise<ApiResponses['health']> {
    return this.call('GET', '/health');
  }

  /** Ready or not (a 503 is an answer here: `checks` says what failed). */
  ready(): Promise<ApiResponses['ready']> {
    return this.call('GET', '/ready', { answers: [503] });
  }

  metrics(): Promise<ApiResponses['metrics']> {
    return this.call('GET', '/metrics', { text: true });
  }

  whoami(): Promise<ApiResponses['whoami']> {
    return this.call('GET', '/api/v1/me');
  }

  /** A single-use ticket for /ws?ticket=... (for clients that cannot set headers on a WebSocket). */
  createWsTicket(): Promise<ApiResponses['createWsTicket']> {
    return this.call('POST', '/api/v1/ws-tickets');
  }

  openapi(): Promise<ApiResponses['openapi']> {
    return this.call('GET', '/api/v1/openapi.json');
  }

  // Environments.

  listEnvironments(): Promise<ApiResponses['listEnvironments']> {
    return this.call('GET', '/api/v1/environments');
  }

  getEnvironment(env: string): Promise<ApiResponses['getEnvironment']> {
    return this.call('GET', envPath(env));
  }

  createEnvironment(body: ApiRequests['createEnvironment']): Promise<ApiResponses['createEnvironment']> {
    return this.call('POST', '/api/v1/environments', { body });
  }

  deleteEnvironment(env: string): Promise<ApiResponses['deleteEnvironment']> {
    return this.call('DELETE', envPath(env));
  }

  // Secrets (admin): names listed, values set and removed, never read back.

  listSecrets(environment?: string): Promise<ApiResponses['listSecrets']> {
    const query = environment === undefined ? '' : `?environment=${encodeURIComponent(environment)}`;
    return this.call('GET', `/api/v1/secrets${query}`);
  }

  /**
   * Installs a bundle. Without `approve` (the servers' configHash) the server answers 409 approval_required
   * with the servers and the hash; missing variables answer 422 missing_variables: both are ApiErrors.
   */
  installBundle(body: ApiRequests['installBundle']): Promise<ApiResponses['installBundle']> {
    return this.call('POST', '/api/v1/bundles/install', { body });
  }

  /** What SOURCE holds (servers, agents, variables, configHash), read through the install's checks; nothing installed. */
  inspectBundle(source: string): Promise<ApiResponses['inspectBundle']> {
    return this.call('GET', '/api/v1/bundles/inspect', { query: new URLSearchParams({ source }) });
  }

  /** The environment as a bundle archive (.tar.gz bytes). */
  getEnvironmentBundle(env: string): Promise<ApiResponses['getEnvironmentBundle']> {
    return this.call('GET', `${envPath(env)}/bundle`, { binary: true });
  }

  setSecret(name: string, body: ApiRequests['setSecret']): Promise<ApiResponses['setSecret']> {
    return this.call('PUT', `/api/v1/secrets/${encodeURIComponent(name)}`, { body });
  }

  deleteSecret(name: string, environment?: string): Promise<ApiResponses['deleteSecret']> {
    const query = environment === undefined ? '' : `?environment=${encodeURIComponent(environment)}`;
    return this.call('DELETE', `/api/v1/secrets/${encodeURIComponent(name)}${query}`);
  }

  // Webhooks (admin): the signing secret comes back once, from addWebhook.

  listWebhooks(): Promise<ApiResponses['listWebhooks']> {
    return this.call('GET', '/api/v1/webhooks');
  }

  addWebhook(body: ApiRequests['addWebhook']): Promise<ApiResponses['addWebhook']> {
    return this.call('POST', '/api/v1/webhooks', { body });
  }

  deleteWebhook(id: number): Promise<ApiResponses['deleteWebhook']> {
    return this.call('DELETE', `/api/v1/webhooks/${String(id)}`);
  }

  testWebhook(id: number): Promise<ApiResponses['testWebhook']> {
    return this.call('POST', `/api/v1/webhooks/${String(id)}/test`);
  }

  // The audit trail (admin).

  listAudit(filters: AuditFilters = {}): Promise<ApiResponses['listAudit']> {
    const params = new URLSearchParams();
    if (filters.since !== undefined) params.set('since', new Date(filters.since).toISOString());
    if (filters.actor !== undefined) params.set('actor', filters.actor);
    if (filters.action !== undefined) params.set('action', filters.action);
    if (filters.before !== undefined) params.set('before', String(filters.before));
    if (filters.limit !== undefined) params.set('limit', String(filters.limit));
    const query = params.size === 0 ? '' : `?${params.toString()}`;
    return this.call('GET', `/api/v1/audit${query}`);
  }

  verifyAudit(): Promise<ApiResponses['verifyAudit']> {
    return this.call('GET', '/api/v1/audit/verify');
  }

  // Schedules.

  listSchedules(environment?: string): Promise<ApiResponses['listSchedules']> {
    const query = environment === undefined ? '' : `?environment=${encodeURIComponent(environment)}`;
    return this.call('GET', `/api/v1/schedules${query}`);
  }

  getSchedule(env: string, agent: string): Promise<ApiResponses['getSchedule']> {
    return this.call('GET', schedulePath(env, agent));
  }

  pauseSchedule(env: string, agent: string): Promise<ApiResponses['pauseSchedule']> {
    return this.call('POST', `${schedulePath(env, agent)}/pause`);
  }

  resumeSchedule(env: string, agent: string): Promise<ApiResponses['resumeSchedule']> {
    return this.call('POST', `${schedulePath(env, agent)}/resume`);
  }

  runSchedule(env: string, agent: string): Promise<ApiResponses['runSchedule']> {
    return this.call('POST', `${schedulePath(env, agent)}/run`);
  }

  // Agents.

  listAgents(env: string): Promise<ApiResponses['listAgents']> {
    return this.call('GET', `${envPath(env)}/agents`);
  }

  /** The parsed agent, the text of its file and that text's hash. */
  getAgent(env: string, name: string): Promise<ApiResponses['getAgent']> {
    return this.call('GET', agentPath(env, name));
  }

  createAgent(env: string, draft: AgentDraft): Promise<ApiResponses['createAgent']> {
    return this.call('POST', `${envPath(env)}/agents`, { body: draft });
  }

  /** Changes fields of an agent; `name` renames it. */
  updateAgent(env: string, name: string, change: ApiRequests['updateAgent']): Promise<ApiResponses['updateAgent']> {
    return this.call('PATCH', agentPath(env, name), { body: change });
  }

  /** Replaces the whole file; with expectedHash, a conflict if it changed since. */
  replaceAgent(env: string, name: string, body: ApiRequests['replaceAgent']): Promise<ApiResponses['replaceAgent']> {
    return this.call('PUT', agentPath(env, name), { body });
  }

  deleteAgent(env: string, name: string): Promise<ApiResponses['deleteAgent']> {
    return this.call('DELETE', agentPath(env, name));
  }

  // MCP servers, tools and syncs.

  listTools(env: string, filter: ToolFilter = {}): Promise<ApiResponses['listTools']> {
    const query = new URLSearchParams();
    if (filter.server !== undefined) query.set('server', filter.server);
    if (filter.name !== undefined) query.set('name', filter.name);
    return this.call('GET', `${envPath(env)}/tools`, { query });
  }

  /** Calls a tool by hand; a tool that answers with an error is a result (`result.isError`), not a throw. */
  callTool(env: string, tool: string, body: ApiRequests['callTool'] = {}): Promise<ApiResponses['callTool']> {
    return this.call('POST', `${envPath(env)}/tools/${encodeURIComponent(tool)}/call`, { body });
  }

  /** Resources and resource templates of each server (or one). */
  listResources(env: string, filter: OfferingFilter = {}): Promise<ApiResponses['listResources']> {
    return this.call('GET', `${envPath(env)}/resources`, { query: serverQuery(filter) });
  }

  /** Prompts of each server (or one). */
  listPrompts(env: string, filter: OfferingFilter = {}): Promise<ApiResponses['listPrompts']> {
    return this.call('GET', `${envPath(env)}/prompts`, { query: serverQuery(filter) });
  }

  /** Each server's configuration, what the last sync recorded (stderr tail included) and its live state. */
  listServers(env: string): Promise<ApiResponses['listServers']> {
    return this.call('GET', `${envPath(env)}/servers`);
  }

  /** Starts every server now, lists its tools, pings it, and stops it (a failed server is in the report). */
  checkServers(env: string): Promise<ApiResponses['checkServers']> {
    return this.call('POST', `${envPath(env)}/servers/check`);
  }

  /**
   * Starts a sync in the background (or returns the one running); follow it with getSync or followSync.
   * `variables` answer the ones a previous sync reported missing (its `error.missing`).
   */
  startSync(env: string, body: ApiRequests['startSync'] = {}): Promise<ApiResponses['startSync']> {
    return this.call('POST', `${envPath(env)}/sync`, { body });
  }

  getSync(id: string): Promise<ApiResponses['getSync']> {
    return this.call('GET', `/api/v1/syncs/${encodeURIComponent(id)}`);
  }

  /**
   * Polls a sync until it has finished, handing each new progress line to `onProgress`; returns the
   * finished job (its report, or its error).
   */
  async followSync(
    job: SyncJob,
    options: { pollMs?: number; onProgress?: (line: SyncJob['progress'][number]) => void } = {},
  ): Promise<SyncJob> {
    let shown = 0;
    for (;;) {
      for (const line of job.progress.slice(shown)) options.onProgress?.(line);
      shown = job.progress.length;
      if (job.status !== 'running') return job;
      await delay(options.pollMs ?? 250);
      job = await this.getSync(job.id);
    }
  }

  // Runs.

  /** Newest first; several statuses mean any of them. */
  listRuns(query: RunQuery = {}): Promise<ApiResponses['listRuns']> {
    const params = new URLSearchParams();
    if (query.environment !== undefined) params.set('environment', query.environment);
    if (query.agent !== undefined) params.set('agent', query.agent);
    if (query.status !== undefined && query.status.length > 0) params.set('status', query.status.join(','));
    if (query.trigger !== undefined && query.trigger.length > 0) params.set('trigger', query.trigger.join(','));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    return this.call('GET', '/api/v1/runs', { query: params });
  }

  /** A run with its input, output and every event; with `events: false`, its row only. */
  getRun(id: number): Promise<RunDetail>;
  getRun(id: number, options: { events: false }): Promise<RunSummary>;
  getRun(id: number, options: { events?: boolean } = {}): Promise<ApiResponses['getRun']> {
    const query = new URLSearchParams(options.events === false ? { events: 'false' } : {});
    return this.call('GET', runPath(id), { query });
  }

  /** A page of a run's events: tail, before a seq, or after one. */
  listRunEvents(id: number, page: EventPageQuery): Promise<ApiResponses['listRunEvents']> {
    const query = new URLSearchParams({ limit: String(page.limit) });
    if (page.tail === true) query.set('tail', 'true');
    else if (page.before !== undefined) query.set('before', String(page.before));
    else if (page.after !== undefined) query.set('after', String(page.after));
    return this.call('GET', `${runPath(id)}/events`, { query });
  }

  /** Queues a run (the input checked against the agent's schema first): its id, row and links. */
  startRun(env: string, agent: string, body: ApiRequests['startRun'] = {}): Promise<ApiResponses['startRun']> {
    return this.call('POST', `${agentPath(env, agent)}/runs`, { body });
  }

  /** Deletes old finished runs and their events (admin); see POST /api/v1/runs/prune. */
  pruneRuns(body: ApiRequests['pruneRuns']): Promise<ApiResponses['pruneRuns']> {
    return this.call('POST', '/api/v1/runs/prune', { body });
  }

  /** Cancels a run; `from: 'tui'` names the remote TUI in the run's cancel reason. */
  cancelRun(id: number, from?: 'tui'): Promise<ApiResponses['cancelRun']> {
    return this.call(
      'POST',
      `${runPath(id)}/cancel`,
      from === undefined ? {} : { query: new URLSearchParams({ from }) },
    );
  }

  private async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const search = options.query === undefined || options.query.size === 0 ? '' : `?${options.query.toString()}`;
    let res: Response;
    try {
      res = await this.fetch(`${this.url}${path}${search}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.key}`,
          ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      throw new ServerUnreachableError(this.url, error);
    }
    if (res.ok && options.binary === true) {
      try {
        return Buffer.from(await res.arrayBuffer()) as T;
      } catch (error) {
        throw new ServerUnreachableError(this.url, error);
      }
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw new ServerUnreachableError(this.url, error);
    }
    const answered = res.ok || (options.answers?.includes(res.status) ?? false);
    if (answered && options.text === true) return text as T;
    const json = parseJson(text);
    if (answered) return json as T;
    const body = errorBodyOf(json);
    throw body === undefined
      ? ApiError.fromStatus(res.status, `${method} ${path}`, this.url)
      : new ApiError(res.status, body);
  }
}

function serverQuery(filter: OfferingFilter): URLSearchParams {
  return new URLSearchParams(filter.server === undefined ? {} : { server: filter.server });
}

function envPath(env: string): string {
  return `/api/v1/environments/${encodeURIComponent(env)}`;
}

function agentPath(env: string, name: string): string {
  return `${envPath(env)}/agents/${encodeURIComponent(name)}`;
}

function runPath(id: number): string {
  return `/api/v1/runs/${String(id)}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: for an answer the caller gets undefined; for an error, a generic ApiError.
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function schedulePath(env: string, agent: string): string {
  return `/api/v1/environments/${encodeURIComponent(env)}/schedules/${encodeURIComponent(agent)}`;
}
