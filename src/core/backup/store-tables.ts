/** The tables of a store and their row counts (either engine), for a backup's manifest and its checks. */
import { dialectOf, type StoreDb } from '../store/store-db.js';

/** The names of the store's own tables, in name order (SQLite's internal sqlite_* tables left out). */
export function storeTables(db: StoreDb): string[] {
  const sql =
    dialectOf(db) === 'postgres'
      ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
      : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
  return (db.prepare(sql).all() as { name: string }[]).map((t) => t.name);
}

/** Rows per table. */
export function tableCounts(db: StoreDb, tables: readonly string[] = storeTables(db)): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number | string };
    counts[table] = Number(row.n);
  }
  return counts;
}
