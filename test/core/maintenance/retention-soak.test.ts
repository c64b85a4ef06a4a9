// The SQLite file under retention: runs with events written round after round while older ones are pruned; the
// file (database and write-ahead log) levels off instead of growing with what was ever written. Then the two ways
// free pages are given back: a full VACUUM after a prune frees most of the file, incremental_vacuum on a database
// made with auto_vacuum = INCREMENTAL. And the schedule `stn serve` runs the pass on. Not timed.
import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pruneRuns } from '../../../src/core/maintenance/retention.js';
import { scheduleRetention } from '../../../src/core/maintenance/retention-schedule.js';
import { openDatabase, type Db } from '../../../src/core/store/database.js';
import { compactStore } from '../../../src/core/store/store-compaction.js';
import { addRunRow } from '../../helpers/run-rows.js';

let dir: string;
let file: string;
let db: Db | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'station-retention-'));
  file = join(dir, 'station.db');
});
afterEach(() => {
  db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The database file and its write-ahead log, in bytes. */
function onDisk(): number {
  const wal = `${file}-wal`;
  return statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
}

/** `count` finished runs of `events` events of about 400 bytes each. */
function writeRuns(store: Db, count: number, events = 20): void {
  store.transaction(() => {
    for (let i = 0; i < count; i++)
      addRunRow(store, { status: 'completed', createdAt: Date.now(), events, eventBytes: 400 });
  })();
}

describe('retention on a SQLite file', () => {
  it('keeps the file from growing: its size levels off while runs are written and pruned, round after round', async () => {
    db = openDatabase(file);
    const ROUNDS = 30;
    const RUNS_PER_ROUND = 100;
    const sizes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      writeRuns(db, RUNS_PER_ROUND);
      // A run still going through every round is never pruned.
      if (round === 0) addRunRow(db, { status: 'running', createdAt: Date.now(), events: 5 });
      const report = await pruneRuns(db, { keep: 3 * RUNS_PER_ROUND }, { pauseMs: 0, compact: true });
      if (round >= 4) expect(report.runs).toBe(RUNS_PER_ROUND);
      expect(report.compaction?.checkpointed).toBe(true);
      sizes.push(onDisk());
    }
    const written = ROUNDS * RUNS_PER_ROUND * 20 * 400;
    const settled = sizes[4] ?? 0;
    const last = sizes[ROUNDS - 1] ?? 0;
    // Twenty-five more rounds of writing (about 20 MB) add less than a fifth to the file of round five.
    expect(last).toBeLessThanOrEqual(settled * 1.2);
    expect(last).toBeLessThan(written / 5);
    expect(Number(db.prepare('SELECT COUNT(*) FROM agent_runs').pluck().get())).toBe(3 * RUNS_PER_ROUND + 1);
    expect(Number(db.prepare("SELECT COUNT(*) FROM agent_runs WHERE status = 'running'").pluck().get())).toBe(1);
    // The write-ahead log is emptied by each pass's checkpoint.
    expect(statSync(`${file}-wal`).size).toBe(0);
  });

  it('a prune that frees most of the file is followed by a full VACUUM that shrinks it', async () => {
    db = openDatabase(file);
    writeRuns(db, 500);
    const full = onDisk();
    const report = await pruneRuns(db, { keep: 10 }, { pauseMs: 0, compaction: { vacuumMinBytes: 1 } });
    expect(report.runs).toBe(490);
    expect(report.compaction).toMatchObject({ engine: 'sqlite', vacuum: 'full', checkpointed: true });
    const { bytesBefore, bytesAfter, freeBytesAfter } = report.compaction ?? {};
    expect(bytesAfter).toBeLessThan((bytesBefore ?? 0) / 5);
    expect(freeBytesAfter).toBe(0);
    expect(onDisk()).toBeLessThan(full / 5);
    // A small share free: no VACUUM (SQLite reuses free pages).
    writeRuns(db, 100);
    const small = await pruneRuns(db, { keep: 100 }, { pauseMs: 0, compaction: { vacuumMinBytes: 1 } });
    expect(small.runs).toBe(10);
    expect(small.compaction?.vacuum).toBe('none');
  });

  it('gives free pages back step by step on a database made with auto_vacuum = INCREMENTAL', async () => {
    const raw = new Database(file);
    raw.pragma('auto_vacuum = INCREMENTAL');
    raw.pragma('journal_mode = WAL');
    raw.close();
    db = openDatabase(file);
    expect(Number(db.prepare('PRAGMA auto_vacuum').pluck().get())).toBe(2);
    writeRuns(db, 300);
    const report = await pruneRuns(db, { keep: 10 }, { pauseMs: 0 });
    expect(report.compaction).toMatchObject({ vacuum: 'incremental', checkpointed: true, freeBytesAfter: 0 });
    expect(report.compaction?.bytesAfter).toBeLessThan((report.compaction?.bytesBefore ?? 0) / 5);
  });

  it('does not wait out the busy timeout for another process: a reader postpones the checkpoint, a writer the VACUUM', async () => {
    db = openDatabase(file, { busyTimeoutMs: 60_000 });
    writeRuns(db, 300);
    await pruneRuns(db, { keep: 10 }, { pauseMs: 0, compact: false });
    const other = openDatabase(file);
    try {
      // A reader on an older snapshot: the log cannot be emptied while it reads.
      other.exec('BEGIN');
      other.prepare('SELECT COUNT(*) FROM agent_runs').get();
      writeRuns(db, 1);
      const read = compactStore(db, { vacuumMinBytes: Number.MAX_SAFE_INTEGER, waitMs: 50 });
      expect(read).toMatchObject({ checkpointed: false, vacuum: 'none' });
      other.exec('COMMIT');
      // A writer holding the lock: the VACUUM is left for the next pass.
      other.exec('BEGIN IMMEDIATE');
      const written = compactStore(db, { vacuumMinBytes: 1, waitMs: 50 });
      expect(written.vacuum).toBe('busy');
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    // The connection's own busy timeout is as it was, and with nobody else the VACUUM goes through.
    expect(Number(db.prepare('PRAGMA busy_timeout').pluck().get())).toBe(60_000);
    expect(compactStore(db, { vacuumMinBytes: 1 })).toMatchObject({ checkpointed: true, vacuum: 'full' });
  });

  it('compacting with nothing to give back only checkpoints', () => {
    db = openDatabase(file);
    writeRuns(db, 10);
    expect(compactStore(db)).toMatchObject({ checkpointed: true, vacuum: 'none', freeBytesAfter: 0 });
  });
});

describe('the retention schedule', () => {
  it('runs passes one after another, reports failures, and stops after the pass in progress', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    let active = 0;
    let overlapped = false;
    const schedule = scheduleRetention(
      async () => {
        calls++;
        if (active > 0) overlapped = true;
        active++;
        await new Promise((r) => setTimeout(r, 5));
        active--;
        if (calls === 2) throw new Error('pass two failed');
      },
      { intervalMs: 1, firstDelayMs: 0, onError: (e) => errors.push(e) },
    );
    await vi.waitFor(() => expect(schedule.passes).toBeGreaterThanOrEqual(4), { timeout: 10_000 });
    await schedule.stop();
    const after = schedule.passes;
    await new Promise((r) => setTimeout(r, 30));
    expect(schedule.passes).toBe(after);
    expect(overlapped).toBe(false);
    expect(errors.map((e) => (e as Error).message)).toEqual(['pass two failed']);
  });
});
