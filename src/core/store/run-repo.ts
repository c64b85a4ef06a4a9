import { hostname } from 'node:os';
import type { RunEvent, RunEventType, RunStatus, RunTrigger, StopReason, TokenCounts } from '../events/run-events.js';
import { ConflictError } from '../errors.js';
import { dialectOf, type StoreDb, type StoreStatement } from './store-db.js';
import { RUN_EVENTS_CHANNEL } from './postgres/pg-listener.js';
import { RUN_SUMMARY_COLUMNS, runSummarySql, type RunSummarySql } from './run-summary-json.js';

/** A row of agent_runs, as stored. */
export interface RunRow {
  id: number;
  agent_id: number | null;
  agent_name: string;
  environment_id: number | null;
  environment_name: string;
  input_json: string;
  status: RunStatus;
  stop_reason: string | null;
  final_output: string | null;
  model: string | null;
  tokens_in: number;
  tokens_out: number;
  tokens_total: number;
  steps: number;
  tool_calls: number;
  error: string | null;
  pid: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  trigger: RunTrigger;
  scheduled_at: number | null;
  /** The host that recorded it (null before migration 9). */
  host: string | null;
  /** On a shared store: until when its process's lease holds (renewed while it lives); null on SQLite. */
  lease_until: number | null;
  /** The interrupted run this one retries (migration 11), else null. */
  retry_of: number | null;
}

/** A run's summary (JSON text) and the columns only its detail shows. */
export interface RunDetailRow {
  summary: string;
  input_json: string;
  final_output: string | null;
  pid: number | null;
}

/** A row of run_events as read (without its id). */
export interface EventRow {
  run_id: number;
  seq: number;
  type: string;
  ts: number;
  data_json: string;
}

export interface NewRun {
  agentName: string;
  agentId?: number | null | undefined;
  environmentName: string;
  environmentId?: number | null | undefined;
  input: Record<string, unknown>;
  model: string;
  /** The process that will run it; null: a run in the shared queue, for any server to claim (shared stores). */
  pid: number | null;
  now: number;
  /** What started it (default manual). */
  trigger?: RunTrigger | undefined;
  /** The fire time a scheduled run was planned for. */
  scheduledAt?: number | null | undefined;
}

export interface RunProgress {
  steps: number;
  toolCalls: number;
  tokens: TokenCounts;
}

export interface RunCompletion extends RunProgress {
  status: RunStatus;
  stopReason: StopReason;
  output: string | null;
  /** JSON text of {code, message}, or null. */
  error: string | null;
  finishedAt: number;
  durationMs: number | null;
}

export interface RunFilter {
  agent?: string | undefined;
  /** One environment, or any of several. */
  environment?: string | readonly string[] | undefined;
  /** One status, or any of several. */
  status?: RunStatus | readonly RunStatus[] | undefined;
  /** One trigger, or any of several. */
  trigger?: RunTrigger | readonly RunTrigger[] | undefined;
  /** Only runs with a smaller id (the next page after the last one seen). */
  beforeId?: number | undefined;
  /** Only runs created at or after this time (ms since the epoch). */
  since?: number | undefined;
  limit?: number | undefined;
}

/**
 * How long a run's lease holds on a shared store without renewal (runner.lease_seconds): the process renews it
 * every third of it, and another server marks the run interrupted once it has run out.
 */
export const DEFAULT_RUN_LEASE_MS = 15_000;

/**
 * An unclaimed run: queued in the shared queue (PostgreSQL), no process and no host has it yet; the first server
 * with a free worker claims it. `UNCLAIMED_SQL` says the same in a WHERE clause (both engines).
 */
export function isUnclaimed(row: Pick<RunRow, 'status' | 'pid' | 'host'>): boolean {
  return row.status === 'queued' && row.pid === null && row.host === null;
}

/** `isUnclaimed` as a condition on agent_runs' columns (the same SQL on SQLite and PostgreSQL). */
export const UNCLAIMED_SQL = `status = 'queued' AND pid IS NULL AND host IS NULL`;

/** The stop_reason a queued or running run carries while another process is asked to cancel it. */
export const CANCEL_REQUESTED = 'cancel_requested';

/** An event as stored: its data as JSON text (so callers that already serialised it pay once). */
export interface StoredEvent {
  runId: number;
  seq: number;
  type: RunEventType;
  ts: number;
  dataJson: string;
}

/** Events of one run to append, with its counters as of the last of them. */
export interface EventBatch {
  events: readonly StoredEvent[];
  progress?: { runId: number; progress: RunProgress } | undefined;
}

/** Which events of a run to read: `tail`, `before` a seq, or `after` a seq (default: from the start). */
export interface EventPageQuery {
  /** Events with seq > after (paging forward). */
  after?: number | undefined;
  /** The last `limit` events with seq < before (paging back). */
  before?: number | undefined;
  /** The last `limit` events of the run (opening a trace at its end). */
  tail?: boolean | undefined;
  limit: number;
}

/** A page of a run's events, ascending by seq. */
export interface EventPage {
  events: RunEvent[];
  /** Are there events before the first one of this page? */
  hasOlder: boolean;
  /** Are there events after the last one of this page (at the time of the query)? */
  hasNewer: boolean;
  /** The run's last seq at the time of the query (0 when it has none). */
  lastSeq: number;
}

/** SQL for agent_runs and run_events. */
export class RunRepo {
  private readonly stmts;

  /** Transactions made once: building one per call costs more than the statements it runs. */
  private readonly finishing;
  private readonly queueing;
  private readonly batches;

  /** The host this process runs on, recorded with each run it starts (with its pid). */
  private readonly host = hostname();

  /** The summary's SQL in this database's dialect. */
  private readonly summary: RunSummarySql;

  /** A store several processes on several hosts write (PostgreSQL). */
  private readonly shared: boolean;

  constructor(
    private readonly db: StoreDb,
    /** How long a run's lease holds without renewal (shared stores). */
    readonly leaseMs = DEFAULT_RUN_LEASE_MS,
  ) {
    this.summary = runSummarySql(dialectOf(db));
    this.shared = dialectOf(db) === 'postgres';
    const summary = this.summary;
    this.batches = db.transaction((batches: readonly EventBatch[]) => {
      for (const b of batches) {
        for (const event of b.events) this.appendEvent(event);
        if (b.progress !== undefined) this.saveProgress(b.progress.runId, b.progress.progress);
      }
    });
    this.queueing = db.transaction((run: NewRun, first: Omit<StoredEvent, 'runId' | 'seq'>) => {
      const runId = this.insertRow(run);
      this.appendEvent({ ...first, runId, seq: 1 });
      return runId;
    });
    this.finishing = db.transaction((id: number, completion: RunCompletion, events: readonly StoredEvent[]) => {
      this.finish(id, completion);
      for (const event of events) this.appendEvent(event);
    });
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO agent_runs (agent_id, agent_name, environment_id, environment_name, input_json, status, model, pid, created_at,
                                 trigger, scheduled_at, host, lease_until)
         VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ),
      running: db.prepare(
        `UPDATE agent_runs SET status = 'running', started_at = ?, pid = ? WHERE id = ? AND status = 'queued'`,
      ),
      progress: db.prepare(
        'UPDATE agent_runs SET steps = ?, tool_calls = ?, tokens_in = ?, tokens_out = ?, tokens_total = ? WHERE id = ?',
      ),
      finish: db.prepare(
        `UPDATE agent_runs SET status = ?, stop_reason = ?, final_output = ?, error = ?, steps = ?, tool_calls = ?,
                tokens_in = ?, tokens_out = ?, tokens_total = ?, finished_at = ?, duration_ms = ?
          WHERE id = ? AND status IN ('queued', 'running')`,
      ),
      event: db.prepare('INSERT INTO run_events (run_id, seq, type, ts, data_json) VALUES (?, ?, ?, ?, ?)'),
      get: db.prepare('SELECT * FROM agent_runs WHERE id = ?'),
      summary: db.prepare(`SELECT ${summary.one} FROM agent_runs WHERE id = ?`).pluck(),
      detail: db.prepare(
        `SELECT ${summary.one} AS summary, input_json, final_output, pid FROM agent_runs WHERE id = ?`,
      ),
      lastSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM run_events WHERE run_id = ?'),
      unfinished: db.prepare(`SELECT * FROM agent_runs WHERE status IN ('queued', 'running') ORDER BY id`),
      requestCancel: db.prepare(
        `UPDATE agent_runs SET stop_reason = '${CANCEL_REQUESTED}', error = ? WHERE id = ? AND status IN ('queued', 'running')`,
      ),
    };
  }

  /**
   * Records a new queued run and returns its id; with `first`, its first event (seq 1) in the same transaction:
   * one commit for a submission instead of two.
   */
  insertQueued(run: NewRun, first?: Omit<StoredEvent, 'runId' | 'seq'>): number {
    if (first === undefined) return this.insertRow(run);
    return this.queueing.immediate(run, first);
  }

  private insertRow(run: NewRun): number {
    const info = this.stmts.insert.get(
      run.agentId ?? null,
      run.agentName,
      run.environmentId ?? null,
      run.environmentName,
      JSON.stringify(run.input),
      run.model,
      run.pid,
      run.now,
      run.trigger ?? 'manual',
      run.scheduledAt ?? null,
      run.pid === null ? null : this.host,
      this.shared && run.pid !== null ? run.now + this.leaseMs : null,
    ) as { id: number };
    return info.id;
  }

  /** queued -> running; false if the run was no longer queued. */
  markRunning(id: number, now: number, pid: number): boolean {
    return this.stmts.running.run(now, pid, id).changes > 0;
  }

  saveProgress(id: number, progress: RunProgress): void {
    const t = progress.tokens;
    this.stmts.progress.run(progress.steps, progress.toolCalls, t.input, t.output, t.total, id);
  }

  /** Appends one event (on PostgreSQL, followers listening are woken when it commits). */
  appendEvent(event: StoredEvent): void {
    this.stmts.event.run(event.runId, event.seq, event.type, event.ts, event.dataJson);
    this.db.notifyOnCommit?.(RUN_EVENTS_CHANNEL);
  }

  /** Appends an event and saves the run's counters, in one transaction. */
  appendWithProgress(event: StoredEvent, progress: RunProgress): void {
    this.appendBatch([event], { runId: event.runId, progress });
  }

  /**
   * Appends events (of one step of a run, or several) and, with `progress`, saves that run's counters: one
   * transaction, so a step costs one commit and the counters never run ahead of the events stored.
   */
  appendBatch(events: readonly StoredEvent[], progress?: { runId: number; progress: RunProgress }): void {
    if (events.length === 0 && progress === undefined) return;
    // One event without counters needs no explicit transaction on SQLite: the statement commits on its own,
    // and row ids grow in commit order (one writer at a time). On PostgreSQL ids are drawn before commit, so
    // every event is written under the writer lock, or a follower's cursor (run-feed-repo.ts) could pass an
    // id that commits later.
    if (events.length === 1 && progress === undefined && events[0] !== undefined && !this.shared)
      this.appendEvent(events[0]);
    else this.batches.immediate([{ events, progress }]);
  }

  /** Appends the batches of several runs (each as appendBatch would) in one transaction. */
  appendBatches(batches: readonly EventBatch[]): void {
    this.batches.immediate(batches);
  }

  /** Appends the last events and sets the final state of the row, in one transaction. */
  finishWithEvent(id: number, completion: RunCompletion, event: StoredEvent): void {
    this.finishWithEvents(id, completion, [event]);
  }

  /** Appends events (the run's last step, then run.finished) and sets the row's final state, in one transaction. */
  finishWithEvents(id: number, completion: RunCompletion, events: readonly StoredEvent[]): void {
    this.finishing.immediate(id, completion, events);
  }

  /**
   * Sets a queued or running run's final state. A run another process ended meanwhile (a server whose lease ran
   * out, marked interrupted by another) is left as it is: ConflictError, and the transaction writes nothing.
   */
  private finish(id: number, c: RunCompletion): void {
    const { changes } = this.stmts.finish.run(
      c.status,
      c.stopReason,
      c.output,
      c.error,
      c.steps,
      c.toolCalls,
      c.tokens.input,
      c.tokens.output,
      c.tokens.total,
      c.finishedAt,
      c.durationMs,
      id,
    );
    if (changes === 0) {
      const status = this.get(id)?.status ?? 'gone';
      throw new ConflictError(`run ${String(id)} was ended by another process meanwhile (it is ${status})`, {
        hints: [`See it with: stn runs show ${String(id)}`],
      });
    }
  }

  get(id: number): RunRow | undefined {
    return this.stmts.get.get(id) as RunRow | undefined;
  }

  lastSeq(runId: number): number {
    return (this.stmts.lastSeq.get(runId) as { seq: number }).seq;
  }

  /** Newest first, whole rows. */
  list(filter: RunFilter = {}): RunRow[] {
    const { statement, params } = this.select('*', filter);
    return statement.all(...params) as RunRow[];
  }

  /**
   * Newest first, as the JSON text of an array of run summaries (see run-summary-json.ts): only the
   * columns a summary shows are read (not the input or the answer), and no row object is made.
   */
  listSummariesJson(filter: RunFilter = {}): string {
    const { statement, params } = this.select(RUN_SUMMARY_COLUMNS, filter, (sql) => this.summary.list(sql));
    return statement.pluck().get(...params) as string;
  }

  /** The run's summary as JSON text (see run-summary-json.ts). */
  summaryJson(id: number): string | undefined {
    return this.stmts.summary.get(id) as string | undefined;
  }

  /** The run's summary (JSON text) with what only its detail shows: input, answer, pid. */
  detail(id: number): RunDetailRow | undefined {
    return this.stmts.detail.get(id) as RunDetailRow | undefined;
  }

  /** A list query (newest first, filtered), wrapped by `outer` when given, prepared once per shape; and its parameters. */
  private select(
    columns: string,
    filter: RunFilter,
    outer: (sql: string) => string = (sql) => sql,
  ): { statement: StoreStatement; params: (string | number)[] } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.agent !== undefined) {
      where.push('agent_name = ?');
      params.push(filter.agent);
    }
    const environments = listOf(filter.environment);
    if (filter.environment !== undefined) {
      // An empty list matches no run (a key granted no environment sees nothing).
      where.push(
        environments.length === 0 ? '1 = 0' : `environment_name IN (${environments.map(() => '?').join(', ')})`,
      );
      params.push(...environments);
    }
    const statuses = listOf(filter.status);
    if (statuses.length > 0) {
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    const triggers = listOf(filter.trigger);
    if (triggers.length > 0) {
      where.push(`trigger IN (${triggers.map(() => '?').join(', ')})`);
      params.push(...triggers);
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    if (filter.since !== undefined) {
      where.push('created_at >= ?');
      params.push(filter.since);
    }
    const sql = `SELECT ${columns} FROM agent_runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    params.push(filter.limit ?? 50);
    return { statement: this.db.prepare(outer(sql)), params };
  }

  /** Whether any run names this agent (in this environment, when one is given). */
  hasRunsOf(filter: { agent?: string | undefined; environment?: string | undefined }): boolean {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.agent !== undefined) {
      where.push('agent_name = ?');
      params.push(filter.agent);
    }
    if (filter.environment !== undefined) {
      where.push('environment_name = ?');
      params.push(filter.environment);
    }
    const sql = `SELECT 1 FROM agent_runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} LIMIT 1`;
    return this.db.prepare(sql).get(...params) !== undefined;
  }

  /** The agent names that have runs (in this environment, when one is given). */
  agentNames(environment?: string): string[] {
    const rows = (
      environment === undefined
        ? this.db.prepare('SELECT DISTINCT agent_name FROM agent_runs').all()
        : this.db.prepare('SELECT DISTINCT agent_name FROM agent_runs WHERE environment_name = ?').all(environment)
    ) as { agent_name: string }[];
    return rows.map((r) => r.agent_name);
  }

  /** The environment names that have runs. */
  environmentNames(): string[] {
    const rows = this.db.prepare('SELECT DISTINCT environment_name FROM agent_runs').all() as {
      environment_name: string;
    }[];
    return rows.map((r) => r.environment_name);
  }

  /** The summary (JSON text) of the newest run of each agent of an environment (one indexed query, whatever the number of agents). */
  lastPerAgent(environment: string): string[] {
    return this.db
      .prepare(
        `SELECT ${this.summary.one} FROM agent_runs
           JOIN (SELECT MAX(id) AS last FROM agent_runs WHERE environment_name = ? GROUP BY agent_name) AS l ON id = l.last`,
      )
      .pluck()
      .all(environment) as string[];
  }

  /** Events of a run with seq < `beforeSeq`: the last `limit` of them, in order. */
  eventsBefore(runId: number, beforeSeq: number, limit: number): RunEvent[] {
    const rows = this.db
      .prepare(
        'SELECT run_id, seq, type, ts, data_json FROM run_events WHERE run_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
      )
      .all(runId, beforeSeq, limit) as EventRow[];
    return rows.reverse().map(toEvent);
  }

  /** Events of a run in order, after `afterSeq`, at most `limit`. */
  events(runId: number, options: { afterSeq?: number; limit?: number } = {}): RunEvent[] {
    const rows = this.db
      .prepare(
        'SELECT run_id, seq, type, ts, data_json FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      )
      .all(runId, options.afterSeq ?? 0, options.limit ?? Number.MAX_SAFE_INTEGER) as EventRow[];
    return rows.map(toEvent);
  }

  /**
   * A page of a run's events: the last `limit` (tail), the last `limit` before a seq (paging back), or
   * the first `limit` after a seq (paging forward, the default from the start). Says whether there are
   * older and newer events, and the run's last seq at the time of the query.
   */
  eventPage(id: number, query: EventPageQuery): EventPage {
    const limit = Math.max(1, Math.floor(query.limit));
    const lastSeq = this.lastSeq(id);
    let events: RunEvent[];
    if (query.tail === true) events = this.events(id, { afterSeq: Math.max(0, lastSeq - limit), limit });
    else if (query.before !== undefined) events = this.eventsBefore(id, query.before, limit);
    else events = this.events(id, { afterSeq: query.after ?? 0, limit });
    // An empty page sits where it was asked for: just after `after`, just before `before`, or at the end.
    const start = query.tail === true ? lastSeq + 1 : (query.before ?? (query.after ?? 0) + 1);
    const first = events[0]?.seq ?? Math.min(start, lastSeq + 1);
    const end = events.at(-1)?.seq ?? first - 1;
    return { events, hasOlder: first > 1, hasNewer: end < lastSeq, lastSeq };
  }

  /** How many runs there are of each status (statuses with none are left out). */
  countByStatus(): { status: RunStatus; count: number }[] {
    return this.db.prepare('SELECT status, COUNT(*) AS count FROM agent_runs GROUP BY status').all() as {
      status: RunStatus;
      count: number;
    }[];
  }

  /**
   * Claims up to `limit` runs of the shared queue (queued with no process, oldest first) for the process `pid`
   * on this host, with a lease: one statement, `FOR UPDATE SKIP LOCKED` on PostgreSQL, so servers claiming at
   * once never take the same run. Returns the ids claimed.
   */
  claimQueued(limit: number, pid: number, now: number): number[] {
    if (limit <= 0) return [];
    const skipLocked = this.shared ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = this.db
      .prepare(
        `UPDATE agent_runs SET pid = ?, host = ?, lease_until = ?
          WHERE id IN (SELECT id FROM agent_runs WHERE ${UNCLAIMED_SQL} ORDER BY id LIMIT ?${skipLocked})
          RETURNING id`,
      )
      .all(pid, this.host, this.shared ? now + this.leaseMs : null, limit) as { id: number }[];
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  /**
   * Hands a queued run of the process `pid` to the shared queue (no process, no lease), once its run.queued is
   * stored: a server that claims it continues its events after that. False when it is no longer queued there.
   */
  release(id: number, pid: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE agent_runs SET pid = NULL, host = NULL, lease_until = NULL WHERE id = ? AND status = 'queued' AND pid = ?`,
        )
        .run(id, pid).changes > 0
    );
  }

  /** Claims one run of the shared queue for the process `pid` (false when another process has it). */
  claimOne(id: number, pid: number, now: number): boolean {
    return (
      this.db
        .prepare(`UPDATE agent_runs SET pid = ?, host = ?, lease_until = ? WHERE id = ? AND ${UNCLAIMED_SQL}`)
        .run(pid, this.host, this.shared ? now + this.leaseMs : null, id).changes > 0
    );
  }

  /**
   * Queues a retry of the interrupted run `from` in the shared queue (no process: the first server with a free
   * worker claims it): the same agent, input, model and trigger, its run.queued event as the original's with
   * `retryOf`. One transaction; none when the run was retried already. Returns the new run's id, or undefined.
   */
  queueRetry(from: RunRow, now: number): number | undefined {
    const queue = this.db.transaction((): number | undefined => {
      if (this.db.prepare('SELECT id FROM agent_runs WHERE retry_of = ?').get(from.id) !== undefined) return undefined;
      const original = this.events(from.id, { limit: 1 })[0];
      const data =
        original?.type === 'run.queued'
          ? { ...original.data, retryOf: from.id }
          : {
              agent: from.agent_name,
              environment: from.environment_name,
              input: JSON.parse(from.input_json) as Record<string, unknown>,
              model: from.model ?? '',
              retryOf: from.id,
            };
      const { id } = this.db
        .prepare(
          `INSERT INTO agent_runs (agent_id, agent_name, environment_id, environment_name, input_json, status, model,
                                   pid, created_at, trigger, scheduled_at, host, lease_until, retry_of)
           VALUES (?, ?, ?, ?, ?, 'queued', ?, NULL, ?, ?, ?, NULL, NULL, ?) RETURNING id`,
        )
        .get(
          from.agent_id,
          from.agent_name,
          from.environment_id,
          from.environment_name,
          from.input_json,
          from.model,
          now,
          from.trigger,
          from.scheduled_at,
          from.id,
        ) as { id: number };
      this.appendEvent({ runId: id, seq: 1, type: 'run.queued', ts: now, dataJson: JSON.stringify(data) });
      return id;
    });
    return queue.immediate();
  }

  /** Within finishOrphans: queues a retry of `row` when it allows one more, in a savepoint of its own. */
  private retryIfAllowed(row: RunRow, outcome: OrphanOutcome, now: number): void {
    const retry = this.db.transaction(() => {
      if (this.retriesBefore(row) < (outcome.retries?.(row) ?? 0)) this.queueRetry(row, now);
    });
    try {
      retry();
    } catch (error) {
      if (outcome.retryFailed === undefined) throw error;
      outcome.retryFailed(row, error);
    }
  }

  /**
   * How many retries came before this run: the links of its chain of `retry_of` (a link to a run that is gone
   * counts, and ends the chain), at most 101. One query (a recursive CTE, the same SQL on both engines).
   */
  retriesBefore(row: RunRow): number {
    const { n } = this.db
      .prepare(
        `WITH RECURSIVE chain(retry_of, n) AS (
           SELECT CAST(? AS BIGINT), 0
           UNION ALL
           SELECT r.retry_of, c.n + 1 FROM chain c LEFT JOIN agent_runs r ON r.id = c.retry_of
            WHERE c.retry_of IS NOT NULL AND c.n <= 100
         )
         SELECT MAX(n) AS n FROM chain`,
      )
      .get(row.retry_of) as { n: number | string };
    return Number(n);
  }

  /** Whether the shared queue holds a run no process has claimed. */
  hasUnclaimed(): boolean {
    return this.db.prepare(`SELECT id FROM agent_runs WHERE ${UNCLAIMED_SQL} LIMIT 1`).get() !== undefined;
  }

  /** How many runs of the shared queue no process has claimed yet. */
  unclaimedCount(): number {
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM agent_runs WHERE ${UNCLAIMED_SQL}`).get() as {
      n: number | string;
    };
    return Number(row.n);
  }

  /** Runs recorded as queued for the process with this pid to take (`stn agent run --detach`), oldest first. */
  queuedFor(pid: number): RunRow[] {
    return this.db
      .prepare(`SELECT * FROM agent_runs WHERE status = 'queued' AND pid = ? ORDER BY id`)
      .all(pid) as RunRow[];
  }

  /**
   * Renews the leases of the unfinished runs of the process `pid` on `host` (shared stores): one statement,
   * whatever their number. Returns how many.
   */
  renewLeases(host: string, pid: number, now: number): number {
    return this.db
      .prepare(`UPDATE agent_runs SET lease_until = ? WHERE status IN ('queued', 'running') AND host = ? AND pid = ?`)
      .run(now + this.leaseMs, host, pid).changes;
  }

  /** This process's host name, as its runs record it. */
  get hostName(): string {
    return this.host;
  }

  /** Whether several hosts may write this store (PostgreSQL): runs carry leases. */
  get sharedStore(): boolean {
    return this.shared;
  }

  /** Runs not finished: queued or running. */
  unfinished(): RunRow[] {
    return this.stmts.unfinished.all() as RunRow[];
  }

  /**
   * Asks the process running a run to cancel it, saying who asks: the reason waits in the run's error
   * (code `cancel_requested`) until that process records the run as cancelled with it. False if the run
   * is already finished.
   */
  requestCancel(id: number, reason: string): boolean {
    return this.stmts.requestCancel.run(JSON.stringify({ code: CANCEL_REQUESTED, message: reason }), id).changes > 0;
  }

  /** Of these ids, those asked to cancel by another process (with the reason given, null if none) or ended by one. */
  cancelRequested(ids: readonly number[]): { id: number; reason: string | null }[] {
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT id, status, error FROM agent_runs
          WHERE (stop_reason = '${CANCEL_REQUESTED}' OR status NOT IN ('queued', 'running'))
            AND id IN (${ids.map(() => '?').join(',')})`,
      )
      .all(...ids) as { id: number; status: RunStatus; error: string | null }[];
    // A run already ended (by another server, once this process's lease ran out) is stopped here too.
    return rows.map((r) => ({
      id: r.id,
      reason:
        r.status === 'queued' || r.status === 'running'
          ? requestReason(r.error)
          : `another process ended the run meanwhile (it is ${r.status})`,
    }));
  }

  /**
   * Marks queued/running runs for which `isOrphan` says so as finished with `status`, appending a
   * run.finished event to each, and queues the retries `outcome.retries` allows (see queueRetry): one
   * transaction, so a run is never ended without the retry it is owed. Returns the ids changed.
   */
  finishOrphans(isOrphan: (row: RunRow) => boolean, outcome: OrphanOutcome, now = Date.now()): number[] {
    const apply = this.db.transaction(() => {
      const changed: number[] = [];
      for (const row of this.unfinished()) {
        if (!isOrphan(row)) continue;
        const error = outcome.error(row);
        const tokens = { input: row.tokens_in, output: row.tokens_out, total: row.tokens_total };
        const durationMs = row.started_at === null ? null : now - row.started_at;
        const data = {
          status: outcome.status,
          stopReason: outcome.stopReason,
          output: null,
          error,
          steps: row.steps,
          toolCalls: row.tool_calls,
          tokens,
          durationMs: durationMs ?? 0,
        };
        this.finishWithEvent(
          row.id,
          { ...data, error: JSON.stringify(error), finishedAt: now, durationMs },
          {
            runId: row.id,
            seq: this.lastSeq(row.id) + 1,
            type: 'run.finished',
            ts: now,
            dataJson: JSON.stringify(data),
          },
        );
        changed.push(row.id);
        if (outcome.retries !== undefined) this.retryIfAllowed(row, outcome, now);
      }
      return changed;
    });
    return apply.immediate();
  }
}

/** How finishOrphans ends runs, and which it queues again. */
export interface OrphanOutcome {
  status: RunStatus;
  stopReason: StopReason;
  error: (row: RunRow) => { code: string; message: string };
  /** How many retries the run allows (retry_on_interrupt): one with fewer before it is queued again. */
  retries?: ((row: RunRow) => number) | undefined;
  /** A retry that could not be queued (undone; the run stays ended); without it, the whole call fails. */
  retryFailed?: ((row: RunRow, error: unknown) => void) | undefined;
}

/** A stored event row as the one event schema. */
export function toEvent(row: EventRow): RunEvent {
  return {
    runId: row.run_id,
    seq: row.seq,
    type: row.type,
    ts: new Date(row.ts).toISOString(),
    data: JSON.parse(row.data_json) as unknown,
  } as RunEvent;
}

function listOf<T extends string>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

function requestReason(error: string | null): string | null {
  if (error === null) return null;
  try {
    const parsed = JSON.parse(error) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : null;
  } catch {
    return null;
  }
}
