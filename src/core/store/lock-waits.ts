/**
 * What a write does when another process holds the database's write lock (the connection has already
 * waited its busy timeout when SQLite gives up): a read may do without its write, a run keeps trying.
 */
import type { DatabaseError } from '../errors.js';
import type { Db } from './database.js';
import { dialectOf, type StoreDb } from './store-db.js';
import { isDatabaseLocked } from './sqlite-errors.js';

/** How long a read waits for the lock before it goes on without its write. */
export const OPTIONAL_WRITE_WAIT_MS = 250;

export type WriteOutcome<T> = { written: true; value: T } | { written: false; error: DatabaseError };

/**
 * A write a read can do without (bringing an index up to date, marking orphaned runs, a key's last use):
 * it waits at most `waitMs` (and never longer than the connection's busy timeout) for another process's
 * lock, then gives up and says so instead of failing the read. Inside a transaction it is a plain write.
 */
export function writeUnlessLocked<T>(db: StoreDb, write: () => T, waitMs = OPTIONAL_WRITE_WAIT_MS): WriteOutcome<T> {
  if (db.inTransaction) return { written: true, value: write() };
  const restore = shortenLockWait(db, waitMs);
  try {
    return { written: true, value: write() };
  } catch (error) {
    if (isDatabaseLocked(error)) return { written: false, error };
    throw error;
  } finally {
    restore();
  }
}

/** Makes the connection wait at most `waitMs` for a lock (never longer than it already does); returns the undo. */
function shortenLockWait(db: StoreDb, waitMs: number): () => void {
  if (dialectOf(db) === 'postgres') {
    const current = (db.prepare('SHOW lock_timeout').pluck().get() as string | undefined) ?? '0';
    const ms = parsePgDuration(current);
    // 0 means "wait forever" to PostgreSQL: a write that must not wait (waitMs 0) waits 1 ms.
    db.exec(`SET lock_timeout = ${String(Math.max(1, ms === 0 ? waitMs : Math.min(waitMs, ms)))}`);
    return () => db.exec(`SET lock_timeout = '${current.replace(/'/g, '')}'`);
  }
  const sqlite = db as Db;
  const busyTimeout = Number(sqlite.pragma('busy_timeout', { simple: true }));
  sqlite.pragma(`busy_timeout = ${String(Math.min(waitMs, busyTimeout))}`);
  return () => sqlite.pragma(`busy_timeout = ${String(busyTimeout)}`);
}

/** PostgreSQL's SHOW of a duration setting ("5s", "250ms", "0") in milliseconds. */
function parsePgDuration(text: string): number {
  const match = /^(\d+)\s*(ms|s|min|h)?$/.exec(text.trim());
  if (match === null) return 0;
  const n = Number(match[1]);
  const unit = match[2] ?? 'ms';
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'min' ? n * 60_000 : n * 3_600_000;
}

/** How long a run keeps trying to record an event while another process holds the lock. */
export const LOCKED_WRITE_PATIENCE_MS = 30_000;

/**
 * Runs `write` again while it fails because another process holds the lock (each try waits the busy
 * timeout, with a short pause between tries), until `patienceMs` have passed; then the lock error is
 * thrown. Synchronous, like every write of the SQLite driver.
 */
export function retryWhileLocked<T>(write: () => T, patienceMs = LOCKED_WRITE_PATIENCE_MS, pauseMs = 50): T {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    try {
      return write();
    } catch (error) {
      if (!isDatabaseLocked(error) || Date.now() >= deadline) throw error;
      sleepSync(Math.min(pauseMs, Math.max(0, deadline - Date.now())));
    }
  }
}

function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
