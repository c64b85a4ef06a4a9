import type { StoreDb } from './store-db.js';

/** A row of `secrets` with its environment's name (null: a global secret). */
export interface SecretRow {
  id: number;
  environment: string | null;
  name: string;
  ciphertext: Buffer;
  nonce: Buffer;
  created_at: number;
  updated_at: number;
}

/**
 * Names of the secrets Station keeps for itself (a webhook's signing secret: `station.webhook.<id>`): a `.`
 * no user secret name may hold, so `stn secret` can neither list, set nor remove them, and templates never see them.
 */
export const INTERNAL_SECRET_PREFIX = 'station.';

/** Where the check value of the encryption key is kept (settings table): never the key itself. */
const KEY_CHECK_SETTING = 'encryption.key_check';

/** SQL for the secret store (`secrets`) and the check value of the key it is encrypted with. */
export class SecretRepo {
  constructor(private readonly db: StoreDb) {}

  /**
   * Changes whenever a secret is set, changed or removed (by any process): a cache of values derived from
   * the store is kept while it holds.
   */
  stamp(): string {
    const row = this.db
      .prepare(
        'SELECT COUNT(*) AS n, COALESCE(SUM(id), 0) AS ids, COALESCE(SUM(updated_at), 0) AS t, COALESCE(MAX(updated_at), 0) AS last FROM secrets',
      )
      .get() as { n: number; ids: number; t: number; last: number };
    return `${String(row.n)}:${String(row.ids)}:${String(row.t)}:${String(row.last)}`;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM secrets').get() as { n: number }).n;
  }

  /**
   * Rows of these scopes (null: global), every scope when `environments` is undefined; by name, global first.
   * Station's own secrets (INTERNAL_SECRET_PREFIX: webhook signing secrets) only with `internal`.
   */
  rows(environments?: readonly (string | null)[], options: { internal?: boolean } = {}): SecretRow[] {
    const all = this.db
      .prepare(
        `SELECT s.id, e.name AS environment, s.name, s.ciphertext, s.nonce, s.created_at, s.updated_at
         FROM secrets s LEFT JOIN environments e ON e.id = s.environment_id
         ORDER BY s.name, e.name IS NOT NULL, e.name`,
      )
      .all() as SecretRow[];
    const visible = options.internal === true ? all : all.filter((r) => !r.name.startsWith(INTERNAL_SECRET_PREFIX));
    return environments === undefined ? visible : visible.filter((r) => environments.includes(r.environment));
  }

  find(environmentId: number | null, name: string): { id: number } | undefined {
    return this.db
      .prepare('SELECT id FROM secrets WHERE environment_id IS NOT DISTINCT FROM ? AND name = ?')
      .get(environmentId, name) as { id: number } | undefined;
  }

  /** Inserts or replaces a secret; true when it was new. */
  put(environmentId: number | null, name: string, sealed: { ciphertext: Buffer; nonce: Buffer }, now: number): boolean {
    const row = this.find(environmentId, name);
    if (row === undefined) {
      this.db
        .prepare(
          'INSERT INTO secrets (environment_id, name, ciphertext, nonce, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(environmentId, name, sealed.ciphertext, sealed.nonce, now, now);
      return true;
    }
    this.db
      .prepare('UPDATE secrets SET ciphertext = ?, nonce = ?, updated_at = ? WHERE id = ?')
      .run(sealed.ciphertext, sealed.nonce, now, row.id);
    return false;
  }

  /** Re-encryption (key rotation): the bytes change, the dates do not. */
  reseal(id: number, sealed: { ciphertext: Buffer; nonce: Buffer }): void {
    this.db
      .prepare('UPDATE secrets SET ciphertext = ?, nonce = ? WHERE id = ?')
      .run(sealed.ciphertext, sealed.nonce, id);
  }

  remove(environmentId: number | null, name: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM secrets WHERE environment_id IS NOT DISTINCT FROM ? AND name = ?')
        .run(environmentId, name).changes > 0
    );
  }

  keyCheck(): string | undefined {
    const row = this.db.prepare('SELECT value_json FROM settings WHERE key = ?').get(KEY_CHECK_SETTING) as
      { value_json: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value_json) as string);
  }

  setKeyCheck(check: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
      )
      .run(KEY_CHECK_SETTING, JSON.stringify(check), now);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
