/**
 * The connection every repository speaks: the part of better-sqlite3's API Station uses (prepared statements
 * with run/get/all/iterate/pluck, transactions, exec), which a SQLite connection has as it is and the
 * PostgreSQL connection (postgres/pg-sync-db.ts) provides over the `pg` driver. Repositories write SQL both
 * engines accept (`?` placeholders, `INSERT ... RETURNING id`, `ON CONFLICT`), and ask `dialect` where the two
 * differ (JSON functions).
 */

export type Dialect = 'sqlite' | 'postgres';

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | null | Buffer;

export interface StoreRunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

export interface StoreStatement {
  run(...params: SqlValue[]): StoreRunResult;
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
  iterate(...params: SqlValue[]): IterableIterator<unknown>;
  /** Rows become the value of their first column. */
  pluck(toggle?: boolean): this;
}

/**
 * A function run in a transaction: committed when it returns, rolled back when it throws; nested calls are
 * savepoints. `immediate` takes the write lock at the start (SQLite: BEGIN IMMEDIATE; PostgreSQL: the store's
 * writer lock), so that a read followed by a write in it sees no other writer in between.
 */
export interface StoreTransaction<A extends unknown[], R> {
  (...args: A): R;
  immediate(...args: A): R;
  deferred(...args: A): R;
  exclusive(...args: A): R;
}

export interface StoreDb {
  prepare(sql: string): StoreStatement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): StoreTransaction<A, R>;
  exec(sql: string): unknown;
  close(): unknown;
  /** Whether a transaction is open on this connection. */
  readonly inTransaction: boolean;
  /** PostgreSQL: announce on `channel` when the open transaction commits (LISTEN/NOTIFY); SQLite has none. */
  notifyOnCommit?(channel: string): void;
}

/** Which engine a connection is (SQLite connections carry no mark). */
export function dialectOf(db: StoreDb): Dialect {
  return (db as { dialect?: Dialect }).dialect ?? 'sqlite';
}
