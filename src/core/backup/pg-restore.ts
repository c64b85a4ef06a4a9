/**
 * A PostgreSQL backup (store/<table>.jsonl) loaded into an empty PostgreSQL store: the store is given the
 * backup's schema version (or kept at a newer one it already has), every row inserted in one transaction in
 * foreign-key order (ids kept, identity sequences moved past them), the secrets' key check matched before it
 * commits; then the store is migrated to this stn's schema. A store that holds rows is refused: a restore
 * never mixes two histories, and PostgreSQL has no file to keep aside.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError } from '../errors.js';
import { pgInitial } from '../store/postgres/pg-migrations.js';
import { redactUrl } from '../security/redact-url.js';
import { postgresMigrations } from '../store/migrations/index.js';
import { openPostgres } from '../store/open-store.js';
import { schemaVersion } from '../store/database.js';
import type { SqlValue, StoreDb } from '../store/store-db.js';
import { TABLES_DIR, BackupArchiveError, type BackupManifest } from './manifest.js';
import { decodeValue } from './pg-dump.js';
import { storeTables, tableCounts } from './store-tables.js';

/** Rows per INSERT statement. */
const ROWS_PER_INSERT = 200;

export interface PgRestoreOptions {
  url: string;
  folder: string;
  manifest: BackupManifest;
  archive: string;
  /** Throws when the key does not fit the restored secrets (checked before the rows are committed). */
  checkKey: (db: StoreDb) => void;
}

/** Loads the dump; returns a connection to the store, migrated to this stn's schema (the caller closes it). */
export function restorePostgres(options: PgRestoreOptions): StoreDb {
  const { url, manifest } = options;
  const all = postgresMigrations(pgInitial);
  const current = storeVersion(url);
  const upTo = current > manifest.schemaVersion ? all : all.filter((m) => m.version <= manifest.schemaVersion);
  const db = openPostgres(url, { migrations: upTo });
  try {
    const tables = storeTables(db).filter((t) => t !== 'schema_migrations');
    const full = Object.entries(tableCounts(db, tables)).filter(([, n]) => n > 0);
    if (full.length > 0) {
      throw new ConflictError(
        `the PostgreSQL store ${redactUrl(url)} holds data already (${full.map(([t, n]) => `${t}: ${String(n)} rows`).join(', ')}); a PostgreSQL backup is restored only into an empty store`,
        {
          hints: [
            'Nothing was changed. Restore into a new database or schema (STATION_DATABASE_URL), or back this one up with stn backup and empty it first.',
          ],
        },
      );
    }
    const dumped = Object.keys(manifest.tables).filter((t) => t !== 'schema_migrations');
    const unknown = dumped.filter((t) => !tables.includes(t));
    if (unknown.length > 0) {
      throw new BackupArchiveError(`${options.archive} has tables this store does not: ${unknown.join(', ')}`);
    }
    const order = foreignKeyOrder(db, dumped);
    db.transaction(() => {
      for (const table of order) insertRows(db, table, readRows(options.folder, table));
      resetIdentities(db, order);
      options.checkKey(db);
    }).immediate();
  } finally {
    db.close();
  }
  // The rest of this stn's migrations, applied to the restored rows.
  return openPostgres(url);
}

/** The store's schema version, 0 when it has no tables yet. */
function storeVersion(url: string): number {
  const probe = openPostgres(url, { readonly: true });
  try {
    const exists = probe.prepare("SELECT to_regclass('schema_migrations') IS NOT NULL AS e").get() as { e: boolean };
    return exists.e ? schemaVersion(probe) : 0;
  } finally {
    probe.close();
  }
}

function readRows(folder: string, table: string): Record<string, unknown>[] {
  const text = readFileSync(join(folder, TABLES_DIR, `${table}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Inserts rows (ids as they were: OVERRIDING SYSTEM VALUE), several per statement. */
function insertRows(db: StoreDb, table: string, rows: readonly Record<string, unknown>[]): void {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const columns = Object.keys(chunk[0] ?? {});
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${chunk.map(() => tuple).join(', ')}`;
    const values = chunk.flatMap((row) => columns.map((c) => decodeValue(row[c]) as SqlValue));
    db.prepare(sql).run(...values);
  }
}

/** Tables ordered so that each comes after the tables its foreign keys point at. */
function foreignKeyOrder(db: StoreDb, tables: readonly string[]): string[] {
  const edges = db
    .prepare(
      `SELECT DISTINCT tc.table_name AS child, ccu.table_name AS parent
         FROM information_schema.table_constraints tc
         JOIN information_schema.constraint_column_usage ccu
           ON tc.constraint_name = ccu.constraint_name AND tc.table_schema = ccu.table_schema
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()`,
    )
    .all() as { child: string; parent: string }[];
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string): void => {
    if (order.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const e of edges) if (e.child === table && e.parent !== table && tables.includes(e.parent)) visit(e.parent);
    order.push(table);
  };
  for (const t of [...tables].sort()) visit(t);
  return order;
}

/** Moves every identity column's sequence past the highest value restored. */
function resetIdentities(db: StoreDb, tables: readonly string[]): void {
  const identities = db
    .prepare(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .all() as { t: string; c: string }[];
  for (const { t, c } of identities) {
    if (!tables.includes(t)) continue;
    db.prepare(
      `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX("${c}") FROM "${t}"), 0) + 1, false)`,
    ).get(`"${t}"`, c);
  }
}
