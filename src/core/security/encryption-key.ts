/**
 * The key material of a Station home: one 32-byte key, from STATION_ENCRYPTION_KEY (base64 or hex: for
 * containers, Kubernetes secrets, Vault agents) or else the key file `keys/station.key` (base64, mode 0600 in
 * a 0700 folder, made by `stn init`). Everything Station encrypts at rest uses this key: the secret store
 * today, the database later. The key is never written into the database; only its check value is (an
 * HMAC of a fixed text), so that a wrong key is told apart from damaged data before anything is written.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StationPaths } from '../config/home.js';
import { ExitCode, StationError, errorMessage, type StationErrorOptions } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { makePrivateDir, PRIVATE_FILE_MODE, shellQuote } from '../fs/private-files.js';

export const KEY_BYTES = 32;
export const KEY_ENV = 'STATION_ENCRYPTION_KEY';
/** The new key of a rotation when the key lives in STATION_ENCRYPTION_KEY (Station cannot replace it there). */
export const NEW_KEY_ENV = 'STATION_NEW_ENCRYPTION_KEY';

/** Where a key came from: the environment variable, or the key file of the home. */
export type KeySource = { kind: 'env'; variable: string } | { kind: 'file'; file: string };

export interface EncryptionKey {
  readonly key: Buffer;
  readonly source: KeySource;
}

/**
 * The key cannot be used. `encryption_key_missing` and `encryption_key_invalid` (a key that is not 32 bytes of
 * base64 or hex) are configuration errors, exit 6; `encryption_key_wrong` (a key that does not open what is
 * stored) is exit 7, like a database that cannot be read. Nothing is written when one is thrown.
 */
export class EncryptionKeyError extends StationError {
  constructor(
    code: 'encryption_key_missing' | 'encryption_key_invalid' | 'encryption_key_wrong',
    message: string,
    options: StationErrorOptions = {},
  ) {
    super(code, message, code === 'encryption_key_wrong' ? ExitCode.DATABASE : ExitCode.CONFIG, options);
  }
}

/** How a key source is named in messages (never the key). */
export function describeKeySource(source: KeySource): string {
  return source.kind === 'env' ? `the ${source.variable} environment variable` : `the key file ${source.file}`;
}

/** 32 random bytes from the operating system's CSPRNG. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** The text form of a key (key file, STATION_ENCRYPTION_KEY): base64. */
export function encodeKey(key: Buffer): string {
  return key.toString('base64');
}

/**
 * A key written as base64 (standard or URL-safe, padded or not) or hex, surrounding spaces ignored; exactly 32
 * bytes, else an `encryption_key_invalid` error naming the source (never the text).
 */
export function parseKey(text: string, source: KeySource): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    const decoded = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (decoded.length === KEY_BYTES) key = decoded;
  }
  if (key === undefined) {
    throw new EncryptionKeyError(
      'encryption_key_invalid',
      `${describeKeySource(source)} does not hold a valid key: expected exactly ${String(KEY_BYTES)} bytes, written as base64 (44 characters) or hex (64 characters)`,
      {
        hints: [
          'Make a key with: openssl rand -base64 32',
          source.kind === 'env'
            ? `Set ${source.variable} to the key the secrets were stored with.`
            : `Restore the key file from a backup (keys/station.key.*.bak holds keys replaced by rotate-key).`,
        ],
        details: { source: source.kind, ...(source.kind === 'file' ? { file: source.file } : {}) },
      },
    );
  }
  return key;
}

/**
 * The key of a home: STATION_ENCRYPTION_KEY when set (non-empty), else the key file; undefined when there is
 * neither. A key that does not parse throws (exit 6).
 */
export function readEncryptionKey(paths: StationPaths, env: NodeJS.ProcessEnv): EncryptionKey | undefined {
  const fromEnv = env[KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const source: KeySource = { kind: 'env', variable: KEY_ENV };
    return { key: parseKey(fromEnv, source), source };
  }
  if (!existsSync(paths.keyFile)) return undefined;
  const source: KeySource = { kind: 'file', file: paths.keyFile };
  let text: string;
  try {
    text = readFileSync(paths.keyFile, 'utf8');
  } catch (error) {
    throw new EncryptionKeyError(
      'encryption_key_missing',
      `cannot read the key file ${paths.keyFile}: ${errorMessage(error)}`,
      {
        cause: error,
        hints: [`Check its owner and mode (it should be 0600): ls -l ${shellQuote(paths.keyFile)}`],
      },
    );
  }
  return { key: parseKey(text, source), source };
}

/** The key of a home, or an `encryption_key_missing` error (exit 6) saying where Station looked. */
export function requireEncryptionKey(paths: StationPaths, env: NodeJS.ProcessEnv): EncryptionKey {
  const key = readEncryptionKey(paths, env);
  if (key !== undefined) return key;
  throw new EncryptionKeyError(
    'encryption_key_missing',
    `no encryption key: ${KEY_ENV} is not set and there is no key file ${paths.keyFile}`,
    {
      hints: [
        `Set ${KEY_ENV} to the key the secrets were stored with, or restore the key file from a backup.`,
        'Without the key the stored secrets cannot be read; Station changes nothing until it has it.',
      ],
      details: { file: paths.keyFile },
    },
  );
}

/**
 * Makes the key file with a new random key (mode 0600, its folder 0700, written atomically) unless it exists.
 * Returns whether it made it.
 */
export function ensureKeyFile(paths: StationPaths): boolean {
  if (existsSync(paths.keyFile)) return false;
  makePrivateDir(dirname(paths.keyFile));
  writeFileAtomic(paths.keyFile, `${encodeKey(generateKey())}\n`, { mode: PRIVATE_FILE_MODE });
  return true;
}

/** A check value of a key (HMAC-SHA256 of a fixed text): stored beside what the key encrypts, it tells a wrong key. */
export function keyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('station encryption key check v1').digest('hex');
}

/** Whether `check` (from keyCheck) belongs to `key`, compared in constant time. */
export function keyMatches(key: Buffer, check: string): boolean {
  const mine = Buffer.from(keyCheck(key), 'hex');
  const theirs = Buffer.from(check, 'hex');
  return mine.length === theirs.length && timingSafeEqual(mine, theirs);
}

/** The key file a rotation writes first (the new key), renamed over the key file once the data is re-encrypted. */
export function pendingKeyFile(paths: StationPaths): string {
  return `${paths.keyFile}.new`;
}

/** Where rotation keeps the replaced key file: `station.key.<ISO time>.bak` beside it. */
export function backupKeyFile(paths: StationPaths, now: Date): string {
  return `${paths.keyFile}.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
}

/**
 * Rotation, step 1: writes the new key to `station.key.new` and copies the current key file to a dated
 * backup (both 0600, atomic). Nothing encrypted has changed yet.
 */
export function stageKeyFile(paths: StationPaths, newKey: Buffer, now: Date): { pending: string; backup: string } {
  makePrivateDir(dirname(paths.keyFile));
  const pending = pendingKeyFile(paths);
  const backup = backupKeyFile(paths, now);
  writeFileAtomic(pending, `${encodeKey(newKey)}\n`, { mode: PRIVATE_FILE_MODE });
  writeFileAtomic(backup, readFileSync(paths.keyFile), { mode: PRIVATE_FILE_MODE });
  return { pending, backup };
}

/** Rotation, last step (after the data was re-encrypted under the new key): the new key file replaces the old one. */
export function commitKeyFile(paths: StationPaths): void {
  renameSync(pendingKeyFile(paths), paths.keyFile);
}

/** Rotation that failed before the data changed: the staged files are removed, the old key stays. */
export function abandonKeyFile(paths: StationPaths, backup: string): void {
  rmSync(pendingKeyFile(paths), { force: true });
  rmSync(backup, { force: true });
}
