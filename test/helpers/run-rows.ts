// Runs written straight into a store (either engine), with events: for tests of what reads or prunes them.
import type { StoreDb } from '../../src/core/store/store-db.js';

export interface RunRowSpec {
  status: string;
  createdAt: number;
  /** Default: null for queued and running runs, else createdAt + 1 minute. */
  finishedAt?: number | null;
  /** Events appended (seq 1..n). */
  events?: number;
  /** Size of each event's data_json (default ~8 bytes). */
  eventBytes?: number;
  /** The process running it (default none: a queued or running run without one is orphaned at the next open). */
  pid?: number;
}

/** Inserts one run and its events; returns its id. */
export function addRunRow(db: StoreDb, spec: RunRowSpec): number {
  const unfinished = spec.status === 'queued' || spec.status === 'running';
  const finished = spec.finishedAt !== undefined ? spec.finishedAt : unfinished ? null : spec.createdAt + 60_000;
  const id = Number(
    db
      .prepare(
        `INSERT INTO agent_runs (agent_name, environment_name, status, created_at, finished_at, pid)
         VALUES ('hello', 'default', ?, ?, ?, ?) RETURNING id`,
      )
      .pluck()
      .get(spec.status, spec.createdAt, finished, spec.pid ?? null),
  );
  const data = JSON.stringify({ x: 'x'.repeat(Math.max(0, (spec.eventBytes ?? 8) - 8)) });
  const insert = db.prepare('INSERT INTO run_events (run_id, seq, type, ts, data_json) VALUES (?, ?, ?, ?, ?)');
  for (let seq = 1; seq <= (spec.events ?? 3); seq++) insert.run(id, seq, 'tool.finished', spec.createdAt + seq, data);
  return id;
}
