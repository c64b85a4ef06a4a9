/**
 * The manifest of a Station backup (`manifest.json`, the archive's first entry): what made it (Station's
 * version, the schema version of its store), when, from which engine, and the size and sha256 of every other
 * file of the archive, so that a restore can tell a damaged or altered archive before it replaces anything.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StationError, ExitCode } from '../errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 'station-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** The SQLite database's name inside the archive. */
export const DATABASE_ENTRY = 'station.db';
/** The folder of a PostgreSQL store's tables inside the archive (one `<table>.jsonl` each). */
export const TABLES_DIR = 'store';

export interface ManifestFile {
  /** Relative to the archive's root, with `/`. */
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  stationVersion: string;
  /** The highest migration applied to the store that was backed up. */
  schemaVersion: number;
  /** When the copy of the store was taken (ISO 8601). */
  createdAt: string;
  engine: 'sqlite' | 'postgres';
  /** Whether station.db is encrypted (SQLCipher 4, with the home's key, which is never in the archive). */
  encrypted: boolean;
  /** Rows per table of the store when it was copied. */
  tables: Record<string, number>;
  files: ManifestFile[];
}

/** A backup archive that is damaged, altered or not a Station backup (exit 5): nothing was changed. */
export class BackupArchiveError extends StationError {
  constructor(message: string, options: { code?: string; entry?: string; hints?: string[] } = {}) {
    super(options.code ?? 'backup_invalid', message, ExitCode.INVALID, {
      ...(options.entry === undefined ? {} : { details: { entry: options.entry } }),
      hints: options.hints ?? ['Nothing was changed. Use another backup, or make a new one with: stn backup FILE'],
    });
  }
}

/** The sha256 (hex) of a file, read as a stream. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/** Reads and checks the shape of `manifest.json` in an unpacked backup. */
export function readManifest(folder: string, archive: string): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(folder, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    throw new BackupArchiveError(
      `${archive} has no readable ${MANIFEST_FILE}: ${(error as Error).message}; it is not a Station backup, or it is damaged`,
    );
  }
  const bad = (field: string, expected: string): BackupArchiveError =>
    new BackupArchiveError(`${archive}: ${MANIFEST_FILE} field "${field}" must be ${expected}`);
  if (typeof raw !== 'object' || raw === null) throw bad('(root)', 'an object');
  const m = raw as Record<string, unknown>;
  if (m.format !== BACKUP_FORMAT) throw bad('format', `"${BACKUP_FORMAT}" (this is not a Station backup)`);
  if (typeof m.formatVersion !== 'number' || !Number.isInteger(m.formatVersion))
    throw bad('formatVersion', 'an integer');
  if (m.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new BackupArchiveError(
      `${archive} is a backup of format ${String(m.formatVersion)}; this stn reads up to format ${String(BACKUP_FORMAT_VERSION)}`,
      {
        code: 'backup_newer',
        hints: ['Nothing was changed. Restore it with the Station version that made it, or a newer one.'],
      },
    );
  }
  if (typeof m.stationVersion !== 'string') throw bad('stationVersion', 'a string');
  if (typeof m.schemaVersion !== 'number' || !Number.isInteger(m.schemaVersion) || m.schemaVersion < 0) {
    throw bad('schemaVersion', 'a whole number');
  }
  if (typeof m.createdAt !== 'string') throw bad('createdAt', 'an ISO 8601 time');
  if (m.engine !== 'sqlite' && m.engine !== 'postgres') throw bad('engine', '"sqlite" or "postgres"');
  if (typeof m.encrypted !== 'boolean') throw bad('encrypted', 'true or false');
  if (typeof m.tables !== 'object' || m.tables === null) throw bad('tables', 'an object of row counts');
  if (!Array.isArray(m.files)) throw bad('files', 'a list');
  for (const [i, f] of (m.files as unknown[]).entries()) {
    const file = f as Partial<ManifestFile> | null;
    if (
      file === null ||
      typeof file.path !== 'string' ||
      typeof file.size !== 'number' ||
      typeof file.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(file.sha256)
    ) {
      throw bad(`files[${String(i)}]`, 'an object with path, size and sha256 (64 hex digits)');
    }
  }
  return m as unknown as BackupManifest;
}

/**
 * Checks the unpacked files against the manifest: the same set of files (none missing, none added), each of
 * the size and sha256 recorded. Throws a BackupArchiveError naming the first file that differs.
 */
export async function verifyFiles(
  folder: string,
  unpacked: readonly string[],
  manifest: BackupManifest,
  archive: string,
): Promise<void> {
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  for (const path of unpacked) {
    if (path !== MANIFEST_FILE && !listed.has(path)) {
      throw new BackupArchiveError(
        `${archive} holds ${path}, which its manifest does not list: the archive was altered`,
        {
          code: 'backup_checksum',
          entry: path,
        },
      );
    }
  }
  const present = new Set(unpacked);
  for (const file of manifest.files) {
    if (!present.has(file.path)) {
      throw new BackupArchiveError(
        `${archive} lacks ${file.path}, which its manifest lists: the archive is incomplete`,
        {
          code: 'backup_checksum',
          entry: file.path,
        },
      );
    }
    const sha256 = await sha256File(join(folder, file.path));
    if (sha256 !== file.sha256) {
      throw new BackupArchiveError(
        `${archive}: the checksum of ${file.path} does not match its manifest (sha256 ${sha256}, expected ${file.sha256}): the archive is damaged or was altered`,
        { code: 'backup_checksum', entry: file.path },
      );
    }
  }
}
