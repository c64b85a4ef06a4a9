import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type * as PromClient from 'prom-client';

type Counter<T extends string = string> = PromClient.Counter<T>;
type Histogram<T extends string = string> = PromClient.Histogram<T>;

/**
 * The four classes of prom-client used here, each from its own file: the package's index also loads its default
 * metrics (about fifteen modules, and @opentelemetry/api's fifty behind them), its summary, push gateway and cluster
 * aggregator, none of which Station uses. Required, not imported: an import makes Node scan CommonJS files for the names
 * they export.
 */
const promClient = createRequire(import.meta.url);
const Counter = promClient('prom-client/lib/counter') as typeof PromClient.Counter;
const Gauge = promClient('prom-client/lib/gauge') as typeof PromClient.Gauge;
const Histogram = promClient('prom-client/lib/histogram') as typeof PromClient.Histogram;
const Registry = promClient('prom-client/lib/registry') as typeof PromClient.Registry;

/** Where the totals come from when scraped (the engine's services). */
export interface MetricsSources {
  /** Agents indexed, all environments. */
  agents(): number;
  /** MCP servers recorded by the last sync of each environment. */
  mcpServers(): number;
  /** Runs recorded, by status. */
  runsByStatus(): readonly { status: string; count: number }[];
  /** Runs waiting for a worker right now. */
  queueSize(): number;
  /** The state of each MCP server this process runs (stn serve's live pools); none elsewhere. */
  mcpServerStates?(): readonly McpServerStateSample[];
}

export interface McpServerStateSample {
  environment: string;
  server: string;
  state: string;
}

/** Every state a server can be in: each is exported (1 for the current one, 0 for the others). */
const SERVER_STATES = ['connecting', 'ready', 'failed', 'restarting', 'closed'] as const;

const DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const DB_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

/**
 * Prometheus metrics of one server: a Registry of its own (no global default registry). Totals that
 * live in the database (agents, servers, runs) are read when scraped; durations and errors are
 * observed as they happen.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly agentExecutionDuration: Histogram<'status'>;
  readonly mcpRequestDuration: Histogram<'environment' | 'server'>;
  readonly databaseQueryDuration: Histogram<'query'>;
  readonly agentExecutionErrors: Counter<'reason'>;
  readonly mcpConnectionErrors: Counter<'environment' | 'server'>;
  readonly databaseErrors: Counter;
  /** Fed by countRequest (its counts are handed over when scraped). */
  private readonly httpRequests: Counter<'method' | 'status'>;
  /** The query timer of each query name, made once (not a label object and a timer closure per query). */
  private readonly queryTimers = new Map<string, { observe(seconds: number): void }>();
  /** HTTP requests answered, by method and status: counted here, handed to the counter when scraped. */
  private readonly requestCounts = new Map<string, { method: string; status: string; count: number }>();

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    const timeQuery = this.timeQuery.bind(this);
    new Gauge({
      name: 'station_agents_total',
      help: 'Agents known to Station (all environments).',
      registers,
      collect() {
        this.set(timeQuery('metrics.agents', () => sources.agents()));
      },
    });
    new Gauge({
      name: 'station_mcp_servers_total',
      help: 'MCP servers recorded by the last sync of each environment.',
      registers,
      collect() {
        this.set(timeQuery('metrics.mcp_servers', () => sources.mcpServers()));
      },
    });
    new Counter({
      name: 'station_agent_runs_total',
      help: 'Agent runs recorded, by status.',
      labelNames: ['status'],
      registers,
      collect() {
        const rows = timeQuery('metrics.runs', () => sources.runsByStatus());
        this.reset();
        for (const row of rows) this.inc({ status: row.status }, row.count);
      },
    });
    const serverStates = (): readonly McpServerStateSample[] => sources.mcpServerStates?.() ?? [];
    new Gauge({
      name: 'station_mcp_server_state',
      help: 'State of each MCP server this server runs: 1 for its current state, 0 for the others.',
      labelNames: ['environment', 'server', 'state'],
      registers,
      collect() {
        this.reset();
        for (const s of serverStates()) {
          for (const state of SERVER_STATES) {
            this.set({ environment: s.environment, server: s.server, state }, state === s.state ? 1 : 0);
          }
        }
      },
    });
    const queueSize = (): number => sources.queueSize();
    new Gauge({
      name: 'station_execution_queue_size',
      help: 'Runs waiting for a worker.',
      registers,
      collect() {
        this.set(queueSize());
      },
    });
    this.agentExecutionDuration = new Histogram({
      name: 'station_agent_execution_duration_seconds',
      help: 'Wall time of finished agent runs.',
      labelNames: ['status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.mcpRequestDuration = new Histogram({
      name: 'station_mcp_request_duration_seconds',
      help: 'Duration of MCP tool calls.',
      labelNames: ['environment', 'server'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.databaseQueryDuration = new Histogram({
      name: 'station_database_query_duration_seconds',
      help: 'Duration of database queries made by the server.',
      labelNames: ['query'],
      buckets: DB_BUCKETS,
      registers,
    });
    this.agentExecutionErrors = new Counter({
      name: 'station_agent_execution_errors_total',
      help: 'Agent runs that ended in failure or timeout.',
      labelNames: ['reason'],
      registers,
    });
    this.mcpConnectionErrors = new Counter({
      name: 'station_mcp_connection_errors_total',
      help: 'MCP servers that failed to start or connect.',
      labelNames: ['environment', 'server'],
      registers,
    });
    this.databaseErrors = new Counter({
      name: 'station_database_errors_total',
      help: 'Database errors seen by the server.',
      registers,
    });
    const requestCounts = this.requestCounts;
    this.httpRequests = new Counter({
      name: 'station_http_requests_total',
      help: 'HTTP requests answered, by method and status.',
      labelNames: ['method', 'status'],
      registers,
      collect() {
        this.reset();
        for (const { method, status, count } of requestCounts.values()) this.inc({ method, status }, count);
      },
    });
  }

  /** Runs a synchronous database query, timing it and counting its failure. */
  timeQuery<T>(query: string, fn: () => T): T {
    let timer = this.queryTimers.get(query);
    if (timer === undefined) {
      timer = this.databaseQueryDuration.labels({ query });
      this.queryTimers.set(query, timer);
    }
    const started = performance.now();
    try {
      return fn();
    } catch (error) {
      this.databaseErrors.inc();
      throw error;
    } finally {
      timer.observe((performance.now() - started) / 1000);
    }
  }

  /** Counts an answered HTTP request (station_http_requests_total). */
  countRequest(method: string, status: number): void {
    const key = `${method} ${String(status)}`;
    const entry = this.requestCounts.get(key);
    if (entry === undefined) this.requestCounts.set(key, { method, status: String(status), count: 1 });
    else entry.count++;
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
