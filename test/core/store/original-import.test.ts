import Database from 'better-sqlite3-multiple-ciphers';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/core/index.js';
import { readEncryptionKey } from '../../../src/core/security/encryption-key.js';
import { importOriginalRuns, parseOriginalTime } from '../../../src/core/store/original-import.js';
import { RunRepo } from '../../../src/core/store/run-repo.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { ORIGINAL_RUNS, writeOriginalDatabase } from '../../helpers/original-db.js';

let temp: TempHome | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
  temp?.cleanup();
});

function open(): { db: Db; original: string } {
  temp = makeInitializedHome();
  const paths = temp.paths;
  db = openDatabase(paths.database, { key: () => readEncryptionKey(paths, temp?.env ?? {}) });
  const original = join(temp.home, 'station.original.db');
  writeOriginalDatabase(original);
  return { db, original };
}

describe('importing the original Station run history', () => {
  it('maps agent, environment, status, input, answer, tokens, times and model; trigger import', () => {
    const { db, original } = open();
    const before = readFileSync(original);
    const result = importOriginalRuns(db, original, 1_000);
    expect(result).toMatchObject({ file: original, total: 4, imported: 4, skipped: 0 });
    expect(readFileSync(original).equals(before)).toBe(true);
    const rows = new RunRepo(db).list({ trigger: 'import' }).reverse();
    expect(rows).toHaveLength(4);
    const [done, failed, running, orphan] = rows;
    // Station's default environment exists (its agents are not synced yet: no agent id).
    const defaultId = (db.prepare("SELECT id FROM environments WHERE name = 'default'").get() as { id: number }).id;
    expect(done).toMatchObject({
      agent_name: 'hello',
      agent_id: null,
      environment_id: defaultId,
      environment_name: 'default',
      status: 'completed',
      stop_reason: 'final_answer',
      final_output: 'Hello!',
      model: 'gpt-4o-mini',
      tokens_in: 100,
      tokens_out: 20,
      tokens_total: 120,
      steps: 2,
      tool_calls: 1,
      error: null,
      trigger: 'import',
      started_at: Date.parse('2025-08-03T12:00:00Z'),
      created_at: Date.parse('2025-08-03T12:00:00Z'),
      finished_at: Date.parse('2025-08-03T12:00:04Z'),
      duration_ms: 4250,
    });
    expect(JSON.parse(done?.input_json ?? '')).toEqual({ userInput: 'Say hi' });
    // An environment Station does not have (staging): kept by name, no id.
    expect(failed).toMatchObject({
      agent_name: 'reviewer',
      agent_id: null,
      environment_name: 'staging',
      environment_id: null,
      status: 'failed',
      final_output: 'error: tool failed',
      started_at: Date.parse('2025-08-03T13:00:00.500Z'),
      duration_ms: 10_000,
    });
    expect(JSON.parse(failed?.error ?? '')).toMatchObject({ code: 'original_failed' });
    // Never finished in the original: interrupted, not running (nothing runs it).
    expect(running).toMatchObject({ status: 'interrupted', stop_reason: 'interrupted', finished_at: null });
    expect(JSON.parse(running?.error ?? '')).toMatchObject({ code: 'original_unfinished' });
    // An agent the original deleted and a status Station does not know: failed, saying so.
    expect(orphan).toMatchObject({ agent_name: 'unknown-agent-9', environment_name: 'unknown', status: 'failed' });
    expect(orphan?.started_at).toBe(Date.parse('2025-08-04T10:00:00.123Z'));
    expect(JSON.parse(orphan?.error ?? '').message).toContain('"weird"');
  });

  it('is idempotent: the same file again adds nothing, new runs of it are added', () => {
    const { db, original } = open();
    expect(importOriginalRuns(db, original).imported).toBe(4);
    expect(importOriginalRuns(db, original)).toMatchObject({ imported: 0, skipped: 4 });
    const extra = new Database(original);
    extra
      .prepare("INSERT INTO agent_runs (id, agent_id, task, status, started_at) VALUES (5, 1, 'more', 'completed', ?)")
      .run('2025-08-05 08:00:00');
    extra.close();
    expect(importOriginalRuns(db, original)).toMatchObject({ total: 5, imported: 1, skipped: 4 });
    expect(new RunRepo(db).list({ trigger: 'import' })).toHaveLength(5);
  });

  it('imports all or nothing: a bad row rolls back every run', () => {
    const { db } = open();
    const bad = join(temp?.home ?? '', 'bad.db');
    writeOriginalDatabase(bad, [...ORIGINAL_RUNS, { ...ORIGINAL_RUNS[0]!, id: 7, startedAt: 'yesterday-ish' }]);
    expect(() => importOriginalRuns(db, bad)).toThrow(/run 7 of agent_runs: started_at "yesterday-ish" is not a time/);
    expect(new RunRepo(db).list({ trigger: 'import' })).toHaveLength(0);
    expect(db.prepare('SELECT COUNT(*) AS n FROM original_runs').get()).toEqual({ n: 0 });
  });

  it('refuses a file that is not the original database, naming it and what was expected (exit 5)', () => {
    const { db } = open();
    const home = temp?.home ?? '';
    const text = join(home, 'notes.db');
    writeFileSync(text, 'just some text, not SQLite at all\n'.repeat(100));
    const stations = join(home, 'copy.db');
    copyFileSync(temp?.paths.database ?? '', stations);
    for (const file of [text, stations]) {
      let error: { exitCode?: number; code?: string; message?: string; hints?: string[] } = {};
      try {
        importOriginalRuns(db, file);
      } catch (e) {
        error = e as typeof error;
      }
      expect(error.exitCode).toBe(5);
      expect(error.code).toBe('not_original_database');
      expect(error.message).toContain(file);
      expect(error.hints?.join(' ')).toContain('goose_db_version');
    }
    expect(() => importOriginalRuns(db, join(home, 'missing.db'))).toThrow(/does not exist/);
  });

  it('reads the time formats the original wrote', () => {
    expect(parseOriginalTime('2025-08-03 12:00:00')).toBe(Date.parse('2025-08-03T12:00:00Z'));
    expect(parseOriginalTime('2025-08-03T12:00:00+02:00')).toBe(Date.parse('2025-08-03T10:00:00Z'));
    expect(parseOriginalTime('2025-08-03 12:00:00.987654321 +0000 UTC')).toBe(Date.parse('2025-08-03T12:00:00.987Z'));
    expect(parseOriginalTime(1_754_222_400)).toBe(1_754_222_400_000);
    expect(parseOriginalTime(null)).toBeNull();
    expect(parseOriginalTime('soon')).toBeUndefined();
  });
});
