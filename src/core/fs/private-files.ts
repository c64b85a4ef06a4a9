import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StationPaths } from '../config/home.js';

/** Mode of the Station home folder: only its owner may list or enter it. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of the files that may hold secrets: config.yaml, station.db (and -wal, -shm), variables.yml. */
export const PRIVATE_FILE_MODE = 0o600;

/** A file holding secrets that others may read or write, and the command that fixes it. */
export interface PrivacyWarning {
  file: string;
  /** Its permission bits (e.g. 0o644). */
  mode: number;
  /** The exact command to run: `chmod 600 <path>`. */
  fix: string;
}

/** Makes a folder (and missing parents) and sets it to 0700, whatever the umask. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates an empty file with mode 0600 if it does not exist yet (an existing file is left as it is). */
export function createPrivateFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  closeSync(fd);
  chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * Sets a file to 0600 if it exists (and this user owns it: another owner's file is left for the warning). A file
 * already 0600 is not touched: opening the engine (which calls this for the database's -wal and -shm) changes
 * nothing on disk, not even a ctime.
 */
export function makePrivateIfExists(file: string): void {
  try {
    if ((statSync(file).mode & 0o777) === PRIVATE_FILE_MODE) return;
    chmodSync(file, PRIVATE_FILE_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM') throw error;
  }
}

/**
 * The files of a Station home that hold secrets (config.yaml, station.db and its -wal and -shm, the key file, each
 * environment's variables.yml) and that group or others may read or write. Nothing is changed.
 */
export function privacyWarnings(paths: StationPaths): PrivacyWarning[] {
  const files = [paths.config, paths.database, `${paths.database}-wal`, `${paths.database}-shm`, paths.keyFile];
  if (existsSync(paths.environments)) {
    for (const entry of readdirSync(paths.environments, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) {
        files.push(join(paths.environments, entry.name, 'variables.yml'));
      }
    }
  }
  const warnings: PrivacyWarning[] = [];
  for (const file of files) {
    let mode: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) continue;
      mode = stat.mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) warnings.push({ file, mode, fix: `chmod 600 ${shellQuote(file)}` });
  }
  return warnings;
}

/** A path as a shell word (quoted only when it needs it), for commands printed as fixes. */
export function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
