import Database from 'better-sqlite3-multiple-ciphers';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStn } from '../../helpers/cli.js';
import { makeTempHome, type TempHome } from '../../helpers/home.js';

/** A station.db with the original Station's tables (FORMATS.md: goose migrations, agents, agent_runs ...). */
function originalDatabase(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP);
    CREATE TABLE environments (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT);
    CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT, prompt TEXT, max_steps INTEGER, environment_id INTEGER);
    CREATE TABLE agent_runs (id INTEGER PRIMARY KEY, agent_id INTEGER, user_id INTEGER, task TEXT, final_response TEXT,
      steps_taken INTEGER, tool_calls TEXT, execution_steps TEXT, status TEXT, started_at TIMESTAMP, completed_at TIMESTAMP,
      input_tokens INTEGER, output_tokens INTEGER, total_tokens INTEGER, duration_seconds REAL, model_name TEXT);
    INSERT INTO goose_db_version (version_id, is_applied) VALUES (42, 1);
    INSERT INTO environments (id, name) VALUES (1, 'default');
    INSERT INTO agents (id, name, environment_id) VALUES (1, 'hello', 1);
    INSERT INTO agent_runs (agent_id, task, final_response, status) VALUES (1, 'hi', 'hello', 'completed');
  `);
  db.close();
}

let temp: TempHome | undefined;
afterEach(() => temp?.cleanup());

describe('a station.db made by the original Station', { timeout: 60_000 }, () => {
  it('is refused with what to do, untouched; once moved aside, stn init makes a new one', async () => {
    temp = makeTempHome();
    mkdirSync(temp.home, { recursive: true });
    writeFileSync(temp.paths.config, 'ai_model: gpt-5-mini\nlocal_mode: true\n');
    originalDatabase(temp.paths.database);
    const r = await runStn(['agent', 'list', '--json'], { env: temp.env });
    expect(r.code).not.toBe(0);
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string; hints: string[] } }).error;
    expect(error.code).toBe('database_original');
    expect(error.message).toContain('made by the original Station');
    expect(error.message).not.toContain('already exists');
    expect(error.hints[0]).toContain('station.original.db');
    // Nothing of Station's was written into it.
    const db = new Database(temp.paths.database, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    db.close();
    expect(tables.map((t) => t.name).sort()).toEqual(['agent_runs', 'agents', 'environments', 'goose_db_version']);

    renameSync(temp.paths.database, join(temp.home, 'station.original.db'));
    expect((await runStn(['init'], { env: temp.env })).code).toBe(0);
    const list = await runStn(['env', 'list', '--json'], { env: temp.env });
    expect(list.code).toBe(0);
  });
});
