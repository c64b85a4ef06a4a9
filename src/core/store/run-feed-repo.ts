import type { RunEvent } from '../events/run-events.js';
import type { StoreDb } from './store-db.js';
import { toEvent, type EventRow } from './run-repo.js';

/** A stored event with its row id: the position of a follower's cursor. */
export interface FeedRow {
  id: number;
  event: RunEvent;
}

/**
 * The queries a follower of the event store needs (RunFeed: the TUI and `stn serve` following runs that
 * any process writes on the same Station home). Row ids grow in commit order, since SQLite has one
 * writer at a time (and on PostgreSQL every event is written under the store's writer lock: RunRepo), so
 * "rows after the cursor" never misses a row committed later.
 */
export class RunFeedRepo {
  private readonly stmts;

  constructor(db: StoreDb) {
    this.stmts = {
      latest: db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM run_events'),
      after: db.prepare('SELECT id, run_id, seq, type, ts, data_json FROM run_events WHERE id > ? ORDER BY id LIMIT ?'),
    };
  }

  /** The highest run_events.id (0 when there is none): a follower starts from here. */
  latestEventId(): number {
    return (this.stmts.latest.get() as { id: number }).id;
  }

  /** Events of any run with a row id above `afterId`, oldest first, at most `limit` (one indexed query). */
  eventsAfter(afterId: number, limit: number): FeedRow[] {
    const rows = this.stmts.after.all(afterId, limit) as (EventRow & { id: number })[];
    return rows.map((row) => ({ id: row.id, event: toEvent(row) }));
  }
}
