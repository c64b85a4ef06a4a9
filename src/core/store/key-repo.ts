import type { StoreDb } from './store-db.js';

export type RoleName = 'admin' | 'user' | 'viewer';

export interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  key_hash: string;
  role: RoleName;
  environments_json: string;
  user_id: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  expires_at: number | null;
  rotated_at: number | null;
  rotated_to: number | null;
}

export interface UserRow {
  id: number;
  name: string;
  role: RoleName;
  created_at: number;
}

export interface NewApiKey {
  name: string;
  prefix: string;
  keyHash: string;
  role: RoleName;
  environments: readonly string[];
  userId: number | null;
  expiresAt: number | null;
}

/** SQL for api_keys and users. */
export class KeyRepo {
  constructor(private readonly db: StoreDb) {}

  insertKey(key: NewApiKey, now = Date.now()): ApiKeyRow {
    const info = this.db
      .prepare(
        `INSERT INTO api_keys (name, prefix, key_hash, role, environments_json, user_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(
        key.name,
        key.prefix,
        key.keyHash,
        key.role,
        JSON.stringify(key.environments),
        key.userId,
        now,
        key.expiresAt,
      ) as { id: number };
    return this.byId(info.id) as ApiKeyRow;
  }

  byId(id: number): ApiKeyRow | undefined {
    return this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
  }

  byPrefix(prefix: string): ApiKeyRow | undefined {
    return this.db.prepare('SELECT * FROM api_keys WHERE prefix = ?').get(prefix) as ApiKeyRow | undefined;
  }

  byName(name: string): ApiKeyRow[] {
    return this.db.prepare('SELECT * FROM api_keys WHERE name = ? ORDER BY id').all(name) as ApiKeyRow[];
  }

  all(): ApiKeyRow[] {
    return this.db.prepare('SELECT * FROM api_keys ORDER BY id').all() as ApiKeyRow[];
  }

  revoke(id: number, now = Date.now()): boolean {
    return (
      this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0
    );
  }

  /** Gives a key another role and environments (an imported key imported again with other grants). */
  setGrants(id: number, role: RoleName, environments: readonly string[]): void {
    this.db
      .prepare('UPDATE api_keys SET role = ?, environments_json = ? WHERE id = ?')
      .run(role, JSON.stringify(environments), id);
  }

  /** Marks a key replaced by `successor`; it keeps working until `expiresAt` (the grace period). */
  markRotated(id: number, successor: number, expiresAt: number, now = Date.now()): void {
    this.db
      .prepare('UPDATE api_keys SET rotated_at = ?, rotated_to = ?, expires_at = ? WHERE id = ?')
      .run(now, successor, expiresAt, id);
  }

  touch(id: number, now = Date.now()): void {
    this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  userByName(name: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }

  insertUser(name: string, role: RoleName, now = Date.now()): UserRow {
    const info = this.db
      .prepare('INSERT INTO users (name, role, created_at) VALUES (?, ?, ?) RETURNING id')
      .get(name, role, now) as { id: number };
    return { id: info.id, name, role, created_at: now };
  }

  userById(id: number): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }
}
