/**
 * A PostgreSQL connection with the synchronous API the store's repositories use (store-db.ts), over the `pg`
 * driver. Station's store is synchronous by design (better-sqlite3: no interleaving inside a transaction, no
 * await between a read and the write that depends on it); on PostgreSQL each process keeps one connection in a
 * worker thread, and a statement blocks the calling thread for its round trip (about 0.1-0.3 ms on the same host
 * or LAN), as SQLite's disk I/O does. Statements of one transaction are sent together where nothing waits on
 * their results (BEGIN with the writer lock, for one).
 *
 * Why not synckit: the connection has state (the client, its prepared statements, the open transaction) that must
 * belong to this connection, not to a worker shared per file path, and errors carry PostgreSQL's codes.
 *
 * Transactions: the outermost takes `pg_advisory_xact_lock(STORE_WRITER_LOCK)`, the store-wide writer lock that
 * SQLite's BEGIN IMMEDIATE is, so every read-then-write the repositories do holds across servers as it does on
 * one SQLite file; nested ones are savepoints. Lock waits end after database.busy_timeout_ms (lock_timeout), as
 * SQLite's busy timeout does, with the same `database_locked` error.
 */
import { createRequire } from 'node:module';
import type { MessagePort, Worker } from 'node:worker_threads';
import { DatabaseError } from '../../errors.js';
import { workerThreads } from '../../os/builtins-on-use.js';
import { redactUrl } from '../../security/redact-url.js';
import { DATABASE_ERROR_CODES } from '../sqlite-errors.js';
import type { Dialect, SqlValue, StoreDb, StoreRunResult, StoreStatement, StoreTransaction } from '../store-db.js';
import { toNumberedPlaceholders } from './pg-placeholders.js';
import { pgWorkerMain, type PgErrorInfo, type PgQuery, type PgReply, type PgRequest } from './pg-worker.js';

/**
 * The advisory lock every transaction takes: this constant ("stn" in ASCII) with the hash of the schema, so that
 * stores in different schemas of one database do not wait for each other.
 */
export const STORE_WRITER_LOCK = 0x73746e;

export interface PgConnectOptions {
  url: string;
  /** Milliseconds a statement waits for a lock (the writer lock included) before failing as locked. */
  lockTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Milliseconds the calling thread waits for any one answer before giving up on the server. */
  answerTimeoutMs?: number;
  applicationName?: string;
}

const require = createRequire(import.meta.url);

export class PgSyncDb implements StoreDb {
  readonly dialect: Dialect = 'postgres';
  readonly url: string;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  /** Never notified: waiting on it is a short sleep. */
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));
  private readonly answerTimeoutMs: number;
  private readonly lockTimeoutMs: number;
  /** Numbered SQL and a server-side statement name per distinct statement text. */
  private readonly statements = new Map<string, { sql: string; name: string }>();
  private depth = 0;
  /** node:worker_threads' receiveMessageOnPort (the module is loaded when a PostgreSQL store opens). */
  private readonly receive: typeof import('node:worker_threads').receiveMessageOnPort;
  private closed = false;
  /** Channels to notify when the open transaction commits (the store's schema as payload). */
  private readonly onCommit = new Set<string>();

  constructor(options: PgConnectOptions) {
    this.url = options.url;
    this.answerTimeoutMs = options.answerTimeoutMs ?? 60_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5000;
    const { MessageChannel, Worker, receiveMessageOnPort } = workerThreads();
    this.receive = receiveMessageOnPort;
    const channel = new MessageChannel();
    this.port = channel.port1;
    const data = {
      pgPath: require.resolve('pg'),
      url: options.url,
      lockTimeoutMs: this.lockTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      applicationName: options.applicationName ?? 'station',
    };
    // __name: the helper a transpiler that keeps function names (esbuild's keepNames) calls in the source.
    // A worker that fails to start answers every request with its error instead of leaving the caller waiting.
    const source = `var __name = (f) => f;
const { workerData: w } = require('node:worker_threads');
try {
  (${pgWorkerMain.toString()})(w.data, w.port, w.flag, require);
} catch (e) {
  w.port.on('message', () => {
    w.port.postMessage({ ok: false, error: { message: 'the PostgreSQL worker did not start: ' + String(e && e.message), at: 0 } });
    Atomics.store(w.flag, 0, 1);
    Atomics.notify(w.flag, 0);
  });
}`;
    this.worker = new Worker(source, {
      eval: true,
      workerData: { data, port: channel.port2, flag: this.flag },
      transferList: [channel.port2],
    });
    // The worker never keeps the process alive; close() ends it.
    this.worker.unref();
    this.port.unref();
    // Fails here, at open, with what to do, when the server cannot be reached.
    this.batch([{ sql: 'SELECT 1', params: [] }]);
  }

  prepare(sql: string): StoreStatement {
    let known = this.statements.get(sql);
    if (known === undefined) {
      known = { sql: toNumberedPlaceholders(sql), name: `stn_${String(this.statements.size + 1)}` };
      this.statements.set(sql, known);
    }
    return new PgStatement(this, known.sql, known.name);
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): StoreTransaction<A, R> {
    const run = (...args: A): R => this.runInTransaction(() => fn(...args));
    return Object.assign(run, { immediate: run, deferred: run, exclusive: run });
  }

  exec(sql: string): this {
    this.batch([{ sql, params: [] }]);
    return this;
  }

  /**
   * Notifies `channel` (payload: the store's schema) when the open transaction commits; outside one, now.
   * Several calls in one transaction notify once.
   */
  notifyOnCommit(channel: string): void {
    if (this.depth > 0) this.onCommit.add(channel);
    else this.batch([{ sql: 'SELECT pg_notify($1, current_schema())', params: [channel] }]);
  }

  /** Whether a transaction is open on this connection. */
  get inTransaction(): boolean {
    return this.depth > 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.call({ op: 'close' }, 5000);
    } catch {
      // Closing a broken connection: the worker is ended below all the same.
    }
    void this.worker.terminate();
    this.port.close();
  }

  /** Runs statements in order, in one round trip to the worker; their results, or the first failure thrown. */
  batch(queries: PgQuery[]): { rows: unknown[]; changes: number }[] {
    if (this.closed) throw new DatabaseError('the PostgreSQL connection is closed', { code: 'database_closed' });
    const reply = this.call({ op: 'batch', queries }, this.answerTimeoutMs);
    if (reply.ok) return reply.results;
    throw this.errorOf(reply.error, queries[reply.error.at]?.sql);
  }

  private runInTransaction<R>(fn: () => R): R {
    const outer = this.depth === 0;
    const savepoint = `stn_sp_${String(this.depth)}`;
    this.begin(
      outer
        ? [
            { sql: 'BEGIN', params: [] },
            { sql: 'SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', params: [STORE_WRITER_LOCK] },
          ]
        : [{ sql: `SAVEPOINT ${savepoint}`, params: [] }],
      outer,
    );
    this.depth += 1;
    let result: R;
    try {
      result = fn();
    } catch (error) {
      this.depth -= 1;
      if (outer) this.onCommit.clear();
      try {
        this.batch([{ sql: outer ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`, params: [] }]);
      } catch {
        // The error that made us roll back says more.
      }
      throw error;
    }
    this.depth -= 1;
    try {
      // Notifications go in the COMMIT's round trip; PostgreSQL delivers them when it commits.
      const notify: PgQuery[] = outer
        ? [...this.onCommit].map((channel) => ({
            sql: 'SELECT pg_notify($1, current_schema())',
            params: [channel],
          }))
        : [];
      if (outer) this.onCommit.clear();
      this.batch([...notify, { sql: outer ? 'COMMIT' : `RELEASE SAVEPOINT ${savepoint}`, params: [] }]);
    } catch (error) {
      if (outer) {
        try {
          this.batch([{ sql: 'ROLLBACK', params: [] }]);
        } catch {
          // As above.
        }
      }
      throw error;
    }
    return result;
  }

  /** Starts a transaction (or savepoint); when that fails (the writer lock not had in time), leaves none open. */
  private begin(queries: PgQuery[], outer: boolean): void {
    try {
      this.batch(queries);
    } catch (error) {
      if (outer) {
        try {
          this.batch([{ sql: 'ROLLBACK', params: [] }]);
        } catch {
          // The error that made us roll back says more.
        }
      }
      throw error;
    }
  }

  private call(request: PgRequest, timeoutMs: number): PgReply {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(request);
    const waited = Atomics.wait(this.flag, 0, 0, timeoutMs);
    // The answer is posted before the flag is set; on a busy machine it can still take a moment to show on this
    // side of the port: look again for a short while before calling the connection gone.
    let message = this.receive(this.port);
    for (let tries = 0; message === undefined && waited !== 'timed-out' && tries < 2000; tries += 1) {
      Atomics.wait(this.pause, 0, 0, 1);
      message = this.receive(this.port);
    }
    if (message === undefined) {
      if (waited === 'timed-out') {
        throw new DatabaseError(
          `PostgreSQL at ${redactUrl(this.url)} did not answer within ${String(timeoutMs / 1000)} s`,
          {
            code: 'database_unreachable',
            hints: ['Check that the PostgreSQL server is up and reachable from this host, then run the command again.'],
          },
        );
      }
      throw new DatabaseError('the PostgreSQL connection ended', { code: 'database_unreachable' });
    }
    return message.message as PgReply;
  }

  private errorOf(error: PgErrorInfo, sql: string | undefined): Error {
    const where = redactUrl(this.url);
    const code = error.code ?? '';
    if (code === '55P03' || code === '40P01') {
      return new DatabaseError(`the database is locked by another server or process: ${error.message}`, {
        code: DATABASE_ERROR_CODES.locked,
        details: { url: where, pgCode: code },
        hints: [
          'Run the command again; another Station server is writing.',
          `To wait longer, raise database.busy_timeout_ms in config.yaml (now ${String(this.lockTimeoutMs)}).`,
        ],
      });
    }
    if (code.startsWith('08') || code === '57P01' || code === '57P03' || /^E[A-Z]+$/.test(code) || code === '') {
      if (code === '' && sql !== undefined && !/connect|terminat|timeout/i.test(error.message)) {
        return Object.assign(new Error(`${error.message} (in: ${sql})`), { code });
      }
      return new DatabaseError(`cannot reach PostgreSQL at ${where}: ${error.message}`, {
        code: 'database_unreachable',
        details: { url: where, pgCode: code },
        hints: [
          'Check that the PostgreSQL server is running and that store.postgres.url (or STATION_DATABASE_URL) names it: host, port, database, user.',
          'Try it by hand: psql "URL" -c "select 1"',
        ],
      });
    }
    if (code === '28P01' || code === '28000' || code === '3D000') {
      return new DatabaseError(`PostgreSQL at ${where} refused the connection: ${error.message}`, {
        code: 'database_auth',
        details: { url: where, pgCode: code },
        hints: ['Check the user, password and database name in store.postgres.url (or STATION_DATABASE_URL).'],
      });
    }
    if (code === '53100') {
      return new DatabaseError(`the disk of PostgreSQL at ${where} is full: ${error.message}`, {
        code: DATABASE_ERROR_CODES.full,
        details: { url: where, pgCode: code },
        hints: ['Free space on the database server, then run the command again.'],
      });
    }
    // Anything else (a constraint, bad SQL) is the caller's to handle, or a bug: PostgreSQL's words and code.
    return Object.assign(new Error(`${error.message}${error.detail === undefined ? '' : ` (${error.detail})`}`), {
      code,
      sql,
    });
  }
}

class PgStatement implements StoreStatement {
  private array = false;

  constructor(
    private readonly db: PgSyncDb,
    private readonly sql: string,
    private readonly name: string,
  ) {}

  pluck(toggle = true): this {
    this.array = toggle;
    return this;
  }

  run(...params: SqlValue[]): StoreRunResult {
    return { changes: this.query(params).changes };
  }

  get(...params: SqlValue[]): unknown {
    return this.query(params).rows[0];
  }

  all(...params: SqlValue[]): unknown[] {
    return this.query(params).rows;
  }

  iterate(...params: SqlValue[]): IterableIterator<unknown> {
    return this.all(...params)[Symbol.iterator]();
  }

  private query(params: SqlValue[]): { rows: unknown[]; changes: number } {
    const [result] = this.db.batch([{ sql: this.sql, params, array: this.array, name: this.name }]);
    if (result === undefined) return { rows: [], changes: 0 };
    const rows = this.array ? result.rows.map((row) => (row as unknown[])[0]) : result.rows;
    return { rows: rows.map(withBuffers), changes: result.changes };
  }
}

/** bytea values arrive as Uint8Array (structured clone); the store hands out Buffers, as better-sqlite3 does. */
function withBuffers(row: unknown): unknown {
  if (row instanceof Uint8Array) return Buffer.from(row.buffer, row.byteOffset, row.byteLength);
  if (row === null || typeof row !== 'object') return row;
  const record = row as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      record[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return record;
}
