import { isDatabaseLocked } from './sqlite-errors.js';
import { dialectOf, type Dialect, type StoreDb } from './store-db.js';

/** What compacting the store did. */
export interface CompactionResult {
  engine: Dialect;
  /**
   * SQLite: the write-ahead log was copied into the database file and emptied (`wal_checkpoint(TRUNCATE)`);
   * false when a reader or writer of another process kept it from finishing (the next pass does it). PostgreSQL:
   * null (its own checkpoints and autovacuum keep its files; Station runs neither there).
   */
  checkpointed: boolean | null;
  /**
   * `incremental`: free pages given back with `incremental_vacuum` (a database made with auto_vacuum =
   * INCREMENTAL); `full`: `VACUUM` rebuilt the file, because a large share of it was free; `busy`: another process
   * held the write lock; `none`: nothing to give back, or too little to be worth a VACUUM (free pages are reused
   * by new rows).
   */
  vacuum: 'none' | 'incremental' | 'full' | 'busy';
  /** SQLite: the database's size (pages x page size) and its free part, before and after; null on PostgreSQL. */
  bytesBefore: number | null;
  bytesAfter: number | null;
  freeBytesBefore: number | null;
  freeBytesAfter: number | null;
}

export interface CompactionOptions {
  /** A full VACUUM when at least this share of the database is free pages (default 0.5). */
  vacuumShare?: number;
  /** ... and at least this many bytes are free (default 8 MiB): a small file is not worth rebuilding. */
  vacuumMinBytes?: number;
  /** Milliseconds the checkpoint may wait for readers, and a vacuum for the write lock (default 250). */
  waitMs?: number;
}

export const DEFAULT_VACUUM_SHARE = 0.5;
export const DEFAULT_VACUUM_MIN_BYTES = 8 * 1024 * 1024;
export const DEFAULT_COMPACTION_WAIT_MS = 250;

/** Pages given back per incremental_vacuum statement: each is its own short write transaction. */
const INCREMENTAL_STEP_PAGES = 2048;

interface Pages {
  size: number;
  count: number;
  free: number;
}

/**
 * Keeps a SQLite store's files from growing without bound: checkpoints the write-ahead log and truncates it,
 * then gives free pages back to the file system: step by step with `incremental_vacuum` when the database was
 * made with auto_vacuum = INCREMENTAL; otherwise (Station's databases: auto_vacuum NONE, where SQLite reuses free
 * pages for new rows) a full `VACUUM` only when a large share of the file is free, as after a first prune of a
 * long history. VACUUM holds the write lock while it rebuilds the file; a writer of another process waits for
 * it up to its busy timeout. This connection waits at most `waitMs` for other processes (a reader keeping the log,
 * a writer holding the lock): what it cannot do now, the next pass does. On PostgreSQL nothing is done (autovacuum reclaims deleted rows there).
 * Call it outside any transaction.
 */
export function compactStore(db: StoreDb, options: CompactionOptions = {}): CompactionResult {
  const engine = dialectOf(db);
  if (engine === 'postgres') {
    return {
      engine,
      checkpointed: null,
      vacuum: 'none',
      bytesBefore: null,
      bytesAfter: null,
      freeBytesBefore: null,
      freeBytesAfter: null,
    };
  }
  // The checkpoint waits for readers and the vacuum for the write lock: both briefly, never the connection's whole
  // busy timeout (the thread, a server's included, is blocked while SQLite waits). What cannot be done now is done
  // by the next pass.
  const busyTimeoutMs = Number(db.prepare('PRAGMA busy_timeout').pluck().get());
  db.exec(`PRAGMA busy_timeout = ${String(Math.min(busyTimeoutMs, options.waitMs ?? DEFAULT_COMPACTION_WAIT_MS))}`);
  try {
    return compactSqlite(db, options);
  } finally {
    db.exec(`PRAGMA busy_timeout = ${String(busyTimeoutMs)}`);
  }
}

function compactSqlite(db: StoreDb, options: CompactionOptions): CompactionResult {
  const engine = 'sqlite';
  const before = pages(db);
  let checkpointed = checkpoint(db);
  let vacuum: CompactionResult['vacuum'] = 'none';
  const autoVacuum = Number(db.prepare('PRAGMA auto_vacuum').pluck().get());
  const share = options.vacuumShare ?? DEFAULT_VACUUM_SHARE;
  const minBytes = options.vacuumMinBytes ?? DEFAULT_VACUUM_MIN_BYTES;
  try {
    if (autoVacuum === 2 && before.free > 0) {
      // Each step is a short write transaction of its own: writers of other processes get the lock in between.
      for (let free = before.free; free > 0; free = pages(db).free) {
        db.exec(`PRAGMA incremental_vacuum(${String(INCREMENTAL_STEP_PAGES)})`);
        if (pages(db).free >= free) break;
      }
      vacuum = 'incremental';
    } else if (
      autoVacuum === 0 &&
      before.count > 0 &&
      before.free / before.count >= share &&
      before.free * before.size >= minBytes
    ) {
      db.exec('VACUUM');
      vacuum = 'full';
    }
  } catch (error) {
    if (!isDatabaseLocked(error)) throw error;
    vacuum = 'busy';
  }
  // What a vacuum wrote went to the write-ahead log: into the file with it.
  if (vacuum === 'full' || vacuum === 'incremental') checkpointed = checkpoint(db);
  const after = pages(db);
  return {
    engine,
    checkpointed,
    vacuum,
    bytesBefore: before.count * before.size,
    bytesAfter: after.count * after.size,
    freeBytesBefore: before.free * before.size,
    freeBytesAfter: after.free * after.size,
  };
}

/** `PRAGMA wal_checkpoint(TRUNCATE)`: true when every frame was copied back and the log emptied. */
function checkpoint(db: StoreDb): boolean {
  try {
    const row = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { busy: number } | undefined;
    return row?.busy === 0;
  } catch (error) {
    if (isDatabaseLocked(error)) return false;
    throw error;
  }
}

function pages(db: StoreDb): Pages {
  const read = (pragma: string): number => Number(db.prepare(`PRAGMA ${pragma}`).pluck().get());
  return { size: read('page_size'), count: read('page_count'), free: read('freelist_count') };
}
