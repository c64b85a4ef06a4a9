/**
 * A logical dump of a PostgreSQL store, written by Station itself (no pg_dump binary): every table of the
 * store's schema as `store/<table>.jsonl`, one JSON object per row, all read in one READ ONLY, REPEATABLE READ
 * transaction (one snapshot, no lock that would hold up writers). BYTEA values (encrypted secrets) are written
 * as `{"$base64": "..."}`; they stay encrypted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseError } from '../errors.js';
import { PgSyncDb } from '../store/postgres/pg-sync-db.js';
import type { StoreDb } from '../store/store-db.js';
import { TABLES_DIR } from './manifest.js';
import { storeTables } from './store-tables.js';

/** The JSON form of a column value (Buffers as base64). */
export function encodeValue(value: unknown): unknown {
  // Buffers, and the Uint8Arrays BYTEA values become on their way from the connection's worker.
  if (value instanceof Uint8Array) return { $base64: Buffer.from(value).toString('base64') };
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A column value back from its JSON form. */
export function decodeValue(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as { $base64?: unknown }).$base64 === 'string') {
    return Buffer.from((value as { $base64: string }).$base64, 'base64');
  }
  return value;
}

/** Dumps the store into `folder`/store/; its schema version and rows per table. */
export function dumpPostgres(db: StoreDb, folder: string): { schemaVersion: number; tables: Record<string, number> } {
  if (!(db instanceof PgSyncDb)) throw new DatabaseError('a logical dump needs a PostgreSQL connection');
  if (db.inTransaction) throw new DatabaseError('cannot dump the store while this connection is in a transaction');
  const pg = db;
  const tables = storeTables(db);
  const results = pg.batch([
    { sql: 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', params: [] },
    // In the order of the first column (the id): rows that point at rows of their own table come after them.
    ...tables.map((t) => ({ sql: `SELECT * FROM "${t}" ORDER BY 1`, params: [] })),
    { sql: 'SELECT MAX(version) AS v FROM schema_migrations', params: [] },
    { sql: 'COMMIT', params: [] },
  ]);
  const dir = join(folder, TABLES_DIR);
  mkdirSync(dir, { recursive: true });
  const counts: Record<string, number> = {};
  tables.forEach((table, i) => {
    const rows = results[i + 1]?.rows ?? [];
    counts[table] = rows.length;
    const lines = rows.map((row) =>
      JSON.stringify(Object.fromEntries(Object.entries(row as object).map(([k, v]) => [k, encodeValue(v)]))),
    );
    writeFileSync(join(dir, `${table}.jsonl`), lines.length === 0 ? '' : lines.join('\n') + '\n', { mode: 0o600 });
  });
  const version = (results[tables.length + 1]?.rows[0] as { v: number | string | null } | undefined)?.v ?? 0;
  return { schemaVersion: Number(version), tables: counts };
}
