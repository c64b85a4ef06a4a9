/**
 * `stn db encrypt|decrypt`: station.db encrypted at rest with the home's key (see store/database-cipher.ts), or
 * back to a plain file. Run with no other Station process on the home; no engine is opened (it would hold a
 * connection). Re-keying goes with the secrets: SecretService.rotateKey.
 */
import { existsSync } from 'node:fs';
import type { StationPaths } from '../config/home.js';
import { ConfigError, ConflictError } from '../errors.js';
import { changeDatabaseKey, isEncryptedDatabase } from '../store/database-cipher.js';
import { openDatabase } from '../store/database.js';
import { SecretRepo } from '../store/secret-repo.js';
import {
  describeKeySource,
  EncryptionKeyError,
  ensureKeyFile,
  keyMatches,
  readEncryptionKey,
  requireEncryptionKey,
  type EncryptionKey,
} from './encryption-key.js';

/** The result of `stn db encrypt|decrypt` and the database part of `stn doctor` (a stable --json shape). */
export interface DatabaseEncryptionResult {
  file: string;
  /** Whether the file is encrypted now. */
  encrypted: boolean;
  /** Where the key came from: `env` (STATION_ENCRYPTION_KEY) or `file` (keys/station.key). */
  keySource: 'env' | 'file';
  /** The key file made for this (a home made before keys existed), if one was. */
  keyFileCreated?: string;
}

/** Encrypts the plain station.db of a home with its key (made first when the home has none). */
export function encryptDatabase(paths: StationPaths, env: NodeJS.ProcessEnv): DatabaseEncryptionResult {
  const file = requireDatabase(paths);
  if (isEncryptedDatabase(file)) {
    throw new ConflictError(`${file} is already encrypted`, {
      hints: ['To change the key: stn db rekey (or stn secret rotate-key).'],
    });
  }
  const made = readEncryptionKey(paths, env) === undefined ? ensureKeyFile(paths) : false;
  const key = requireEncryptionKey(paths, env);
  checkAgainstSecrets(paths, env, key);
  changeDatabaseKey(file, { from: undefined, to: key.key });
  return {
    file,
    encrypted: true,
    keySource: key.source.kind,
    ...(made ? { keyFileCreated: paths.keyFile } : {}),
  };
}

/** Turns an encrypted station.db back into a plain SQLite file. */
export function decryptDatabase(paths: StationPaths, env: NodeJS.ProcessEnv): DatabaseEncryptionResult {
  const file = requireDatabase(paths);
  if (!isEncryptedDatabase(file)) {
    throw new ConflictError(`${file} is not encrypted`, { hints: ['Nothing to do.'] });
  }
  const key = requireEncryptionKey(paths, env);
  // Opening checks the key (a wrong one is exit 7 before anything changes).
  openDatabase(file, { readonly: true, key: () => key }).close();
  changeDatabaseKey(file, { from: key.key, to: undefined });
  return { file, encrypted: false, keySource: key.source.kind };
}

/** Whether station.db is encrypted (doctor, --json). */
export function databaseEncrypted(paths: StationPaths): boolean {
  return isEncryptedDatabase(paths.database);
}

function requireDatabase(paths: StationPaths): string {
  if (!existsSync(paths.database)) {
    throw new ConfigError(`Station is not initialized at ${paths.home}: there is no ${paths.database}`, {
      hints: ['Make a home with an encrypted database: stn init --encrypt-db'],
    });
  }
  return paths.database;
}

/** The database is encrypted with the key the secrets are stored under, never with another one. */
function checkAgainstSecrets(paths: StationPaths, env: NodeJS.ProcessEnv, key: EncryptionKey): void {
  const db = openDatabase(paths.database, { readonly: true, key: () => readEncryptionKey(paths, env) });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'").get();
    const check = table === undefined ? undefined : new SecretRepo(db).keyCheck();
    if (check !== undefined && !keyMatches(key.key, check)) {
      throw new EncryptionKeyError(
        'encryption_key_wrong',
        `the key from ${describeKeySource(key.source)} is not the key the secrets were stored with: the database is not encrypted with it`,
        { hints: ['Give the key the secrets were stored with, then run the command again. Nothing was changed.'] },
      );
    }
  } finally {
    db.close();
  }
}
