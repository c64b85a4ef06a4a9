import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseError, errorMessage } from '../errors.js';
import { createPrivateFile, makePrivateIfExists, PRIVATE_DIR_MODE } from '../fs/private-files.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Migrations to apply (tests pass their own lists). */
  migrations?: readonly Migration[];
  /** Milliseconds a writer waits for a lock held by another process. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Opens (creating if needed) a Station database: WAL journal, foreign keys on, a busy timeout so that
 * several processes can share one home, and every pending migration applied. A new database file is
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
    db = new Database(file, { readonly: options.readonly ?? false });
  } catch (error) {
    throw new DatabaseError(`cannot open database ${file}: ${errorMessage(error)}`, {
      cause: error,
      hints: ['Check that the Station home is writable, or point STATION_HOME elsewhere.'],
    });
  }
  try {
    db.pragma(`busy_timeout = ${String(options.busyTimeoutMs ?? 5000)}`);
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (options.readonly !== true) migrate(db, file, options.migrations ?? MIGRATIONS);
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

/** The highest migration version recorded in the database (0 for a new one). */
export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}

/** Applies pending migrations, each in its own transaction, and records them. */
export function migrate(db: Db, file: string, migrations: readonly Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
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
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    const apply = db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    });
    try {
      apply.immediate();
    } catch (error) {
      throw new DatabaseError(
        `migration ${String(migration.version)} (${migration.name}) failed on ${file}: ${errorMessage(error)}`,
        { cause: error, hints: ['The database was left as it was before this migration.'] },
      );
    }
    applied.push(migration.version);
  }
  return applied;
}
