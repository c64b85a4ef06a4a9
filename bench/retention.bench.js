// Retention (run after `npm run build`): how fast finished runs are pruned from a SQLite station.db, and how
// long one batch holds the write lock (what a writer of another process may wait), with the default batch (500
// runs) and pause (10 ms) and with no pause; the same on PostgreSQL when STATION_BENCH_PG_URL (default the local
// test server) answers; then the SQLite file's size over rounds of writing and pruning.
// Each run has 20 events of about 300 bytes, as a short agent run records.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { openDatabase, pruneRuns } from '../dist/core/index.js';
import { openPostgres } from '../dist/core/store/open-store.js';
import { PgSyncDb } from '../dist/core/store/postgres/pg-sync-db.js';
import { median, report, tempHome } from './lib.js';

const RUNS = 20_000;
/** Fewer on PostgreSQL: every insert of the fill is a round trip. */
const PG_RUNS = 2_000;
const DEFAULT_PAUSE_MS = 10;
const PG_URL = process.env.STATION_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = 20;
const DATA = JSON.stringify({ text: 'x'.repeat(290) });

function fill(db, runs, now = Date.now()) {
  const run = db.prepare(
    `INSERT INTO agent_runs (agent_name, environment_name, status, created_at, finished_at)
     VALUES ('hello', 'default', 'completed', ?, ?) RETURNING id`,
  );
  const event = db.prepare('INSERT INTO run_events (run_id, seq, type, ts, data_json) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < runs; i++) {
      const id = run.pluck().get(now, now + 1000);
      for (let seq = 1; seq <= EVENTS; seq++) event.run(id, seq, 'tool.finished', now + seq, DATA);
    }
  })();
}

function size(file) {
  const wal = `${file}-wal`;
  return statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
}

/** Prunes every run of `db` (filled with `runs` first) and reports runs/s, events/s and the lock held per batch. */
async function measure(db, label, pauseMs, runs) {
  fill(db, runs);
  const batches = [];
  let last = performance.now();
  const start = last;
  const result = await pruneRuns(
    db,
    { keep: 0 },
    {
      pauseMs,
      compact: false,
      onBatch: () => {
        const now = performance.now();
        batches.push(now - last);
        last = now;
      },
    },
  );
  const seconds = (performance.now() - start) / 1000;
  // Each batch's time includes the pause before it (except the first).
  const held = batches.map((ms, i) => (i === 0 ? ms : ms - pauseMs));
  report(`prune ${String(runs)} runs (${label}): runs/s`, Math.round(result.runs / seconds).toLocaleString('en'));
  report(`prune (${label}): events/s`, Math.round(result.events / seconds).toLocaleString('en'));
  report(
    `prune (${label}): lock per batch, median / max`,
    `${median(held).toFixed(1)} ms / ${Math.max(...held).toFixed(1)} ms`,
  );
}

async function throughput(label, pauseMs) {
  const work = tempHome();
  const db = openDatabase(join(work.home, 'station.db'));
  try {
    await measure(db, `SQLite, ${label}`, pauseMs, RUNS);
  } finally {
    db.close();
    work.cleanup();
  }
}

/** The same on PostgreSQL (a schema of its own on STATION_BENCH_PG_URL), when a server answers there. */
async function onPostgres() {
  let admin;
  try {
    admin = new PgSyncDb({ url: PG_URL });
  } catch (error) {
    report('prune on PostgreSQL', `skipped: ${String(error.message).split('\n')[0]}`);
    return;
  }
  const schema = `stn_bench_${randomBytes(5).toString('hex')}`;
  admin.exec(`CREATE SCHEMA ${schema}`);
  const db = openPostgres(`${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`);
  try {
    await measure(db, 'PostgreSQL, default pause', DEFAULT_PAUSE_MS, PG_RUNS);
  } finally {
    db.close();
    admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    admin.close();
  }
}

async function levelling() {
  const work = tempHome();
  const file = join(work.home, 'station.db');
  const db = openDatabase(file);
  try {
    const sizes = [];
    for (let round = 0; round < 40; round++) {
      fill(db, 500);
      await pruneRuns(db, { keep: 2000 }, { pauseMs: 0, compact: true });
      sizes.push(size(file));
    }
    const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    report('soak (40 x 500 runs, keep 2000): size at round 5', mb(sizes[4]));
    report('soak: size after round 20 / 40', `${mb(sizes[19])} / ${mb(sizes[39])}`);
    report('soak: data written in all (events only)', mb(40 * 500 * EVENTS * DATA.length));
  } finally {
    db.close();
    work.cleanup();
  }
}

await throughput('default pause', DEFAULT_PAUSE_MS);
await throughput('no pause', 0);
await onPostgres();
await levelling();
