/**
 * `stn restore FILE`: a backup made by `stn backup` put back as a Station home.
 *
 * Everything is checked before anything of the home is touched: the archive is unpacked into a staging folder
 * inside the home (its paths checked as a bundle's are: nothing is written outside it), the manifest read, a
 * backup from a newer schema refused, every file's sha256 compared with the manifest. A SQLite backup's
 * database is then checked in staging (`PRAGMA integrity_check`, opened with the home's key when encrypted,
 * the secrets' key check matched), migrated to this stn's schema, and the runs the backup caught queued or
 * running are marked `interrupted` (they cannot be running here). A PostgreSQL backup is loaded into the
 * empty store that the restored config.yaml or STATION_DATABASE_URL names, in one transaction (pg-restore.ts).
 * Only then is the home changed: into an empty home (one holding at most keys/, logs/ and run/) the files are
 * moved; over a home with a store or environments (only with `force`) the current config.yaml, station.db,
 * environments, bundle-trust.json and cache are first moved to `<home>/restore-aside/<time>/` (inside the
 * home: same file system, so every move is a rename, also when the home is a mounted volume). keys/ is never
 * touched: the key is not in the archive and stays where it is.
 */
import { sqliteConnection } from '../store/sqlite-driver.js';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stationPaths, type StationPaths } from '../config/home.js';
import { extractArchive } from '../bundles/safe-extract.js';
import { ConfigError, ConflictError, DatabaseError, NotFoundError } from '../errors.js';
import { makePrivateDir } from '../fs/private-files.js';
import { keyMatches, readEncryptionKey, type EncryptionKey } from '../security/encryption-key.js';
import { applyKey, assertAlone, canRead, isEncryptedDatabase } from '../store/database-cipher.js';
import { latestSchemaVersion, openDatabase, schemaVersion } from '../store/database.js';
import { DATABASE_URL_ENV, postgresUrl } from '../store/open-store.js';
import type { StoreDb } from '../store/store-db.js';
import { readStationConfigFile } from '../config/station-config.js';
import { restorePostgres } from './pg-restore.js';
import { RunRepo } from '../store/run-repo.js';
import { SecretRepo } from '../store/secret-repo.js';
import { BACKUP_LAYOUT, BACKUP_LIMITS, ENVIRONMENTS_DIR, HOME_FILES } from './backup-layout.js';
import { BackupArchiveError, DATABASE_ENTRY, readManifest, verifyFiles, type BackupManifest } from './manifest.js';

export interface RestoreOptions {
  /** The Station home to restore into (made when missing). */
  home: string;
  env: NodeJS.ProcessEnv;
  /** Restore over a home that has a store or environments (they are kept in restore-aside/). */
  force?: boolean;
  onProgress?: (step: string) => void;
  now?: () => Date;
}

export interface RestoreResult {
  home: string;
  file: string;
  engine: 'sqlite' | 'postgres';
  /** The backup's schema version, and the one the restored store has now (migrated when older). */
  schemaVersion: number;
  restoredSchemaVersion: number;
  stationVersion: string;
  /** When the backup was taken. */
  createdAt: string;
  files: number;
  /** Runs the backup caught queued or running, now marked interrupted. */
  interrupted: number[];
  /** Where the home's previous state was moved (restore over an existing home), or null. */
  aside: string | null;
}

/** The folder, inside the home, where a restore with --force keeps what it replaced. */
export const RESTORE_ASIDE_DIR = 'restore-aside';

/** What of a home a restore replaces (and keeps aside); keys/, logs/, run/ and restore-aside/ are left as they are. */
const REPLACED = [
  'config.yaml',
  'station.db',
  'station.db-wal',
  'station.db-shm',
  'bundle-trust.json',
  ENVIRONMENTS_DIR,
  'cache',
] as const;

export async function restoreBackup(file: string, options: RestoreOptions): Promise<RestoreResult> {
  const archive = resolve(file);
  const progress = options.onProgress ?? ((): void => undefined);
  if (!existsSync(archive)) {
    throw new NotFoundError(`backup ${archive} does not exist`, {
      hints: ['Give the path of a file made by: stn backup FILE'],
    });
  }
  const paths = stationPaths(resolve(options.home));
  const occupied = REPLACED.filter((name) => existsSync(join(paths.home, name)));
  const hasState = occupied.some((name) => name !== 'cache');
  if (hasState && options.force !== true) {
    throw new ConflictError(`${paths.home} is not empty: it has ${occupied.join(', ')}`, {
      hints: [
        `Restore into another home: stn restore ${file} --home /path/to/new/home`,
        `Or replace this one with --force (its current state is kept in ${join(paths.home, RESTORE_ASIDE_DIR)}/<time>/).`,
      ],
      details: { home: paths.home },
    });
  }
  if (hasState && existsSync(paths.database)) assertAlone(paths.database);
  // A home made here and left empty by a refused restore is removed again: a refusal changes nothing.
  const madeHome = !existsSync(paths.home);
  makePrivateDir(paths.home);
  const staging = join(paths.home, `.restore-staging-${randomBytes(6).toString('hex')}`);
  let restored = false;
  try {
    progress('unpacking and checking the archive');
    const { files } = await extractArchive(archive, staging, BACKUP_LIMITS, BACKUP_LAYOUT);
    const manifest = readManifest(staging, archive);
    refuseNewerSchema(manifest, archive);
    await verifyFiles(staging, files, manifest, archive);
    progress('checking the store');
    const key = readEncryptionKey(paths, options.env);
    const url = targetUrl(staging, options.env, manifest, archive);
    const { interrupted, schemaVersion } =
      url === undefined
        ? prepareDatabase(join(staging, DATABASE_ENTRY), paths, key, manifest, archive)
        : loadPostgres(url, staging, paths, key, manifest, archive);
    progress('replacing the home');
    // Without state, the home holds at most a cache (rebuilt from the files at any time).
    const aside = hasState ? moveAside(paths, occupied, options.now?.() ?? new Date()) : null;
    if (!hasState) rmSync(paths.cache, { recursive: true, force: true });
    for (const name of [DATABASE_ENTRY, ...HOME_FILES, ENVIRONMENTS_DIR]) {
      if (existsSync(join(staging, name))) renameSync(join(staging, name), join(paths.home, name));
    }
    restored = true;
    return {
      home: paths.home,
      file: archive,
      engine: manifest.engine,
      schemaVersion: manifest.schemaVersion,
      restoredSchemaVersion: schemaVersion,
      stationVersion: manifest.stationVersion,
      createdAt: manifest.createdAt,
      files: manifest.files.length,
      interrupted,
      aside,
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (madeHome && !restored) rmSync(paths.home, { recursive: true, force: true });
  }
}

function refuseNewerSchema(manifest: BackupManifest, archive: string): void {
  const known = latestSchemaVersion();
  if (manifest.schemaVersion <= known) return;
  throw new DatabaseError(
    `${archive} was made by a newer Station (${manifest.stationVersion}, schema version ${String(manifest.schemaVersion)}); this stn knows schema versions up to ${String(known)}`,
    {
      code: 'backup_newer_schema',
      hints: ['Nothing was changed. Upgrade stn to the version that made the backup (or newer), then restore it.'],
      details: { schemaVersion: manifest.schemaVersion, supportedVersion: known },
    },
  );
}

/**
 * Checks the staged database (opens with the key, integrity_check, the secrets' key check), migrates it and
 * marks the runs it caught unfinished as interrupted. Throws, changing nothing of the home, when it fails.
 */
function prepareDatabase(
  file: string,
  paths: StationPaths,
  key: EncryptionKey | undefined,
  manifest: BackupManifest,
  archive: string,
): { interrupted: number[]; schemaVersion: number } {
  const encrypted = isEncryptedDatabase(file);
  if (encrypted && key === undefined) throw keyNeeded(archive, paths, 'its database is encrypted');
  const raw = sqliteConnection(file);
  try {
    if (encrypted && key !== undefined) {
      applyKey(raw, key.key);
      if (!canRead(raw)) throw wrongKey(archive, key, 'does not open its encrypted database');
    }
    const check = raw.pragma('integrity_check', { simple: true });
    if (check !== 'ok') {
      throw new BackupArchiveError(`${archive}: its database fails the integrity check: ${String(check)}`, {
        code: 'backup_integrity',
      });
    }
  } finally {
    raw.close();
  }
  const db = openDatabase(file, { key: () => key });
  try {
    checkSecretsKey(db, key, paths, archive);
    return { interrupted: markInterrupted(db, manifest), schemaVersion: schemaVersion(db) };
  } finally {
    db.close();
  }
}

/** A PostgreSQL backup loaded into the (empty) store the restored config.yaml or STATION_DATABASE_URL names. */
function loadPostgres(
  url: string,
  staging: string,
  paths: StationPaths,
  key: EncryptionKey | undefined,
  manifest: BackupManifest,
  archive: string,
): { interrupted: number[]; schemaVersion: number } {
  const db = restorePostgres({
    url,
    folder: staging,
    manifest,
    archive,
    checkKey: (loaded) => checkSecretsKey(loaded, key, paths, archive),
  });
  try {
    return { interrupted: markInterrupted(db, manifest), schemaVersion: schemaVersion(db) };
  } finally {
    db.close();
  }
}

/** The secrets of the restored store must open with the key this home has. */
function checkSecretsKey(db: StoreDb, key: EncryptionKey | undefined, paths: StationPaths, archive: string): void {
  const check = new SecretRepo(db).keyCheck();
  if (check === undefined) return;
  if (key === undefined) throw keyNeeded(archive, paths, 'its secrets are encrypted with a key');
  if (!keyMatches(key.key, check)) throw wrongKey(archive, key, 'is not the key its secrets are encrypted with');
}

/** Runs the backup caught queued or running cannot be going on in the restored home: marked interrupted. */
function markInterrupted(db: StoreDb, manifest: BackupManifest): number[] {
  const message = `the backup (${manifest.createdAt}) was taken while the run was going on; it cannot go on in the restored home`;
  return new RunRepo(db).finishOrphans(() => true, {
    status: 'interrupted',
    stopReason: 'interrupted',
    error: () => ({ code: 'interrupted', message }),
  });
}

/**
 * The PostgreSQL store to restore into (a PostgreSQL backup), or undefined (a SQLite backup: station.db). The
 * restored config.yaml and STATION_DATABASE_URL decide, as they will for every command on the home.
 */
function targetUrl(
  staging: string,
  env: NodeJS.ProcessEnv,
  manifest: BackupManifest,
  archive: string,
): string | undefined {
  const { config } = readStationConfigFile(join(staging, 'config.yaml'));
  const url = postgresUrl(config, env);
  if (manifest.engine === 'sqlite' && url !== undefined) {
    throw new ConfigError(
      `${archive} is a backup of a SQLite home, but ${DATABASE_URL_ENV} points this home at PostgreSQL`,
      {
        hints: [`Nothing was changed. Unset ${DATABASE_URL_ENV} to restore station.db, then run the command again.`],
      },
    );
  }
  if (manifest.engine === 'postgres' && url === undefined) {
    throw new ConfigError(`${archive} is a backup of a PostgreSQL store, and its config.yaml names no PostgreSQL URL`, {
      hints: [`Nothing was changed. Set ${DATABASE_URL_ENV} to the empty PostgreSQL database to restore into.`],
    });
  }
  return url;
}

function keyNeeded(archive: string, paths: StationPaths, why: string): DatabaseError {
  return new DatabaseError(`${archive} needs the key of the home it was made from: ${why}, and there is no key here`, {
    code: 'database_key_missing',
    hints: [
      `Put the home's key file at ${paths.keyFile} (mode 0600), or set STATION_ENCRYPTION_KEY, then restore again.`,
      'Backups never hold the key: keep it apart from them (see the README, "Backup and restore"). Nothing was changed.',
    ],
  });
}

function wrongKey(archive: string, key: EncryptionKey, what: string): DatabaseError {
  const where = key.source.kind === 'env' ? key.source.variable : key.source.file;
  return new DatabaseError(`the key from ${where} ${what} (${archive})`, {
    code: 'database_key_wrong',
    hints: [
      'Give the key of the home the backup was made from (keys/station.key or STATION_ENCRYPTION_KEY), then restore again.',
      'Nothing was changed.',
    ],
  });
}

/** Moves what the restore replaces to restore-aside/<time>/; returns that folder. */
function moveAside(paths: StationPaths, present: readonly string[], now: Date): string {
  const aside = join(paths.home, RESTORE_ASIDE_DIR, now.toISOString().replaceAll(':', '-'));
  mkdirSync(aside, { recursive: true, mode: 0o700 });
  for (const name of present) renameSync(join(paths.home, name), join(aside, name));
  return aside;
}
