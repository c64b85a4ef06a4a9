import type { SqlValue, StoreDb } from './store-db.js';

/**
 * Which finished runs may go (either limit is enough: a run is kept only while it is within every limit given).
 * Queued and running runs are never pruned.
 */
export interface PruneWhere {
  /** Runs that finished before this time (ms since the epoch); a finished run with no finish time, by its creation. */
  finishedBefore?: number | undefined;
  /** Runs with an id below this one (the oldest beyond a count of runs to keep: see keepFloor). */
  idBelow?: number | undefined;
}

/** What one batch removed. */
export interface PrunedBatch {
  runs: number;
  events: number;
  /** Webhook deliveries of those runs that were done (delivered or failed), with their attempts. */
  deliveries: number;
}

/** Runs that are not finished: never pruned (the CHECK on status names every other status a finished one). */
const UNFINISHED = "status NOT IN ('queued', 'running')";

/**
 * The queries that prune finished runs, written for both engines (`?` placeholders, COALESCE, LIMIT/OFFSET):
 * a batch of the oldest prunable runs is chosen and removed with everything that is theirs (events, the
 * original-import marks, their finished webhook deliveries and attempts) in one transaction holding the write
 * lock. Audit rows are never touched: the trail is hash-chained, and names runs only by id.
 *
 * Runs are chosen in id order (the oldest first) with `status NOT IN (...)`, which no index answers: the
 * planner walks the primary key from the oldest run, and stops at the batch size.
 */
export class RunPruneRepo {
  constructor(private readonly db: StoreDb) {}

  /**
   * The id of the `keep`-th newest run (whatever its status): runs below it are beyond the count to keep.
   * Undefined when there are no more than `keep` runs.
   */
  keepFloor(keep: number): number | undefined {
    if (keep < 1) return undefined;
    const id = this.db
      .prepare('SELECT id FROM agent_runs ORDER BY id DESC LIMIT 1 OFFSET ?')
      .pluck()
      .get(keep - 1) as number | bigint | undefined;
    return id === undefined ? undefined : Number(id);
  }

  /** How many runs, and their events, `where` would prune now (a dry run). */
  count(where: PruneWhere): { runs: number; events: number } {
    const { sql, params } = condition(where);
    if (sql === undefined) return { runs: 0, events: 0 };
    const runs = this.db
      .prepare(`SELECT COUNT(*) FROM agent_runs WHERE ${sql}`)
      .pluck()
      .get(...params);
    const events = this.db
      .prepare(`SELECT COUNT(*) FROM run_events WHERE run_id IN (SELECT id FROM agent_runs WHERE ${sql})`)
      .pluck()
      .get(...params);
    return { runs: Number(runs), events: Number(events) };
  }

  /**
   * Removes up to `limit` of the oldest runs `where` selects, with their events, in one transaction that takes
   * the write lock first (so that no run is started, finished or given an event between the choice and the
   * delete). Returns what went; `runs` below `limit` means none is left.
   */
  pruneBatch(where: PruneWhere, limit: number): PrunedBatch {
    const { sql, params } = condition(where);
    if (sql === undefined) return { runs: 0, events: 0, deliveries: 0 };
    const choose = this.db.prepare(`SELECT id FROM agent_runs WHERE ${sql} ORDER BY id LIMIT ?`).pluck();
    const batch = this.db.transaction((): PrunedBatch => {
      const ids = (choose.all(...params, limit) as (number | bigint)[]).map(Number);
      if (ids.length === 0) return { runs: 0, events: 0, deliveries: 0 };
      const list = ids.map(() => '?').join(', ');
      const done = `SELECT id FROM webhook_deliveries WHERE run_id IN (${list}) AND status IN ('delivered', 'failed')`;
      this.db.prepare(`DELETE FROM webhook_attempts WHERE delivery_id IN (${done})`).run(...ids);
      const deliveries = this.db.prepare(`DELETE FROM webhook_deliveries WHERE id IN (${done})`).run(...ids).changes;
      this.db.prepare(`DELETE FROM original_runs WHERE run_id IN (${list})`).run(...ids);
      const events = this.db.prepare(`DELETE FROM run_events WHERE run_id IN (${list})`).run(...ids).changes;
      // The status again: chosen under the write lock, they cannot have changed, but a run is never removed unfinished.
      const runs = this.db
        .prepare(`DELETE FROM agent_runs WHERE id IN (${list}) AND ${UNFINISHED}`)
        .run(...ids).changes;
      return { runs, events, deliveries };
    });
    return batch.immediate();
  }
}

/** The WHERE clause (and its parameters) selecting the runs `where` prunes; undefined when it names no limit. */
function condition(where: PruneWhere): { sql: string | undefined; params: SqlValue[] } {
  const limits: string[] = [];
  const params: SqlValue[] = [];
  if (where.finishedBefore !== undefined) {
    limits.push('COALESCE(finished_at, created_at) < ?');
    params.push(where.finishedBefore);
  }
  if (where.idBelow !== undefined) {
    limits.push('id < ?');
    params.push(where.idBelow);
  }
  if (limits.length === 0) return { sql: undefined, params };
  return { sql: `${UNFINISHED} AND (${limits.join(' OR ')})`, params };
}
