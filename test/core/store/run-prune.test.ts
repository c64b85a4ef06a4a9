// Pruning finished runs (retention, `stn runs prune`), one suite on both engines: which runs go (finished before a
// date, beyond a count to keep; never queued or running ones), what goes with them (events, import marks, done
// webhook deliveries and their attempts), what stays (the audit trail, whole), batches, dry runs, compaction.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneRuns } from '../../../src/core/maintenance/retention.js';
import { AuditLog } from '../../../src/core/security/audit-log.js';
import { RunPruneRepo } from '../../../src/core/store/run-prune-repo.js';
import { addRunRow } from '../../helpers/run-rows.js';
import { runStoreWriter, STORE_ENGINES, type TestStore } from '../../helpers/stores.js';
import { RunRepo } from '../../../src/core/store/run-repo.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T00:00:00Z');

describe.each(STORE_ENGINES)('pruning runs on $name', (engine) => {
  let store: TestStore;
  beforeEach(() => {
    store = engine.open();
  });
  afterEach(() => {
    store.close();
  });

  /** A run with `events` events; finished `ageDays` days before NOW unless queued or running. */
  function addRun(status: string, ageDays: number, events = 3): number {
    const finished = status === 'queued' || status === 'running' ? null : NOW - ageDays * DAY;
    return addRunRow(store.db, { status, createdAt: NOW - ageDays * DAY - 60_000, finishedAt: finished, events });
  }

  function count(sql: string, ...params: (string | number)[]): number {
    return Number(
      store.db
        .prepare(sql)
        .pluck()
        .get(...params),
    );
  }

  function runIds(): number[] {
    return (store.db.prepare('SELECT id FROM agent_runs ORDER BY id').pluck().all() as number[]).map(Number);
  }

  it('prunes finished runs that finished before the cut-off, with their events; queued and running ones stay', async () => {
    const old = ['completed', 'failed', 'cancelled', 'timed_out', 'interrupted'].map((s) => addRun(s, 40));
    const oldQueued = addRun('queued', 40);
    const oldRunning = addRun('running', 40);
    const recent = addRun('completed', 5);
    const report = await pruneRuns(store.db, { before: NOW - 30 * DAY }, { pauseMs: 0 });
    expect(report).toMatchObject({ dryRun: false, runs: 5, events: 15, batches: 1, keep: null });
    expect(report.before).toBe(new Date(NOW - 30 * DAY).toISOString());
    expect(runIds()).toEqual([oldQueued, oldRunning, recent]);
    expect(count('SELECT COUNT(*) FROM run_events')).toBe(9);
    for (const id of old) expect(count('SELECT COUNT(*) FROM run_events WHERE run_id = ?', id)).toBe(0);
  });

  it('keeps the newest N runs (whatever their status) and prunes older finished ones', async () => {
    const ids = [addRun('completed', 9), addRun('queued', 8), addRun('failed', 7), addRun('completed', 6)];
    ids.push(addRun('running', 2), addRun('completed', 1), addRun('completed', 0));
    expect(new RunPruneRepo(store.db).keepFloor(3)).toBe(ids[4]);
    const report = await pruneRuns(store.db, { keep: 3 }, { pauseMs: 0 });
    expect(report).toMatchObject({ runs: 3, keep: 3, before: null });
    // The queued one stays though it is beyond the newest 3.
    expect(runIds()).toEqual([ids[1], ids[4], ids[5], ids[6]]);
    // Keeping more runs than there are prunes nothing.
    expect((await pruneRuns(store.db, { keep: 100 }, { pauseMs: 0 })).runs).toBe(0);
    // keep 0: every finished run goes.
    expect((await pruneRuns(store.db, { keep: 0 }, { pauseMs: 0 })).runs).toBe(2);
    expect(runIds()).toEqual([ids[1], ids[4]]);
  });

  it('with a date and a count, prunes runs outside either limit', async () => {
    const ids = [addRun('completed', 50), addRun('completed', 20), addRun('completed', 10), addRun('completed', 1)];
    const report = await pruneRuns(store.db, { before: NOW - 30 * DAY, keep: 2 }, { pauseMs: 0 });
    expect(report.runs).toBe(2);
    expect(runIds()).toEqual([ids[2], ids[3]]);
  });

  it('works in batches, oldest first, and a dry run counts without removing', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) ids.push(addRun(i === 11 ? 'running' : 'completed', 100 - i, 2));
    const dry = await pruneRuns(store.db, { keep: 3 }, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, runs: 19, events: 38, batches: 0, compaction: null });
    expect(runIds()).toHaveLength(23);
    const progress: number[] = [];
    const report = await pruneRuns(
      store.db,
      { keep: 3 },
      { batchSize: 5, pauseMs: 0, onBatch: (b) => progress.push(b.totalRuns) },
    );
    expect(report).toMatchObject({ runs: 19, events: 38, batches: 4 });
    expect(progress).toEqual([5, 10, 15, 19]);
    expect(runIds()).toEqual([ids[11], ids[20], ids[21], ids[22]]);
  });

  it('removes the runs’ import marks and finished webhook deliveries with their attempts; pending ones stay', async () => {
    const gone = addRun('completed', 40);
    const kept = addRun('completed', 1);
    store.db.prepare("INSERT INTO original_runs (source_key, run_id, imported_at) VALUES ('k1', ?, 1)").run(gone);
    const hook = Number(
      store.db
        .prepare("INSERT INTO webhooks (url, created_at) VALUES ('https://example.com/h', 1) RETURNING id")
        .pluck()
        .get(),
    );
    const delivery = (runId: number, status: string): number =>
      Number(
        store.db
          .prepare(
            `INSERT INTO webhook_deliveries (webhook_id, event, run_id, body, status, next_attempt_at, created_at, updated_at)
             VALUES (?, 'run.finished', ?, '{}', ?, 0, 1, 1) RETURNING id`,
          )
          .pluck()
          .get(hook, runId, status),
      );
    const delivered = delivery(gone, 'delivered');
    const failed = delivery(gone, 'failed');
    const pending = delivery(gone, 'pending');
    const ofKept = delivery(kept, 'delivered');
    const attempt = store.db.prepare(
      'INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms) VALUES (?, 1, 1, 5)',
    );
    for (const d of [delivered, failed, pending, ofKept]) attempt.run(d);
    const report = await pruneRuns(store.db, { before: NOW - 30 * DAY }, { pauseMs: 0 });
    expect(report).toMatchObject({ runs: 1, deliveries: 2 });
    expect(count('SELECT COUNT(*) FROM original_runs')).toBe(0);
    const left = (store.db.prepare('SELECT id FROM webhook_deliveries ORDER BY id').pluck().all() as number[]).map(
      Number,
    );
    expect(left).toEqual([pending, ofKept]);
    expect(count('SELECT COUNT(*) FROM webhook_attempts')).toBe(2);
  });

  it('never touches the audit trail: its rows stay and the chain verifies', async () => {
    const audit = new AuditLog(store.db, () => NOW);
    const ids = [addRun('completed', 40), addRun('completed', 35), addRun('completed', 1)];
    for (const id of ids) audit.record({ actor: 'local:ann', door: 'cli', action: 'run.start', target: String(id) });
    const before = audit.verify();
    expect(before.ok).toBe(true);
    expect((await pruneRuns(store.db, { before: NOW - 30 * DAY }, { pauseMs: 0 })).runs).toBe(2);
    expect(audit.verify()).toEqual(before);
  });

  it('compacts the store after pruning: a checkpoint on SQLite, nothing on PostgreSQL', async () => {
    addRun('completed', 40);
    const report = await pruneRuns(store.db, { before: NOW - 30 * DAY }, { pauseMs: 0 });
    if (engine.name === 'postgres') {
      expect(report.compaction).toMatchObject({ engine: 'postgres', checkpointed: null, vacuum: 'none' });
    } else {
      expect(report.compaction).toMatchObject({ engine: 'sqlite', checkpointed: true, vacuum: 'none' });
      expect(report.compaction?.bytesAfter).toBeGreaterThan(0);
    }
    // Nothing pruned: nothing compacted unless asked.
    expect((await pruneRuns(store.db, { before: NOW - 30 * DAY }, { pauseMs: 0 })).compaction).toBeNull();
  });

  it('lets writers in other processes go on while it prunes, batch after batch', async () => {
    store.db.transaction(() => {
      for (let i = 0; i < 2000; i++) addRun('completed', 60, 2);
    })();
    const writers = Promise.all([1, 2].map((n) => runStoreWriter(store.location, `w${String(n)}`)));
    // Small batches, the default pause: many transactions, the writers' steps between them.
    const report = await pruneRuns(store.db, { before: NOW - 30 * DAY }, { batchSize: 20 });
    const runIds = await writers;
    expect(report).toMatchObject({ runs: 2000, events: 4000, batches: 100 });
    const repo = new RunRepo(store.db);
    for (const id of runIds) {
      expect(repo.events(id).map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(repo.get(id)?.status).toBe('completed');
    }
    expect(count('SELECT COUNT(*) FROM agent_runs')).toBe(2);
    expect(new AuditLog(store.db).verify()).toMatchObject({ ok: true, rows: 2 * 20 });
  }, 60_000);

  it('refuses to prune with no limit', async () => {
    await expect(pruneRuns(store.db, {})).rejects.toThrow(/nothing to prune by/);
  });
});
