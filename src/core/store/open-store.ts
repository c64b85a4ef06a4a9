/**
 * Opens the store a Station home is configured for: its SQLite file (the default), or the PostgreSQL database
 * of `store: {postgres: {url}}` in config.yaml or STATION_DATABASE_URL (which wins), migrated either way.
 */
import { ConfigError } from '../errors.js';
import type { StationPaths } from '../config/home.js';
import type { StationConfig } from '../config/station-config.js';
import { openDatabase, applyMigrations, recordApplied, type OpenDatabaseOptions } from './database.js';
import { postgresMigrations, type Migration } from './migrations/index.js';
import type { StoreDb } from './store-db.js';
import type { KeyLookup } from './database-cipher.js';
import { pgInitial } from './postgres/pg-migrations.js';
import { PgSyncDb } from './postgres/pg-sync-db.js';
import { redactUrl } from '../security/redact-url.js';

/** The environment variable whose postgres:// URL wins over config.yaml's `store`. */
export const DATABASE_URL_ENV = 'STATION_DATABASE_URL';

export interface StoreLocation {
  kind: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL with its password hidden: for messages and `--json` output. */
  display: string;
}

export interface OpenStoreOptions {
  key?: KeyLookup;
  encrypt?: boolean;
  readonly?: boolean;
  /** Migrations to apply on SQLite / PostgreSQL (tests pass their own). */
  migrations?: readonly Migration[];
}

/** The PostgreSQL URL the home is configured for (placeholders filled), or undefined for SQLite. */
export function postgresUrl(config: StationConfig, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env[DATABASE_URL_ENV]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^postgres(ql)?:\/\//.test(fromEnv)) {
      throw new ConfigError(`${DATABASE_URL_ENV} must be a postgres:// URL`, {
        hints: [`Set ${DATABASE_URL_ENV}=postgres://USER:PASSWORD@HOST:5432/DATABASE, or unset it to use config.yaml.`],
      });
    }
    return fromEnv;
  }
  if (config.store.kind !== 'postgres') return undefined;
  return fillPlaceholders(config.store.url, env);
}

/** Where the store is, for messages. */
export function storeLocation(paths: StationPaths, config: StationConfig, env: NodeJS.ProcessEnv): StoreLocation {
  const url = postgresUrl(config, env);
  return url === undefined
    ? { kind: 'sqlite', display: paths.database }
    : { kind: 'postgres', display: redactUrl(url) };
}

/** Opens and migrates the configured store. */
export function openStore(
  paths: StationPaths,
  config: StationConfig,
  env: NodeJS.ProcessEnv,
  options: OpenStoreOptions = {},
): StoreDb {
  const url = postgresUrl(config, env);
  if (url === undefined) {
    const sqlite: OpenDatabaseOptions = {
      busyTimeoutMs: config.database.busyTimeoutMs,
      ...(options.key === undefined ? {} : { key: options.key }),
      ...(options.encrypt === undefined ? {} : { encrypt: options.encrypt }),
      ...(options.readonly === undefined ? {} : { readonly: options.readonly }),
      ...(options.migrations === undefined ? {} : { migrations: options.migrations }),
    };
    return openDatabase(paths.database, sqlite);
  }
  return openPostgres(url, { lockTimeoutMs: config.database.busyTimeoutMs, ...options });
}

/** Opens a PostgreSQL store by URL and applies its pending migrations (unless read only). */
export function openPostgres(
  url: string,
  options: { lockTimeoutMs?: number; readonly?: boolean; migrations?: readonly Migration[] } = {},
): StoreDb {
  // The driver itself is loaded by the connection's worker thread: a SQLite home never loads it.
  const db = new PgSyncDb({
    url,
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  });
  try {
    if (options.readonly !== true)
      recordApplied(db, applyMigrations(db, redactUrl(url), options.migrations ?? postgresMigrations(pgInitial)));
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** `{{ .NAME }}` in the URL from the process environment, URL-encoded (a password may hold any character). */
function fillPlaceholders(url: string, env: NodeJS.ProcessEnv): string {
  return url.replace(/\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ConfigError(`store.postgres.url in config.yaml uses {{ .${name} }}, but ${name} is not set`, {
        hints: [
          `Set ${name} in the environment of every stn process (a Kubernetes Secret, a systemd EnvironmentFile).`,
          'The secret store cannot hold it: it lives in the database this URL opens.',
        ],
        details: { variable: name },
      });
    }
    return encodeURIComponent(value);
  });
}
