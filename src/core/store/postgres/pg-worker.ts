/**
 * The worker thread behind a PostgreSQL connection (pg-sync-db.ts): it holds one `pg` Client and runs the
 * batches of statements the main thread sends, one batch at a time, in order. Each answer is posted on the
 * port, then the shared flag is set and notified, which wakes the main thread blocked in Atomics.wait.
 *
 * The worker is started from this function's source (`eval`), so it must use nothing from outside it: `pg`
 * comes in through `load` (resolved by the main thread, so it is found wherever Station is installed).
 */

/** One statement of a batch: SQL with numbered placeholders, its values, and how rows come back. */
export interface PgQuery {
  sql: string;
  params: readonly unknown[];
  /** Rows as arrays (for pluck) instead of objects. */
  array?: boolean;
  /** A server-side prepared statement's name (statements run often are parsed once per connection). */
  name?: string;
}

export type PgRequest = { op: 'batch'; queries: PgQuery[] } | { op: 'close' };

export interface PgErrorInfo {
  message: string;
  code?: string | undefined;
  detail?: string | undefined;
  hint?: string | undefined;
  /** The index in the batch of the statement that failed. */
  at: number;
}

export type PgReply = { ok: true; results: { rows: unknown[]; changes: number }[] } | { ok: false; error: PgErrorInfo };

export interface PgWorkerData {
  pgPath: string;
  url: string;
  /** Milliseconds a statement may wait for a lock (lock_timeout), like SQLite's busy timeout. */
  lockTimeoutMs: number;
  connectTimeoutMs: number;
  applicationName: string;
}

interface MessagePortLike {
  on(event: 'message', listener: (message: PgRequest) => void): void;
  postMessage(message: PgReply): void;
}

interface PgErrorLike {
  message?: string;
  code?: string;
  detail?: string;
  hint?: string;
}

/** The worker's body. Self-contained: see the module's comment. */
export function pgWorkerMain(
  data: PgWorkerData,
  port: MessagePortLike,
  flag: Int32Array,
  load: (path: string) => unknown,
): void {
  interface PgModule {
    types: { setTypeParser(oid: number, parse: (text: string) => unknown): void };
    Client: new (config: Record<string, unknown>) => PgClient;
  }
  interface PgClient {
    connect(): Promise<void>;
    query(config: Record<string, unknown>): Promise<{ rows: unknown[]; rowCount: number | null }>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): void;
  }
  const pg = load(data.pgPath) as PgModule;
  // int8 (counts, ids, milliseconds) and numeric (sums) as numbers, as SQLite gives them.
  pg.types.setTypeParser(20, (text) => Number(text));
  pg.types.setTypeParser(1700, (text) => Number(text));
  const client = new pg.Client({
    connectionString: data.url,
    application_name: data.applicationName,
    connectionTimeoutMillis: data.connectTimeoutMs,
  });
  let broken: PgErrorLike | undefined;
  client.on('error', (error) => {
    broken = error;
  });
  const ready = client
    .connect()
    .then(() => client.query({ text: `SET lock_timeout = ${String(Math.max(1, Math.floor(data.lockTimeoutMs)))}` }));
  ready.catch(() => undefined);

  function reply(message: PgReply): void {
    port.postMessage(message);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }

  function failure(error: unknown, at: number): PgReply {
    const e = error as PgErrorLike;
    return {
      ok: false,
      error: { message: e.message ?? String(error), code: e.code, detail: e.detail, hint: e.hint, at },
    };
  }

  async function run(request: PgRequest): Promise<PgReply> {
    await ready;
    if (broken !== undefined) return failure(broken, 0);
    if (request.op === 'close') {
      await client.end();
      return { ok: true, results: [] };
    }
    const results: { rows: unknown[]; changes: number }[] = [];
    for (let i = 0; i < request.queries.length; i += 1) {
      const q = request.queries[i];
      if (q === undefined) continue;
      try {
        const values = q.params.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v));
        const result = await client.query({
          text: q.sql,
          values,
          ...(q.array === true ? { rowMode: 'array' } : {}),
          ...(q.name === undefined ? {} : { name: q.name }),
        });
        results.push({ rows: result.rows, changes: result.rowCount ?? 0 });
      } catch (error) {
        return failure(error, i);
      }
    }
    return { ok: true, results };
  }

  // One request at a time, in the order sent (the main thread waits for each answer anyway).
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (request) => {
    chain = chain.then(() => run(request).then(reply, (error: unknown) => reply(failure(error, 0))));
  });
}
