import { localWrites } from './local-writes.js';
import { dialectOf, type StoreDb, type StoreStatement } from './store-db.js';

/**
 * A connection's data_version as read in the current turn of the event loop, with this thread's local write
 * count then (local-writes.ts): the stamps of one turn (a request's key check and its list) share one read.
 */
interface VersionRead {
  version: unknown;
  writes: number;
}

const readThisTurn = new WeakMap<StoreDb, VersionRead>();

/**
 * A number pair that changes whenever a SQLite database may have changed: its data_version (bumped by a
 * commit of any other connection, this process's or another's) and this connection's total_changes (rows
 * it inserted, updated or deleted, triggers included). So that an answer read from the database can be kept
 * while the stamp stays the same. There is none while this connection is in a transaction (what it reads
 * there may be rolled back, which moves neither number), nor on PostgreSQL (no such counter: every answer
 * is read again).
 *
 * Reading data_version starts a read transaction (locks and a stat of the file: system calls), so it is
 * read once per turn of the event loop and connection, and again within the turn only when a connection of
 * this thread may have written since (local-writes.ts). A commit of another process or thread that lands
 * during the turn is seen from the next turn on, as if it had come just after: it is concurrent with the
 * turn either way. total_changes, which costs no system call, is read every time.
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
    const db = this.db;
    const writes = localWrites();
    let read = readThisTurn.get(db);
    if (read?.writes !== writes) {
      read = { version: this.version.get(), writes };
      readThisTurn.set(db, read);
      const made = read;
      queueMicrotask(() => {
        if (readThisTurn.get(db) === made) readThisTurn.delete(db);
      });
    }
    return `${String(read.version)}:${String(this.changes.get())}`;
  }
}
