/**
 * `stn backup FILE`: an online, consistent copy of a Station home in one .tar.gz, taken while runs go on.
 *
 * The store is copied first: a SQLite file with SQLite's online backup API (a plain file), or with
 * `VACUUM INTO` when it is encrypted (the backup API refuses to copy an encrypted database into an unkeyed
 * file; VACUUM INTO writes the copy encrypted with the same key); either reads one snapshot while other
 * connections keep writing. The copy is checked (`PRAGMA integrity_check`). A PostgreSQL store is dumped
 * table by table as JSON lines from one REPEATABLE READ snapshot (pg-dump.ts). Then config.yaml,
 * bundle-trust.json and the environments folder are copied beside it, every file is hashed into
 * manifest.json, and the archive is written to a temporary file renamed over FILE (mode 0600).
 * The home's key (keys/station.key, STATION_ENCRYPTION_KEY) is never copied: secrets stay encrypted with it.
 */
import { sqliteConnection } from '../store/sqlite-driver.js';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { StationPaths } from '../config/home.js';
import { ConflictError, DatabaseError, errorMessage, isStationError } from '../errors.js';
import { isSecretName } from '../config/template-render.js';
import { loadVariables } from '../config/variables-file.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { PRIVATE_FILE_MODE } from '../fs/private-files.js';
import { readEncryptionKey } from '../security/encryption-key.js';
import { readPackageVersion } from '../server/version.js';
import { applyKey, isEncryptedDatabase } from '../store/database-cipher.js';
import { schemaVersion, type Db } from '../store/database.js';
import { dialectOf, type StoreDb } from '../store/store-db.js';
import { ENVIRONMENTS_DIR, HOME_FILES } from './backup-layout.js';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  DATABASE_ENTRY,
  MANIFEST_FILE,
  sha256File,
  type BackupManifest,
  type ManifestFile,
} from './manifest.js';
import { dumpPostgres } from './pg-dump.js';
import { tableCounts } from './store-tables.js';

/** What is backed up: an open engine's home, store and process environment. */
export interface BackupSource {
  paths: StationPaths;
  db: StoreDb;
  env: NodeJS.ProcessEnv;
}

export interface BackupOptions {
  /** Replace FILE when it exists (else refused). */
  force?: boolean;
  /** Told each step as it starts (a spinner's text). */
  onProgress?: (step: string) => void;
  now?: () => Date;
}

export interface BackupResult {
  file: string;
  bytes: number;
  engine: 'sqlite' | 'postgres';
  encrypted: boolean;
  schemaVersion: number;
  stationVersion: string;
  createdAt: string;
  /** Files in the archive besides the manifest. */
  files: number;
  tables: Record<string, number>;
  /** What the user should know: variables.yml files that hold secret-looking values in plain text. */
  warnings: string[];
}

export async function createBackup(
  source: BackupSource,
  file: string,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const target = resolve(file);
  const progress = options.onProgress ?? ((): void => undefined);
  refuseTarget(source.paths, target, options.force === true);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
  try {
    const createdAt = (options.now?.() ?? new Date()).toISOString();
    progress('copying the store');
    const store =
      dialectOf(source.db) === 'postgres'
        ? { engine: 'postgres' as const, encrypted: false, ...dumpPostgres(source.db, staging) }
        : { engine: 'sqlite' as const, ...(await snapshotSqlite(source, join(staging, DATABASE_ENTRY))) };
    progress('copying config.yaml and the environments');
    for (const name of HOME_FILES) {
      const from = join(source.paths.home, name);
      if (existsSync(from) && lstatSync(from).isFile()) copyFileSync(from, join(staging, name));
    }
    copyTree(source.paths.environments, join(staging, ENVIRONMENTS_DIR));
    const warnings = plainSecrets(join(staging, ENVIRONMENTS_DIR));
    progress('computing checksums');
    const files: ManifestFile[] = [];
    for (const path of listFiles(staging)) {
      const full = join(staging, path);
      files.push({ path, size: statSync(full).size, sha256: await sha256File(full) });
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      stationVersion: readPackageVersion(),
      schemaVersion: store.schemaVersion,
      createdAt,
      engine: store.engine,
      encrypted: store.encrypted,
      tables: store.tables,
      files,
    };
    writeFileAtomic(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    progress(`writing ${target}`);
    const bytes = await writeArchive(staging, [MANIFEST_FILE, ...files.map((f) => f.path)], target);
    return {
      file: target,
      bytes,
      engine: manifest.engine,
      encrypted: manifest.encrypted,
      schemaVersion: manifest.schemaVersion,
      stationVersion: manifest.stationVersion,
      createdAt,
      files: files.length,
      tables: manifest.tables,
      warnings,
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** An existing FILE is replaced only with --force; the archive may not be written into the parts it copies. */
function refuseTarget(paths: StationPaths, target: string, force: boolean): void {
  const inside = (dir: string): boolean => target === dir || target.startsWith(dir + sep);
  if (inside(paths.environments) || target === paths.database || target === paths.config) {
    throw new ConflictError(
      `${target} is inside what the backup copies (the environments folder, station.db, config.yaml)`,
      {
        hints: ['Write the backup elsewhere, e.g. stn backup ~/station-backups/station.tar.gz'],
      },
    );
  }
  if (existsSync(target) && !force) {
    throw new ConflictError(`${target} exists already`, {
      hints: ['Give another file name, or replace it with --force.'],
      details: { file: target },
    });
  }
}

/** Copies the SQLite store into `dest` (one consistent snapshot) and checks the copy. */
async function snapshotSqlite(
  source: BackupSource,
  dest: string,
): Promise<{ encrypted: boolean; schemaVersion: number; tables: Record<string, number> }> {
  const db = source.db as Db;
  const encrypted = isEncryptedDatabase(source.paths.database);
  try {
    if (encrypted) db.exec(`VACUUM INTO '${dest.replaceAll("'", "''")}'`);
    // Every page in one step: a step the backup API takes after another process wrote starts over, so with
    // many small steps a busy store could keep the copy from ever finishing. WAL readers hold up no writer.
    else await db.backup(dest, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
  } catch (error) {
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`cannot copy ${source.paths.database}: ${errorMessage(error)}`, { cause: error });
  }
  chmodSync(dest, PRIVATE_FILE_MODE);
  const copy = sqliteConnection(dest);
  try {
    if (encrypted) {
      const key = readEncryptionKey(source.paths, source.env);
      if (key !== undefined) applyKey(copy, key.key);
    }
    // One self-contained file: the copy of a WAL database is marked WAL too, and would want -wal and -shm beside it.
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') {
      throw new DatabaseError(`the copy of ${source.paths.database} fails its integrity check: ${String(check)}`, {
        code: 'backup_integrity',
        hints: ['Nothing was written. Check the database with: stn doctor'],
      });
    }
    const store = copy as unknown as StoreDb;
    return { encrypted, schemaVersion: schemaVersion(store), tables: tableCounts(store) };
  } finally {
    copy.close();
  }
}

/**
 * The environments' variables.yml are copied as they are (a restored home needs their values); those holding
 * secret-looking names in plain text are named, with the command that moves them into the (encrypted) store.
 */
function plainSecrets(environments: string): string[] {
  if (!existsSync(environments)) return [];
  const warnings: string[] = [];
  for (const env of readdirSync(environments, { withFileTypes: true })) {
    if (!env.isDirectory()) continue;
    const file = join(environments, env.name, 'variables.yml');
    let names: string[];
    try {
      names = Object.keys(loadVariables(file)).filter(isSecretName);
    } catch (error) {
      if (!isStationError(error)) throw error;
      continue;
    }
    if (names.length > 0) {
      warnings.push(
        `environments/${env.name}/variables.yml holds ${names.join(', ')} in plain text, and so does the backup: move ${names.length === 1 ? 'it' : 'them'} into the encrypted secret store with: stn secret import --env ${env.name}`,
      );
    }
  }
  return warnings;
}

/** Copies the regular files and folders of `from` (if it exists) into `to`; links and others are left out. */
function copyTree(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const a = join(from, entry.name);
    const b = join(to, entry.name);
    if (entry.isDirectory()) copyTree(a, b);
    else if (entry.isFile()) copyFileSync(a, b);
  }
}

/** Every file under `root`, relative with `/`, sorted. */
function listFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, full));
    else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
  }
  return out.sort();
}

/** Writes the gzipped tar of `entries` (in that order) to a temporary file, then renames it to `target`. */
async function writeArchive(staging: string, entries: readonly string[], target: string): Promise<number> {
  const { create } = await import('tar');
  const tmp = join(dirname(target), `.${basename(target)}.${String(process.pid)}.tmp`);
  try {
    await create({ gzip: true, file: tmp, cwd: staging, portable: true, noDirRecurse: true, mode: PRIVATE_FILE_MODE }, [
      ...entries,
    ]);
    chmodSync(tmp, PRIVATE_FILE_MODE);
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return statSync(target).size;
}
