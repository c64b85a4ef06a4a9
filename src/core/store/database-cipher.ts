/**
 * Encryption of station.db at rest (opt-in): SQLCipher 4 format (SQLite3MultipleCiphers' `sqlcipher` cipher
 * with `legacy=4`), keyed with the home's 32-byte key as a raw key (`PRAGMA key = "x'<64 hex>'"`), so the
 * file also opens with SQLCipher's own tools. Whether a file is encrypted is read from its first bytes: a
 * plain SQLite file starts with "SQLite format 3\0", an encrypted one with a random salt.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { sqliteConnection } from './sqlite-driver.js';
import { closeSync, copyFileSync, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { DatabaseError, errorMessage } from '../errors.js';
import { processesUsing } from '../fs/file-users.js';
import { PRIVATE_FILE_MODE } from '../fs/private-files.js';
import { chmodSync } from 'node:fs';
import { basename } from 'node:path';
import { describeKeySource, type EncryptionKey } from '../security/encryption-key.js';

const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Whether `file` holds an encrypted database: it exists, is not empty, and does not start with SQLite's header. */
export function isEncryptedDatabase(file: string): boolean {
  if (!existsSync(file) || statSync(file).size === 0) return false;
  const head = Buffer.alloc(PLAIN_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    const n = readSync(fd, head, 0, head.length, 0);
    return n < head.length || !head.equals(PLAIN_HEADER);
  } finally {
    closeSync(fd);
  }
}

/** The SQL text of a raw SQLCipher key. */
function rawKey(key: Buffer): string {
  return `"x'${key.toString('hex')}'"`;
}

/** Selects the SQLCipher 4 cipher on a connection (before key or rekey). */
function selectCipher(db: Database.Database): void {
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
}

/** Keys a freshly opened connection. Nothing is read or written until the first query. */
export function applyKey(db: Database.Database, key: Buffer): void {
  selectCipher(db);
  db.pragma(`key = ${rawKey(key)}`);
}

/** Whether the connection can read its database (a wrong key or a plain/encrypted mismatch gives SQLITE_NOTADB). */
export function canRead(db: Database.Database): boolean {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code === 'SQLITE_NOTADB') return false;
    throw error;
  }
}

/** How the key of a Station home is found: undefined when there is none (see readEncryptionKey). */
export type KeyLookup = () => EncryptionKey | undefined;

/** An encrypted database and no key: exit 7, nothing written. */
export function missingKeyError(file: string): DatabaseError {
  return new DatabaseError(
    `${file} is encrypted (it does not start as a plain SQLite file does) and there is no key: STATION_ENCRYPTION_KEY is not set and the home has no key file (keys/station.key)`,
    {
      code: 'database_key_missing',
      hints: [
        'Set STATION_ENCRYPTION_KEY to the key the database was encrypted with, or restore keys/station.key from a backup.',
        'Nothing was changed: without the key the database cannot be read.',
        'If this home was never encrypted, the file is damaged: restore it from a backup.',
      ],
      details: { file },
    },
  );
}

/** An encrypted database that the key does not open: exit 7, nothing written. */
export function wrongKeyError(file: string, key: EncryptionKey, pendingOpens = false): DatabaseError {
  const hints = [
    key.source.kind === 'env'
      ? `Set ${key.source.variable} to the key the database was encrypted with (or unset it to use the key file).`
      : `Restore the key file the database was encrypted with (a rotation keeps the old one as ${key.source.file}.<time>.bak), or set STATION_ENCRYPTION_KEY to it.`,
    'Nothing was changed: the database stays as it is until the right key is given.',
    `If this home was never encrypted, the file is damaged: restore it from a backup, or move ${basename(file)} (and its -wal and -shm files) aside; the next stn command makes an empty one and indexes the agent files again (run history and API keys stay in the old file).`,
  ];
  if (pendingOpens && key.source.kind === 'file') {
    hints.unshift(
      `A key rotation was interrupted after the database was re-keyed: finish it with: mv ${key.source.file}.new ${key.source.file}`,
    );
  }
  return new DatabaseError(
    `the key from ${describeKeySource(key.source)} does not open the encrypted database ${file}: file is not a database (a wrong key, or a damaged file)`,
    { code: 'database_key_wrong', hints, details: { file, source: key.source.kind } },
  );
}

export interface ChangeKeyOptions {
  /** The key the database is encrypted with now (undefined: plain). */
  from: Buffer | undefined;
  /** The key to encrypt it with (undefined: decrypt to a plain file). */
  to: Buffer | undefined;
  /** Set when the connection to change is already open (rotate-key): used instead of opening one. */
  db?: Database.Database;
}

/**
 * Encrypts, decrypts or re-keys a database file in place, refusing while another process has it open. The
 * write-ahead log is folded in and the journal switched to DELETE (so the re-key is one rollback-journal
 * transaction: a crash leaves the old file), a copy is kept beside it until the result is checked (opened with
 * the new key, quick_check ok), then the journal goes back to WAL. On any failure the copy is put back.
 */
export function changeDatabaseKey(file: string, options: ChangeKeyOptions): void {
  assertAlone(file);
  const owned = options.db === undefined;
  const db = options.db ?? sqliteConnection(file);
  const backup = `${file}.rekey-${String(process.pid)}.bak`;
  let copied = false;
  try {
    if (owned && options.from !== undefined) applyKey(db, options.from);
    db.pragma('busy_timeout = 0');
    db.pragma('wal_checkpoint(TRUNCATE)');
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') {
      throw new DatabaseError(`${file} is in use by another connection: cannot leave WAL mode to change its key`, {
        code: 'database_locked',
        hints: ['Stop every other stn using this home, then run the command again. Nothing was changed.'],
      });
    }
    copyFileSync(file, backup);
    chmodSync(backup, PRIVATE_FILE_MODE);
    copied = true;
    if (options.to !== undefined) {
      if (options.from === undefined) selectCipher(db);
      db.pragma(`rekey = ${rawKey(options.to)}`);
    } else {
      db.pragma("rekey = ''");
    }
    db.pragma('journal_mode = WAL');
    if (owned) db.close();
    verify(file, options.to);
    rmSync(backup, { force: true });
  } catch (error) {
    if (owned && db.open) db.close();
    if (copied) {
      // The connection of rotate-key stays open on the old file's inode: the caller closes it on this error.
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
      renameSync(backup, file);
    }
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`cannot change the encryption of ${file}: ${errorMessage(error)}`, {
      cause: error,
      hints: [copied ? 'The database was put back as it was.' : 'Nothing was changed.'],
    });
  }
}

/** Opens the changed file as a new connection would and checks every page reads. */
function verify(file: string, key: Buffer | undefined): void {
  if (isEncryptedDatabase(file) !== (key !== undefined)) {
    throw new Error(`after the change the file is ${key === undefined ? 'still encrypted' : 'not encrypted'}`);
  }
  const check = sqliteConnection(file, { readonly: true });
  try {
    if (key !== undefined) applyKey(check, key);
    const result = check.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new Error(`quick_check after the change: ${String(result)}`);
  } finally {
    check.close();
  }
}

/** Refuses (exit 7, nothing changed) while another process has the database open. */
export function assertAlone(file: string): void {
  const others = processesUsing([file, `${file}-wal`, `${file}-shm`]).filter((u) => u.pid !== process.pid);
  if (others.length === 0) return;
  throw new DatabaseError(
    `other processes have ${file} open: ${others.map((u) => `${String(u.pid)} (${u.name})`).join(', ')}`,
    {
      code: 'database_locked',
      hints: [
        'Stop every other stn using this home (stn serve, stn ui, running agents), then run the command again.',
        'Nothing was changed.',
      ],
      details: { file },
    },
  );
}
