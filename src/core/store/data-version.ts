import { dialectOf, type StoreDb, type StoreStatement } from './store-db.js';

/**
 * A number pair that changes whenever a SQLite database may have changed: its data_version (bumped by a
 * commit of any other connection, this process's or another's) and this connection's total_changes (rows
 * it inserted, updated or deleted, triggers included). Reading it costs a few microseconds, so that an
 * answer read from the database can be kept while the stamp stays the same. There is none while this
 * connection is in a transaction (what it reads there may be rolled back, which moves neither number), nor
 * on PostgreSQL (no such counter: every answer is read again).
 */
export class DataVersion {
  private readonly db: StoreDb;
  private readonly version: StoreStatement | undefined;
  private readonly changes: StoreStatement | undefined;

  constructor(db: StoreDb) {
    this.db = db;
    if (dialectOf(db) !== 'sqlite') return;
    // Two statements: the pragma as a table-valued function in one SELECT costs more than both apart.
    this.version = db.prepare('PRAGMA data_version').pluck();
    this.changes = db.prepare('SELECT total_changes()').pluck();
  }

  /** The current stamp, as text (equal texts: nothing changed in between); undefined when there is none. */
  stamp(): string | undefined {
    if (this.version === undefined || this.changes === undefined || this.db.inTransaction) return undefined;
    return `${String(this.version.get())}:${String(this.changes.get())}`;
  }
}
