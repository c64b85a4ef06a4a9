// Retention (run after `npm run build`): how fast finished runs are pruned from a SQLite station.db, and how
// long one batch holds the write lock (what a writer of another process may wait), with the default batch (500
// runs) and pause (10 ms) and with no pause; then the file's size over rounds of writing and pruning.
// Each run has 20 events of about 300 bytes, as a short agent run records.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, pruneRuns } from '../dist/core/index.js';
import { median, report, tempHome } from './lib.js';

const RUNS = 20_000;
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

async function throughput(label, pauseMs) {
  const work = tempHome();
  const file = join(work.home, 'station.db');
  const db = openDatabase(file);
  try {
    fill(db, RUNS);
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
    report(`prune ${String(RUNS)} runs (${label}): runs/s`, Math.round(result.runs / seconds).toLocaleString('en'));
    report(`prune (${label}): events/s`, Math.round(result.events / seconds).toLocaleString('en'));
    report(
      `prune (${label}): lock per batch, median / max`,
      `${median(held).toFixed(1)} ms / ${Math.max(...held).toFixed(1)} ms`,
    );
  } finally {
    db.close();
    work.cleanup();
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

await throughput('default pause 10 ms', 10);
await throughput('no pause', 0);
await levelling();
