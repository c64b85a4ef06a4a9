import Database from 'better-sqlite3-multiple-ciphers';
import { sqliteConnection } from './sqlite-driver.js';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseError, errorMessage, isStationError } from '../errors.js';
import { createPrivateFile, makePrivateIfExists, PRIVATE_DIR_MODE } from '../fs/private-files.js';
import { parseKey } from '../security/encryption-key.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { looksLikeOriginalDatabase, originalAsidePath } from './original-import.js';
import {
  applyKey,
  canRead,
  isEncryptedDatabase,
  missingKeyError,
  wrongKeyError,
  type KeyLookup,
} from './database-cipher.js';
import { noteLocalWrite } from './local-writes.js';
import { databaseErrorOf, type DatabaseContext } from './sqlite-errors.js';
import { dialectOf, type StoreDb } from './store-db.js';

/** A SQLite connection, usable wherever the store's connection is (store-db.ts). */
export type Db = Database.Database & StoreDb;

/** Milliseconds a connection waits for another process's write lock unless told otherwise. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenDatabaseOptions {
  /** Migrations to apply (tests pass their own lists). */
  migrations?: readonly Migration[];
  /** Milliseconds a writer waits for a lock held by another process. */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /**
   * The home's key (readEncryptionKey), asked for only when the file is encrypted (its first bytes are not
   * SQLite's header) or `encrypt` makes a new one. Without it an encrypted file is refused (exit 7).
   */
  key?: KeyLookup;
  /** A new (empty) database file is made encrypted with the key (`stn init --encrypt-db`). */
  encrypt?: boolean;
}

/**
 * Opens (creating if needed) a Station database: WAL journal, foreign keys on, a busy timeout so that
 * several processes can share one home, and every pending migration applied. Opening writes nothing
 * when the file is already in WAL mode and up to date, so it works while another process holds the
 * write lock. Every SQLite lock, corruption or disk failure the connection meets later is thrown as a
 * DatabaseError (exit 7) saying what to do (see guard()). A new database file is
 * made 0600 before SQLite opens it (SQLite would make it 0644 less the umask, and it gives the -wal and
 * -shm files the mode of the database file); the -wal and -shm files are set to 0600 after opening.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const onDisk = file !== ':memory:' && file !== '';
  let db: Db;
  try {
    if (onDisk && options.readonly !== true) {
      const dir = dirname(file);
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      createPrivateFile(file);
    }
    db = sqliteConnection(file, { readonly: options.readonly ?? false }) as Db;
  } catch (error) {
    throw new DatabaseError(`cannot open database ${file}: ${errorMessage(error)}`, {
      cause: error,
      hints: ['Check that the Station home is writable, or point STATION_HOME elsewhere.'],
    });
  }
  if (onDisk) {
    try {
      keyConnection(db, file, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  guard(db, { file, busyTimeoutMs });
  try {
    db.pragma(`busy_timeout = ${String(busyTimeoutMs)}`);
    // Before the journal mode is set: switching the original's database to WAL would write to it.
    if (options.readonly !== true) refuseOriginalDatabase(db, file);
    // Setting the mode takes a lock: only a database not yet in WAL mode (a new one) needs it.
    if (file !== ':memory:' && db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (options.readonly !== true) recordApplied(db, migrate(db, file, options.migrations ?? MIGRATIONS));
    if (onDisk && options.readonly !== true) {
      makePrivateIfExists(`${file}-wal`);
      makePrivateIfExists(`${file}-shm`);
    }
    return db;
  } catch (error) {
    db.close();
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`cannot prepare database ${file}: ${errorMessage(error)}`, { cause: error });
  }
}

/** Applies the home's key when the file is encrypted (or `encrypt` makes a new one); checks it opens. Writes nothing. */
function keyConnection(db: Db, file: string, options: OpenDatabaseOptions): void {
  const encrypted = isEncryptedDatabase(file);
  const fresh = !encrypted && options.encrypt === true && statSync(file).size === 0;
  if (!encrypted && !fresh) return;
  // Without a way to find a key (raw opens in tests) the file is left to SQLite: not a database, exit 7.
  if (options.key === undefined) return;
  const key = options.key();
  if (key === undefined) throw missingKeyError(file);
  applyKey(db, key.key);
  if (fresh || canRead(db)) return;
  throw wrongKeyError(file, key, key.source.kind === 'file' && pendingKeyOpens(file, `${key.source.file}.new`));
}

/** Whether the staged key of an interrupted rotation opens the database. */
function pendingKeyOpens(file: string, pending: string): boolean {
  if (!existsSync(pending)) return false;
  let probe: Db | undefined;
  try {
    const key = parseKey(readFileSync(pending, 'utf8'), { kind: 'file', file: pending });
    probe = sqliteConnection(file, { readonly: true }) as Db;
    applyKey(probe, key);
    return canRead(probe);
  } catch {
    return false;
  } finally {
    probe?.close();
  }
}

/** How many statements a connection keeps (queries with IN lists of every length are many). */
const MAX_KEPT_STATEMENTS = 256;

/** The row shapes of a statement: better-sqlite3's pluck, raw and expand (each turns the others off). */
const ROW_SHAPES = ['pluck', 'raw', 'expand'] as const;
type RowShape = (typeof ROW_SHAPES)[number];

/**
 * Makes every call on `db` (prepare, its statements' run/get/all/iterate, transactions, exec, pragma)
 * throw a DatabaseError instead of SQLite's own error when the database is locked by another process,
 * damaged, or on a full or failing disk: one boundary for the whole store, whichever door called. Statements
 * are prepared once per connection and SQL (keptStatement).
 */
function guard(db: Db, context: DatabaseContext): void {
  function guarded<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      try {
        return fn(...args);
      } catch (error) {
        throw databaseErrorOf(error, context);
      }
    };
  }
  /** The same, counted as a possible change of the database (local-writes.ts) once it has returned or thrown. */
  function writing<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const call = guarded(fn);
    return (...args: A): R => {
      try {
        return call(...args);
      } finally {
        noteLocalWrite();
      }
    };
  }
  const raw = { prepare: db.prepare.bind(db), transaction: db.transaction.bind(db), exec: db.exec.bind(db) };
  const prepareRaw = guarded((source: string) => raw.prepare(source));
  /** A new statement whose calls are guarded. */
  function prepared(source: string): Database.Statement {
    const statement = prepareRaw(source);
    const calls = {
      run: statement.run.bind(statement),
      get: statement.get.bind(statement),
      all: statement.all.bind(statement),
      iterate: statement.iterate.bind(statement),
    };
    // A statement that writes may do it through get, all or iterate too (INSERT ... RETURNING).
    const reading = statement.readonly ? guarded : writing;
    return Object.assign(statement, {
      run: writing(calls.run),
      get: reading(calls.get),
      all: reading(calls.all),
      iterate: reading((...args: unknown[]): IterableIterator<unknown> => {
        const iterator = calls.iterate(...args);
        return Object.assign(iterator, { next: reading(iterator.next.bind(iterator)) });
      }),
    });
  }
  const kept = new Map<string, Database.Statement>();
  /**
   * The connection's statements by their SQL (and row shape), prepared once: preparing costs more than running a
   * small indexed query, and the repositories ask for theirs on every call. A kept statement is shared, so it
   * never changes mode: `pluck()`, `raw()` and `expand()` give the kept statement of that row shape (they
   * exclude each other in better-sqlite3), `safeIntegers()` and `bind()` one of the caller's own; callers use
   * what they return, as with better-sqlite3's. One an open iterator reads from is not given out again.
   */
  function keptStatement(source: string, shape?: RowShape): Database.Statement {
    const key = shape === undefined ? source : `${shape}\u0000${source}`;
    const found = kept.get(key);
    if (found !== undefined && !found.busy) return found;
    const statement = prepared(source);
    if (shape !== undefined) statement[shape](true);
    if (found !== undefined) return statement;
    if (kept.size >= MAX_KEPT_STATEMENTS) kept.clear();
    kept.set(key, statement);
    for (const mode of ROW_SHAPES) {
      Object.defineProperty(statement, mode, {
        value: (on = true) => keptStatement(source, on ? mode : undefined),
      });
    }
    for (const mode of ['safeIntegers', 'bind'] as const) {
      Object.defineProperty(statement, mode, {
        value: (...args: unknown[]) => {
          const own = prepared(source);
          if (shape !== undefined) own[shape](true);
          return (own[mode] as (...a: unknown[]) => unknown)(...args);
        },
      });
    }
    return statement;
  }
  Object.assign(db, {
    prepare: keptStatement,
    transaction: (fn: (...args: unknown[]) => unknown) => {
      const inner = raw.transaction(fn);
      const outer = writing((...args: unknown[]) => inner(...args));
      return Object.defineProperties(outer, {
        default: { value: outer },
        deferred: { value: writing((...args: unknown[]) => inner.deferred(...args)) },
        immediate: { value: writing((...args: unknown[]) => inner.immediate(...args)) },
        exclusive: { value: writing((...args: unknown[]) => inner.exclusive(...args)) },
        database: { value: db, enumerable: true },
      });
    },
    exec: writing((source: string): Db => {
      raw.exec(source);
      return db;
    }),
    pragma: writing(db.pragma.bind(db)),
  });
}

/** Migrations each open connection applied when it was opened. */
const appliedAtOpen = new WeakMap<StoreDb, number[]>();

export function recordApplied(db: StoreDb, versions: number[]): void {
  appliedAtOpen.set(db, versions);
}

/** The migrations applied when this connection was opened (none when the store was up to date). */
export function migrationsAppliedAt(db: StoreDb): number[] {
  return appliedAtOpen.get(db) ?? [];
}

/** The highest migration version recorded in the database (0 for a new one). */
export function schemaVersion(db: StoreDb): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}

/** The schema version a list of migrations leads to (this stn's latest by default). */
export function latestSchemaVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * A station.db made by the original Station (goose migrations: a `goose_db_version` table, or its `agent_runs`
 * with `final_response`) is refused before anything is written to it, with what to do, instead of failing on
 * "table environments already exists".
 */
function refuseOriginalDatabase(db: Db, file: string): void {
  if (!looksLikeOriginalDatabase(db)) return;
  const aside = originalAsidePath(file);
  throw new DatabaseError(`${file} was made by the original Station; Station keeps its own database there`, {
    code: 'database_original',
    hints: [
      `Run: stn init --import-original (moves it aside to ${aside}, creates Station's database, and imports its run history)`,
      `Or by hand: mv ${file} ${aside}, then stn init, stn db import-original ${aside}`,
      'Then `stn sync`: agents and MCP servers are read from the environment folders.',
    ],
    details: { file, aside },
  });
}

/** Applies pending migrations (those not recorded yet), each in its own transaction, and records them. */
export function migrate(db: Db, file: string, migrations: readonly Migration[]): number[] {
  refuseOriginalDatabase(db, file);
  return applyMigrations(db, file, migrations);
}

/**
 * Applies pending migrations to either engine: each in its own transaction (which on PostgreSQL holds the
 * store's writer lock, so that servers starting together apply each migration once), recorded in
 * schema_migrations. `where` names the database in messages (a file, or a URL without its password).
 */
export function applyMigrations(db: StoreDb, where: string, migrations: readonly Migration[]): number[] {
  const file = where;
  const integer = dialectOf(db) === 'postgres' ? 'BIGINT' : 'INTEGER';
  const createTable = (): unknown =>
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version ${integer} PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at ${integer} NOT NULL
  )`);
  // SQLite: a no-op when the table exists, taking no write lock (opening writes nothing). PostgreSQL: under the
  // writer lock, or two servers starting together would race to create it.
  if (dialectOf(db) === 'postgres') db.transaction(createTable).immediate();
  else createTable();
  const known = latestSchemaVersion(migrations);
  const current = schemaVersion(db);
  if (current > known) {
    throw new DatabaseError(
      `${file} was created by a newer version of Station (schema version ${String(current)}; this stn knows up to ${String(known)})`,
      {
        hints: [
          'Upgrade stn to the version that wrote this database.',
          'Or use another home for this version: STATION_HOME=/some/other/dir stn ...',
        ],
        details: { file, schemaVersion: current, supportedVersion: known },
      },
    );
  }
  const applied: number[] = [];
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const recorded = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  // Every migration not yet recorded, in order: one numbered below the highest recorded (made on another
  // branch, merged later) is applied too, not skipped.
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    const apply = db.transaction((): boolean => {
      // Another process may have applied it meanwhile (servers starting together).
      if (recorded.get(migration.version) !== undefined) return false;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      return true;
    });
    try {
      if (!apply.immediate()) continue;
    } catch (error) {
      // Locked, damaged, disk full: that error says best what to do.
      if (isStationError(error)) throw error;
      throw new DatabaseError(
        `migration ${String(migration.version)} (${migration.name}) failed on ${file}: ${errorMessage(error)}`,
        { cause: error, hints: ['The database was left as it was before this migration.'] },
      );
    }
    applied.push(migration.version);
  }
  return applied;
}
