import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { ConflictError, NotFoundError } from './errors.js';
import { isOriginalDatabaseFile, moveOriginalDatabaseAside, originalAsidePath } from './store/original-import.js';
import { isEncryptedDatabase } from './store/database-cipher.js';
import { join, relative } from 'node:path';
import { yaml } from './config/yaml-lib.js';
import { DEFAULT_CONFIG_YAML, readStationConfigFile } from './config/station-config.js';
import { TEMPLATES_DIR } from './config/package-assets.js';
import type { StationPaths } from './config/home.js';
import { writeFileAtomic } from './fs/atomic-write.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from './fs/private-files.js';
import { openStore, storeLocation, type StoreLocation } from './store/open-store.js';
import { EnvironmentService } from './environments/environment-service.js';
import { ensureKeyFile, KEY_ENV, readEncryptionKey } from './security/encryption-key.js';
import { SecretRepo } from './store/secret-repo.js';
import { readFileSync } from 'node:fs';
import { litestreamConfigYaml } from './config/litestream.js';

export interface InitOptions {
  /** Rewrite the files that come from templates (never user data: the database, variables.yml). */
  force?: boolean;
  /** Value of PROJECT_ROOT for the default environment's filesystem server (default: cwd). */
  projectRoot?: string;
  /** The process environment: with STATION_ENCRYPTION_KEY set, no key file is made. */
  env?: NodeJS.ProcessEnv;
  /** Make a new station.db encrypted with the home's key (`--encrypt-db`). */
  encryptDb?: boolean;
  /**
   * A station.db made by the original Station is moved aside to station.original.db (and Station makes its
   * own); the caller then imports its run history from `originalDatabase` (`--import-original`). Without a
   * station.db of the original's, an existing station.original.db is named there.
   */
  importOriginal?: boolean;
  /**
   * Replicate station.db with Litestream to this URL (s3://... or file:///...): writes litestream.yml in the home
   * (10 s sync interval, 24 h retention). An existing litestream.yml naming another replica is rewritten only with
   * `force`.
   */
  litestream?: string;
}

export interface InitResult {
  home: string;
  /** The store this home uses: its SQLite file, or a PostgreSQL database (URL without its password). */
  store: StoreLocation;
  /** Paths made by this call, relative to the home. */
  created: string[];
  /** Paths rewritten by --force. */
  rewritten: string[];
  /** Paths that already existed and were left as they were. */
  unchanged: string[];
  /** With importOriginal: the original's database to import from, and whether init moved it there now. */
  originalDatabase?: { file: string; moved: boolean };
}

/**
 * Makes a Station home: config.yaml, station.db (migrated), the encryption key file and the default environment. Idempotent:
 * an existing file is never changed unless `force` asks to rewrite template files. The home is set to
 * 0700 and the files that may hold secrets are made 0600, whatever the umask.
 */
export function initStation(paths: StationPaths, options: InitOptions = {}): InitResult {
  const result: InitResult = {
    home: paths.home,
    store: { kind: 'sqlite', display: paths.database },
    created: [],
    rewritten: [],
    unchanged: [],
  };
  const rel = (p: string): string => relative(paths.home, p) || '.';
  // A bad replica URL is refused before anything is written.
  const litestreamYaml =
    options.litestream === undefined ? undefined : litestreamConfigYaml(paths.database, options.litestream);
  makePrivateDir(paths.home);

  const put = (file: string, content: string, fromTemplate: boolean, mode?: number): void => {
    const exists = existsSync(file);
    if (exists && !(fromTemplate && options.force === true)) {
      result.unchanged.push(rel(file));
      return;
    }
    writeFileAtomic(file, content, mode === undefined ? {} : { mode });
    (exists ? result.rewritten : result.created).push(rel(file));
  };

  put(paths.config, DEFAULT_CONFIG_YAML, false, PRIVATE_FILE_MODE);

  const env = options.env ?? process.env;
  const { config } = readStationConfigFile(paths.config);
  const location = storeLocation(paths, config, env);
  result.store = location;
  if (location.kind === 'postgres' && options.litestream !== undefined) {
    throw new ConflictError(
      `--litestream replicates the SQLite store; this home uses PostgreSQL (${location.display})`,
      { hints: ['Back PostgreSQL up on the database server (WAL archiving, pg_dump), or run without --litestream.'] },
    );
  }
  if (location.kind === 'postgres' && (options.encryptDb === true || options.importOriginal === true)) {
    throw new ConflictError(
      `${options.encryptDb === true ? '--encrypt-db' : '--import-original'} is for the SQLite store; this home uses PostgreSQL (${location.display})`,
      {
        hints: [
          options.encryptDb === true
            ? 'Encrypt PostgreSQL at rest on the database server (disk or tablespace encryption); secrets are encrypted by Station either way.'
            : 'Import the original database into a SQLite home, or run without --import-original.',
        ],
      },
    );
  }
  if (litestreamYaml !== undefined) putLitestreamConfig(paths, litestreamYaml, options.force === true, result);
  // After the refusal above: moving the original's database aside is for a SQLite home only.
  if (options.importOriginal === true) result.originalDatabase = originalToImport(paths.database);
  const dbExisted = location.kind === 'postgres' || (existsSync(paths.database) && statSync(paths.database).size > 0);
  if (options.encryptDb === true) {
    if (dbExisted && !isEncryptedDatabase(paths.database)) {
      throw new ConflictError(`${paths.database} already exists and is not encrypted: init does not change it`, {
        hints: ['Encrypt the existing database with: stn db encrypt'],
      });
    }
    const keyFromEnv = env[KEY_ENV];
    if ((keyFromEnv === undefined || keyFromEnv.trim() === '') && ensureKeyFile(paths)) {
      result.created.push(rel(paths.keyFile));
    }
  }
  const db = openStore(paths, config, env, {
    key: () => readEncryptionKey(paths, env),
    encrypt: options.encryptDb === true,
  });
  try {
    if (location.kind === 'sqlite') (dbExisted ? result.unchanged : result.created).push(rel(paths.database));
    const defaultDir = join(paths.environments, 'default');
    const template = join(TEMPLATES_DIR, 'default');
    mkdirSync(join(defaultDir, 'agents'), { recursive: true });
    for (const file of listFiles(template)) {
      put(join(defaultDir, file), readFileSync(join(template, file), 'utf8'), true);
    }
    const projectRoot = options.projectRoot ?? process.cwd();
    put(
      join(defaultDir, 'variables.yml'),
      '# Variables for template.json: {{ .NAME }} is replaced by the value of NAME.\n' +
        '# This file may hold secrets: it is never included in bundles.\n' +
        yaml().stringify({ PROJECT_ROOT: projectRoot }),
      false,
      PRIVATE_FILE_MODE,
    );
    new EnvironmentService(paths, db).reconcile();
    // The encryption key (keys/station.key, 0600): made unless STATION_ENCRYPTION_KEY gives it, and never
    // beside secrets stored under another key (a lost key file is restored, not replaced).
    const keyFromEnv = env[KEY_ENV];
    if ((keyFromEnv === undefined || keyFromEnv.trim() === '') && new SecretRepo(db).keyCheck() === undefined) {
      if (ensureKeyFile(paths)) result.created.push(rel(paths.keyFile));
      else if (!result.created.includes(rel(paths.keyFile))) result.unchanged.push(rel(paths.keyFile));
    }
  } finally {
    db.close();
  }
  return result;
}

/**
 * Writes litestream.yml. The same file again is left as it is; one naming another replica (or edited by hand)
 * is a conflict unless `force` rewrites it.
 */
function putLitestreamConfig(paths: StationPaths, content: string, force: boolean, result: InitResult): void {
  const rel = relative(paths.home, paths.litestream);
  if (!existsSync(paths.litestream)) {
    writeFileAtomic(paths.litestream, content);
    result.created.push(rel);
  } else if (readFileSync(paths.litestream, 'utf8') === content) {
    result.unchanged.push(rel);
  } else if (force) {
    writeFileAtomic(paths.litestream, content);
    result.rewritten.push(rel);
  } else {
    throw new ConflictError(`${paths.litestream} already exists with other settings: init does not change it`, {
      hints: [
        'Rewrite it with: stn init --litestream URL --force',
        'Or edit it by hand (https://litestream.io/reference/config/).',
      ],
      details: { file: paths.litestream },
    });
  }
}

/** The original's database to import: station.db moved aside now, or one moved aside before. */
function originalToImport(database: string): { file: string; moved: boolean } {
  if (isOriginalDatabaseFile(database)) return { file: moveOriginalDatabaseAside(database), moved: true };
  const aside = originalAsidePath(database);
  if (existsSync(aside)) return { file: aside, moved: false };
  throw new NotFoundError(
    `no database of the original Station to import: ${database} is not one and ${aside} does not exist`,
    {
      hints: [
        'Import one kept elsewhere with: stn db import-original FILE',
        'Or run stn init without --import-original.',
      ],
      details: { file: database, aside },
    },
  );
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(dir, path));
    else out.push(path);
  }
  return out.sort();
}
