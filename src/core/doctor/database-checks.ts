/**
 * The database area: station.db opens, passes SQLite's quick_check, has the schema of the latest
 * migration, and its write-ahead log is not growing without bound. Opened read-only: the doctor never
 * migrates or writes (a command that opens the engine would).
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { sqliteConnection } from '../store/sqlite-driver.js';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StationPaths } from '../config/home.js';
import { errorMessage, isStationError } from '../errors.js';
import { readEncryptionKey } from '../security/encryption-key.js';
import { applyKey, canRead, isEncryptedDatabase, missingKeyError, wrongKeyError } from '../store/database-cipher.js';
import { shellQuote } from '../fs/private-files.js';
import { latestSchemaVersion, schemaVersion, type Db } from '../store/database.js';
import type { DoctorCheck } from './types.js';
import type { StationConfig } from '../config/station-config.js';
import { openPostgres, postgresUrl } from '../store/open-store.js';
import { redactUrl } from '../security/redact-url.js';
import type { StoreDb } from '../store/store-db.js';

/** A write-ahead log above this is a warning (SQLite checkpoints it back to a few MB when nothing blocks it). */
export const DEFAULT_WAL_WARN_BYTES = 64 * 1024 * 1024;
/** quick_check stops after this many problems; the detail shows the first few. */
const MAX_PROBLEMS = 20;

export function checkDatabase(
  paths: StationPaths,
  options: { walWarnBytes?: number | undefined; env?: NodeJS.ProcessEnv } = {},
): DoctorCheck[] {
  const file = paths.database;
  const aside = shellQuote(join(paths.home, 'broken-db'));
  const rebuild = `Restore ${file} from a backup, or move it aside with its -wal and -shm files (mkdir ${aside} && mv ${shellQuote(file)}* ${aside}/) and run \`stn init\` then \`stn sync --all\` to rebuild the index (run history and API keys are lost).`;
  if (!existsSync(file)) {
    return [
      {
        area: 'database',
        name: 'station.db',
        status: 'warn',
        detail: `${file} does not exist yet`,
        hint: 'The next stn command creates it; `stn init` does too.',
      },
    ];
  }
  const checks: DoctorCheck[] = [];
  const encrypted = isEncryptedDatabase(file);
  checks.push({
    area: 'database',
    name: 'encryption',
    status: 'ok',
    detail: encrypted ? 'encrypted at rest (SQLCipher 4, the home key)' : 'not encrypted (opt-in: stn db encrypt)',
    hint: null,
  });
  let db: Database.Database | undefined;
  try {
    db = sqliteConnection(file, { readonly: true, fileMustExist: true });
    if (encrypted) {
      const key = readEncryptionKey(paths, options.env ?? process.env);
      if (key === undefined) throw missingKeyError(file);
      applyKey(db, key.key);
      if (!canRead(db)) throw wrongKeyError(file, key);
    }
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    db?.close();
    db = undefined;
    const keyProblem = isStationError(error) && error.code.startsWith('database_key');
    checks.push(
      fail(
        'open',
        `cannot open ${file}: ${errorMessage(error)}`,
        keyProblem && isStationError(error)
          ? `${error.hints[0] ?? ''} If the key is right, the file is damaged: ${rebuild}`
          : rebuild,
      ),
    );
  }
  if (db !== undefined) {
    const open = db;
    try {
      const intact = guarded('integrity', () => integrity(open, rebuild), file, rebuild);
      checks.push(intact);
      const version = guarded('schema', () => schema(open, file, rebuild), file, rebuild);
      // A damaged file often fails both the same way: say it once.
      if (!(intact.status === 'fail' && version.detail === intact.detail)) checks.push(version);
    } finally {
      open.close();
    }
  }
  checks.push(walSize(file, options.walWarnBytes ?? DEFAULT_WAL_WARN_BYTES));
  return checks;
}

function fail(name: string, detail: string, hint: string): DoctorCheck {
  return { area: 'database', name, status: 'fail', detail, hint };
}

/** A check whose query threw (a damaged file fails at the first page it cannot read). */
function guarded(name: string, check: () => DoctorCheck, file: string, hint: string): DoctorCheck {
  try {
    return check();
  } catch (error) {
    return fail(name, `cannot read ${file}: ${errorMessage(error)}`, hint);
  }
}

function integrity(db: Database.Database, rebuild: string): DoctorCheck {
  const rows = db.pragma(`quick_check(${String(MAX_PROBLEMS)})`) as { quick_check: string }[];
  const problems = rows
    .flatMap((row) => row.quick_check.split('\n'))
    .filter((line) => line !== '' && line !== 'ok' && !line.startsWith('***'));
  if (problems.length === 0) {
    return { area: 'database', name: 'integrity', status: 'ok', detail: 'quick_check: ok', hint: null };
  }
  const shown = problems.slice(0, 3).join('; ');
  const more = problems.length > 3 ? ` (and ${String(problems.length - 3)} more)` : '';
  return {
    area: 'database',
    name: 'integrity',
    status: 'fail',
    detail: `quick_check found damage: ${shown}${more}`,
    hint: rebuild,
  };
}

function schema(db: Database.Database, file: string, rebuild: string): DoctorCheck {
  const latest = latestSchemaVersion();
  const at = (status: DoctorCheck['status'], detail: string, hint: string | null): DoctorCheck => ({
    area: 'database',
    name: 'schema',
    status,
    detail,
    hint,
  });
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return at('fail', `${file} is not a Station database (no schema_migrations table)`, rebuild);
  const version = schemaVersion(db as Db);
  if (version > latest) {
    return at(
      'fail',
      `version ${String(version)}, made by a newer Station (this stn knows up to ${String(latest)})`,
      'Upgrade stn to the version that wrote this database, or use another home for this one.',
    );
  }
  if (version < latest) {
    return at(
      'warn',
      `version ${String(version)}, latest ${String(latest)}: migrations are pending`,
      'The next stn command applies them (e.g. `stn env list`).',
    );
  }
  return at('ok', `version ${String(version)} (the latest)`, null);
}

function walSize(file: string, warnBytes: number): DoctorCheck {
  const wal = `${file}-wal`;
  let size = 0;
  try {
    size = statSync(wal).size;
  } catch {
    // No log: nothing is waiting to be checkpointed.
  }
  if (size > warnBytes) {
    return {
      area: 'database',
      name: 'wal',
      status: 'warn',
      detail: `${wal} is ${formatBytes(size)} (warning above ${formatBytes(warnBytes)}): a long-lived reader may keep SQLite from checkpointing it`,
      hint: 'Restart long-running stn processes (stn serve, stn ui): when the last one closes, SQLite folds the log into station.db and removes it.',
    };
  }
  return { area: 'database', name: 'wal', status: 'ok', detail: `write-ahead log ${formatBytes(size)}`, hint: null };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

/** A PostgreSQL store: reachable, and its schema version (read only: the doctor never migrates). */
export function checkPostgres(config: StationConfig, env: NodeJS.ProcessEnv): DoctorCheck[] {
  const url = postgresUrl(config, env);
  if (url === undefined) return [];
  const where = redactUrl(url);
  let db: StoreDb | undefined;
  try {
    db = openPostgres(url, { readonly: true });
    const table = db.prepare("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").get() as {
      present: boolean;
    };
    const version = table.present ? schemaVersion(db) : 0;
    const latest = latestSchemaVersion();
    return [
      {
        area: 'database',
        name: 'postgres',
        status: version === latest ? 'ok' : 'warn',
        detail:
          version === latest
            ? `${where}: reachable, schema version ${String(version)}`
            : `${where}: reachable, schema version ${String(version)} (this stn knows up to ${String(latest)})`,
        hint:
          version < latest
            ? 'Run `stn db migrate` (every command also migrates when it opens the store).'
            : version > latest
              ? 'A newer stn made this schema: upgrade stn.'
              : null,
      },
    ];
  } catch (error) {
    return [
      {
        area: 'database',
        name: 'postgres',
        status: 'fail',
        detail: errorMessage(error),
        hint: 'Check that PostgreSQL is up and that store.postgres.url (or STATION_DATABASE_URL) is right: psql "URL" -c "select 1"',
      },
    ];
  } finally {
    db?.close();
  }
}
