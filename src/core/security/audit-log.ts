import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { AUDIT_CONTENT_COLUMNS, AuditRepo, type AuditRow } from '../store/audit-repo.js';
import type { StoreDb } from '../store/store-db.js';

/** Through which door a change came. */
export type AuditDoor = 'cli' | 'tui' | 'rest' | 'ws' | 'mcp-http' | 'mcp-stdio' | 'scheduler' | 'internal';
export type AuditOutcome = 'allowed' | 'denied' | 'failed';

/** One audit entry to record: never a secret value (details hold names, ids and flags only). */
export interface AuditEntry {
  actor: string;
  owner?: string | null;
  door: AuditDoor;
  action: string;
  target: string;
  outcome?: AuditOutcome;
  reason?: string | null;
  requestId?: string | null;
  remoteAddress?: string | null;
  details?: Record<string, unknown>;
}

/** What `stn audit --json` and GET /api/v1/audit show for each row. */
export interface AuditRecord {
  id: number;
  ts: string;
  actor: string;
  owner: string | null;
  door: string;
  action: string;
  target: string;
  outcome: string;
  reason: string | null;
  requestId: string | null;
  remoteAddress: string | null;
  details: unknown;
  hash: string | null;
}

export interface AuditFilters {
  /** Rows at or after this time (ms since the epoch). */
  since?: number;
  /** The actor (`local:ann`, a key name, `stdio`) or a key's owner. */
  actor?: string;
  /** An action (`key.create`) or every action of an area (`key.*`). */
  action?: string;
  /** The next page of a listing: rows older than this id. */
  before?: number;
  /** At most this many rows (1-1000; default 100). */
  limit?: number;
}

export interface AuditProblem {
  /** The row where the chain breaks (for a deleted row: the row after the gap, or the last one). */
  id: number;
  kind: 'changed' | 'deleted' | 'inserted' | 'unchained';
  message: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  rows: number;
  /** Rows written before the chain existed (schema version 3), never changed since. */
  legacyRows: number;
  /** The first problem found, walking from the oldest row. */
  problem: AuditProblem | null;
}

const GENESIS = '0'.repeat(64);
export const MAX_AUDIT_LIMIT = 1000;

/** The content a row's hash covers, in a fixed order: everything but the hash itself. */
export function canonicalAuditContent(row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return JSON.stringify([row.id, ...AUDIT_CONTENT_COLUMNS.map((c) => row[c])]);
}

/** sha256(previous hash + canonical content), hex. */
export function auditHash(prevHash: string, row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return createHash('sha256')
    .update(prevHash + canonicalAuditContent(row))
    .digest('hex');
}

/**
 * The audit trail: one chained row per change or denied attempt, from every door. Each row stores the
 * hash of the row before it and its own, computed inside an immediate write transaction, so writers in
 * several processes never fork the chain.
 */
export class AuditLog {
  private readonly repo: AuditRepo;

  constructor(
    private readonly db: StoreDb,
    private readonly clock: () => number = Date.now,
  ) {
    this.repo = new AuditRepo(db);
  }

  record(entry: AuditEntry): AuditRecord {
    const now = this.clock();
    const row = this.db
      .transaction(() => {
        let prev = this.repo.last();
        if (prev !== undefined && prev.hash === null) prev = this.sealLegacy();
        const prevHash = prev?.hash ?? GENESIS;
        const fresh = {
          ts: now,
          actor: entry.actor,
          owner: entry.owner ?? null,
          door: entry.door,
          action: entry.action,
          target: entry.target,
          outcome: entry.outcome ?? 'allowed',
          reason: entry.reason ?? null,
          request_id: entry.requestId ?? null,
          remote_address: entry.remoteAddress ?? null,
          details_json: JSON.stringify(entry.details ?? {}),
        };
        const inserted = this.repo.insert(fresh, prevHash, (id) => auditHash(prevHash, { ...fresh, id }));
        this.repo.setHead(inserted.id, inserted.hash ?? '', now);
        return inserted;
      })
      .immediate();
    return toRecord(row);
  }

  /** Newest first, filtered; page on with `before` = the last id of a page. */
  list(filters: AuditFilters = {}): AuditRecord[] {
    const limit = filters.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
      throw new ValidationError(
        `invalid limit ${String(limit)}: expected a whole number from 1 to ${String(MAX_AUDIT_LIMIT)}`,
        [{ field: 'limit', message: `expected 1-${String(MAX_AUDIT_LIMIT)}` }],
      );
    }
    return this.repo
      .query({
        limit,
        ...(filters.since === undefined ? {} : { since: filters.since }),
        ...(filters.actor === undefined ? {} : { actor: filters.actor }),
        ...(filters.action === undefined ? {} : { action: filters.action }),
        ...(filters.before === undefined ? {} : { beforeId: filters.before }),
      })
      .map(toRecord);
  }

  /** Walks the chain from the oldest row; the first changed, deleted or inserted row is reported. */
  verify(): AuditVerifyReport {
    let rows = 0;
    let legacyRows = 0;
    let prev: AuditRow | undefined;
    const fail = (problem: AuditProblem): AuditVerifyReport => ({ ok: false, rows, legacyRows, problem });
    for (const row of this.repo.all()) {
      rows++;
      if (row.hash === null) {
        if (prev !== undefined && prev.hash !== null) {
          return fail({ id: row.id, kind: 'changed', message: `row ${String(row.id)} has lost its hash (changed)` });
        }
        legacyRows++;
        prev = row;
        continue;
      }
      if (auditHash(row.prev_hash ?? GENESIS, row) !== row.hash) {
        return fail({ id: row.id, kind: 'changed', message: `row ${String(row.id)} was changed after it was written` });
      }
      const expectedPrev = prev?.hash ?? GENESIS;
      if (row.prev_hash !== expectedPrev) {
        if (prev === undefined) {
          return fail({
            id: row.id,
            kind: 'deleted',
            message: `row ${String(row.id)} does not start the chain: the rows before it were deleted`,
          });
        }
        if (row.id > prev.id + 1) {
          return fail({
            id: row.id,
            kind: 'deleted',
            message: `row(s) ${rangeOf(prev.id + 1, row.id - 1)} before row ${String(row.id)} were deleted`,
          });
        }
        return fail({
          id: row.id,
          kind: 'inserted',
          message: `row ${String(row.id)} does not follow row ${String(prev.id)}: a row was replaced, deleted or inserted there`,
        });
      }
      prev = row;
    }
    const head = this.repo.head();
    if (head !== undefined) {
      if (prev === undefined || prev.id < head.id) {
        return fail({
          id: head.id,
          kind: 'deleted',
          message: `the newest row(s) up to row ${String(head.id)} were deleted`,
        });
      }
      if (prev.id > head.id || prev.hash !== head.hash) {
        return fail({
          id: prev.id,
          kind: prev.id > head.id ? 'inserted' : 'changed',
          message:
            prev.id > head.id
              ? `row ${String(prev.id)} was inserted behind Station's back (the last row written was ${String(head.id)})`
              : `row ${String(prev.id)} was changed after it was written`,
        });
      }
    } else if (prev?.hash != null) {
      return fail({
        id: prev.id,
        kind: 'inserted',
        message: `row ${String(prev.id)}: the chain's head record is missing`,
      });
    }
    return { ok: true, rows, legacyRows, problem: null };
  }

  /** Chains the rows written before schema version 3 (inside the caller's transaction); returns the last. */
  private sealLegacy(): AuditRow | undefined {
    let prevHash = GENESIS;
    let last: AuditRow | undefined;
    // Rows after the newest chained one only: legacy rows all come first.
    for (const row of this.repo.unchained()) {
      const p = prevHash;
      const hash = auditHash(p, row);
      this.repo.setHash(row.id, p, hash);
      last = { ...row, prev_hash: p, hash };
      prevHash = hash;
    }
    return last;
  }
}

function rangeOf(from: number, to: number): string {
  return from === to ? String(from) : `${String(from)}-${String(to)}`;
}

function toRecord(r: AuditRow): AuditRecord {
  return {
    id: r.id,
    ts: new Date(r.ts).toISOString(),
    actor: r.actor,
    owner: r.owner,
    door: r.door,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    reason: r.reason,
    requestId: r.request_id,
    remoteAddress: r.remote_address,
    details: JSON.parse(r.details_json) as unknown,
    hash: r.hash,
  };
}
