import type { SqlValue, StoreDb } from './store-db.js';

/** One row of audit_log, as stored. */
export interface AuditRow {
  id: number;
  ts: number;
  actor: string;
  owner: string | null;
  door: string;
  action: string;
  target: string;
  outcome: string;
  reason: string | null;
  request_id: string | null;
  remote_address: string | null;
  details_json: string;
  prev_hash: string | null;
  hash: string | null;
}

/** What a new row holds, before it is chained. */
export type NewAuditRow = Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>;

/** The columns of a new row, in the order they are inserted and hashed (audit-log.ts canonicalAuditContent). */
export const AUDIT_CONTENT_COLUMNS = [
  'ts',
  'actor',
  'owner',
  'door',
  'action',
  'target',
  'outcome',
  'reason',
  'request_id',
  'remote_address',
  'details_json',
] as const satisfies readonly (keyof NewAuditRow)[];

export interface AuditQuery {
  /** Rows at or after this time (ms). */
  since?: number;
  actor?: string;
  /** An exact action, or a prefix ending in '.' or '*' (`key.` or `key.*`: every key action). */
  action?: string;
  /** Rows with an id below this one (the next page of a newest-first listing). */
  beforeId?: number;
  limit: number;
}

/** Where the newest row's id and hash are kept, so that deleting the last rows shows too. */
export const AUDIT_HEAD_SETTING = 'audit.head';

/** SQL for audit_log: appends inside a write transaction, newest-first queries, the whole chain in order. */
export class AuditRepo {
  constructor(private readonly db: StoreDb) {}

  last(): AuditRow | undefined {
    return this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT 1').get() as AuditRow | undefined;
  }

  unchained(): AuditRow[] {
    return this.db.prepare('SELECT * FROM audit_log WHERE hash IS NULL ORDER BY id').all() as AuditRow[];
  }

  insert(row: NewAuditRow, prevHash: string, hashOf: (id: number) => string): AuditRow {
    const columns = [...AUDIT_CONTENT_COLUMNS, 'prev_hash'];
    const info = this.db
      .prepare(
        `INSERT INTO audit_log (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING id`,
      )
      .get(...AUDIT_CONTENT_COLUMNS.map((c) => row[c]), prevHash) as { id: number };
    const id = info.id;
    const hash = hashOf(id);
    this.setHash(id, prevHash, hash);
    return { ...row, id, prev_hash: prevHash, hash };
  }

  setHash(id: number, prevHash: string, hash: string): void {
    this.db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?').run(prevHash, hash, id);
  }

  head(): { id: number; hash: string } | undefined {
    const row = this.db.prepare('SELECT value_json FROM settings WHERE key = ?').get(AUDIT_HEAD_SETTING) as
      { value_json: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value_json) as { id: number; hash: string });
  }

  setHead(id: number, hash: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
      )
      .run(AUDIT_HEAD_SETTING, JSON.stringify({ id, hash }), now);
  }

  query(q: AuditQuery): AuditRow[] {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.since !== undefined) {
      where.push('ts >= ?');
      params.push(q.since);
    }
    if (q.actor !== undefined) {
      where.push('(actor = ? OR owner = ?)');
      params.push(q.actor, q.actor);
    }
    if (q.action !== undefined) {
      const prefix = /^(.*\.)\*?$/.exec(q.action)?.[1] ?? (q.action.endsWith('*') ? q.action.slice(0, -1) : undefined);
      if (prefix !== undefined) {
        where.push('substr(action, 1, ?) = ?');
        params.push(prefix.length, prefix);
      } else {
        where.push('action = ?');
        params.push(q.action);
      }
    }
    if (q.beforeId !== undefined) {
      where.push('id < ?');
      params.push(q.beforeId);
    }
    const sql = `SELECT * FROM audit_log ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...params, q.limit) as AuditRow[];
  }

  /** Every row, oldest first (for verify). */
  *all(): IterableIterator<AuditRow> {
    yield* this.db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as IterableIterator<AuditRow>;
  }
}
