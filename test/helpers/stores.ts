// The two store engines for tests: a SQLite file in a temp folder, and a PostgreSQL schema of its own on the
// server every session and CI machine runs (127.0.0.1:5432, trust auth, database `test`; STATION_TEST_PG_URL
// names another). Each store is empty and migrated; close() drops it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../src/core/store/database.js';
import { openPostgres } from '../../src/core/store/open-store.js';
import { PgSyncDb } from '../../src/core/store/postgres/pg-sync-db.js';
import { dialectOf, type StoreDb } from '../../src/core/store/store-db.js';

export const TEST_PG_URL = process.env.STATION_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** STATION_TEST_STORE=postgres: homes made by the test helpers keep their store in PostgreSQL. */
export const TEST_ON_POSTGRES = process.env.STATION_TEST_STORE === 'postgres';

export interface TestSchema {
  /** A URL whose connections use only this schema. */
  url: string;
  name: string;
  drop(): void;
}

let adminConnection: PgSyncDb | undefined;

/** One connection per test process for making and dropping schemas (its worker never keeps the process alive). */
function admin(): PgSyncDb {
  adminConnection ??= new PgSyncDb({ url: TEST_PG_URL });
  return adminConnection;
}

/** A new, empty PostgreSQL schema, and a URL that puts connections in it. */
export function makePgSchema(): TestSchema {
  const name = `stn_test_${randomBytes(6).toString('hex')}`;
  admin().exec(`CREATE SCHEMA ${name}`);
  const url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}`;
  return {
    url,
    name,
    drop: () => {
      admin().exec(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    },
  };
}

/** The PostgreSQL store of each test home (or rig) folder, for helpers that read a home's store by its folder. */
const storeOfFolder = new Map<string, string>();

export function rememberPgStore(folder: string, url: string): void {
  storeOfFolder.set(folder, url);
}

export function pgStoreOf(folder: string): string | undefined {
  return storeOfFolder.get(folder);
}

/** Every row of every table of a PostgreSQL store, as text (to compare before and after, or search). */
export function dumpPgStore(url: string): string {
  const db = openPostgres(url, { readonly: true });
  try {
    return JSON.stringify(tableNames(db).map((t) => [t, tableRows(db, t)]));
  } finally {
    db.close();
  }
}

/** The names of the store's tables, in order (either engine). */
export function tableNames(db: StoreDb): string[] {
  const sql =
    dialectOf(db) === 'postgres'
      ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name'
      : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
  return (db.prepare(sql).all() as { name: string }[]).map((t) => t.name);
}

/** Every row of a table, in a stable order (SQLite: insertion order; PostgreSQL: by the row's text). */
export function tableRows(db: StoreDb, table: string): Record<string, unknown>[] {
  const order = dialectOf(db) === 'postgres' ? 'r::text' : 'rowid';
  return db.prepare(`SELECT * FROM "${table}" AS r ORDER BY ${order}`).all() as Record<string, unknown>[];
}

export interface TestStore {
  db: StoreDb;
  /** Another connection to the same store (as another process would have). */
  connect(): StoreDb;
  /** What a child process needs to open it: a file path or a URL. */
  location: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  close(): void;
}

export interface StoreEngine {
  name: 'sqlite' | 'postgres';
  open(): TestStore;
}

export const STORE_ENGINES: readonly StoreEngine[] = [
  {
    name: 'sqlite',
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), 'station-store-'));
      const file = join(dir, 'station.db');
      const db = openDatabase(file);
      const others: StoreDb[] = [];
      return {
        db,
        connect: () => {
          const other = openDatabase(file);
          others.push(other);
          return other;
        },
        location: { kind: 'sqlite', file },
        close: () => {
          for (const other of others) other.close();
          db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    open: () => {
      const schema = makePgSchema();
      const db = openPostgres(schema.url);
      const others: StoreDb[] = [];
      return {
        db,
        connect: () => {
          const other = openPostgres(schema.url);
          others.push(other);
          return other;
        },
        location: { kind: 'postgres', url: schema.url },
        close: () => {
          for (const other of others) other.close();
          db.close();
          schema.drop();
        },
      };
    },
  },
];

const STORE_WRITER = fileURLToPath(new URL('./store-writer.ts', import.meta.url));

/**
 * A writer in a process of its own (store-writer.ts) on the store at `location`: records one run of 60 events in
 * 20 steps with an audit row per step; resolves with the run's id when it exits 0, rejects with its stderr.
 */
export function runStoreWriter(location: TestStore['location'], name: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', STORE_WRITER], {
      env: { ...process.env, STORE_LOCATION: JSON.stringify(location), WRITER_NAME: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`${name}: ${err}`))));
  });
}
