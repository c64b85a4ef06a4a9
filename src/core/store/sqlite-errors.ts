/**
 * SQLite failures that are not bugs (another process holds the lock, a damaged file, a full or failing
 * disk) become DatabaseErrors (exit 7) that say what happened and what to do. Any other SQLite error
 * (bad SQL, a constraint) is a bug and is left as it is.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { basename } from 'node:path';
import { DatabaseError } from '../errors.js';
import { processesUsing } from '../fs/file-users.js';

export type DatabaseFault = 'locked' | 'corrupt' | 'full' | 'readonly' | 'io';

/** Result code families (extended codes such as SQLITE_BUSY_SNAPSHOT belong to SQLITE_BUSY). */
const FAULTS: readonly [string, DatabaseFault][] = [
  ['SQLITE_BUSY', 'locked'],
  ['SQLITE_LOCKED', 'locked'],
  ['SQLITE_PROTOCOL', 'locked'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_FULL', 'full'],
  ['SQLITE_READONLY', 'readonly'],
  ['SQLITE_PERM', 'readonly'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'io'],
];

/** The code a DatabaseError of each fault carries (stable, in --json output and API error bodies). */
export const DATABASE_ERROR_CODES: Record<DatabaseFault, string> = {
  locked: 'database_locked',
  corrupt: 'database_corrupt',
  full: 'database_full',
  readonly: 'database_readonly',
  io: 'database_io',
};

/** Which fault a thrown SQLite error is, if it is one of those above. */
export function faultOf(error: unknown): DatabaseFault | undefined {
  if (!(error instanceof Database.SqliteError)) return undefined;
  const code = error.code;
  return FAULTS.find(([family]) => code === family || code.startsWith(`${family}_`))?.[1];
}

/** Is this the error of a database locked by another process (as raised by a guarded database)? */
export function isDatabaseLocked(error: unknown): error is DatabaseError {
  return error instanceof DatabaseError && error.code === DATABASE_ERROR_CODES.locked;
}

export interface DatabaseContext {
  file: string;
  /** The busy timeout the connection waited before giving up (for the message). */
  busyTimeoutMs: number;
}

/** `error` as a DatabaseError when it is a lock, corruption or disk failure; else `error` itself. */
export function databaseErrorOf(error: unknown, context: DatabaseContext): unknown {
  const fault = faultOf(error);
  if (fault === undefined) return error;
  const { file } = context;
  const sqlite = error as InstanceType<typeof Database.SqliteError>;
  const options = {
    code: DATABASE_ERROR_CODES[fault],
    cause: error,
    details: { file, sqliteCode: sqlite.code },
  };
  switch (fault) {
    case 'locked':
      return new DatabaseError(
        `the database is locked by another process: ${file} stayed locked for longer than stn waits`,
        { ...options, hints: lockedHints(context) },
      );
    case 'corrupt':
      return new DatabaseError(`the database ${file} is damaged: ${sqlite.message}`, {
        ...options,
        hints: [
          `Stop every stn that uses this home, then check the file: sqlite3 ${file} "PRAGMA integrity_check"`,
          `Recover what can be read: sqlite3 ${file} .recover | sqlite3 ${file}.recovered, then move ${basename(file)}.recovered into place as ${basename(file)}.`,
          `Or start a new database: move ${basename(file)} (and its -wal and -shm files) aside; the next stn command makes an empty one and indexes the agent files again (run \`stn sync\` to record the tools). Run history and API keys stay in the old file.`,
        ],
      });
    case 'full':
      return new DatabaseError(`the disk holding ${file} is full: ${sqlite.message}`, {
        ...options,
        hints: ['Free some space on that disk, then run the command again. Nothing was written by the failed command.'],
      });
    case 'readonly':
      return new DatabaseError(`${file} cannot be written: ${sqlite.message}`, {
        ...options,
        hints: [
          `Check that the user running stn owns ${file} and its folder and may write them (ls -l), and that the disk is not mounted read-only.`,
        ],
      });
    case 'io':
      return new DatabaseError(`disk I/O error on ${file}: ${sqlite.message}`, {
        ...options,
        hints: [
          'Check the disk and the file system (free space, dmesg). The Station home must be on a local disk: SQLite in WAL mode does not work over NFS or SMB.',
        ],
      });
  }
}

function lockedHints({ file, busyTimeoutMs }: DatabaseContext): string[] {
  const users = processesUsing([file, `${file}-wal`, `${file}-shm`]);
  return [
    users.length > 0
      ? `Processes that have it open (one of them holds the lock): ${users.map((u) => `${String(u.pid)} (${u.name})`).join(', ')}.`
      : `See which process has it open: lsof ${file} (or fuser ${file}).`,
    'Run the command again when that process is done (another stn writing, a sqlite3 shell or a backup inside a transaction), or end it.',
    `To wait longer, raise database.busy_timeout_ms in config.yaml (now ${String(busyTimeoutMs)}).`,
  ];
}
