import Database from 'better-sqlite3-multiple-ciphers';

/** A run row of the original Station's agent_runs, as a test writes it. */
export interface OriginalRun {
  id: number;
  agentId: number;
  task: string;
  answer: string | null;
  status: string;
  startedAt: string;
  completedAt?: string | null;
  tokens?: [number, number, number];
  durationSeconds?: number | null;
  model?: string;
}

/** The default runs: completed, failed, running, and one of an agent the original deleted. */
export const ORIGINAL_RUNS: readonly OriginalRun[] = [
  {
    id: 1,
    agentId: 1,
    task: 'Say hi',
    answer: 'Hello!',
    status: 'completed',
    startedAt: '2025-08-03 12:00:00',
    completedAt: '2025-08-03 12:00:04',
    tokens: [100, 20, 120],
    durationSeconds: 4.25,
    model: 'gpt-4o-mini',
  },
  {
    id: 2,
    agentId: 2,
    task: 'List files',
    answer: 'error: tool failed',
    status: 'failed',
    startedAt: '2025-08-03T13:00:00.5Z',
    completedAt: '2025-08-03T13:00:10.5Z',
    tokens: [50, 5, 55],
    durationSeconds: null,
    model: 'gemini-2.5-flash',
  },
  { id: 3, agentId: 1, task: 'Still going', answer: null, status: 'running', startedAt: '2025-08-04 09:00:00' },
  {
    id: 4,
    agentId: 9,
    task: 'Orphan',
    answer: 'done',
    status: 'weird',
    startedAt: '2025-08-04 10:00:00.123456 +0000 UTC',
    completedAt: '2025-08-04 10:00:01 +0000 UTC',
  },
];

/**
 * A station.db with the original Station's tables (FORMATS.md): goose_db_version, environments, agents
 * (hello and file-explorer in "default", reviewer in "staging"), agent_runs with `runs`.
 */
export function writeOriginalDatabase(file: string, runs: readonly OriginalRun[] = ORIGINAL_RUNS): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP);
    CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT);
    CREATE TABLE environments (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT);
    CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT, prompt TEXT, max_steps INTEGER, environment_id INTEGER);
    CREATE TABLE agent_runs (id INTEGER PRIMARY KEY, agent_id INTEGER, user_id INTEGER, task TEXT, final_response TEXT,
      steps_taken INTEGER, tool_calls TEXT, execution_steps TEXT, status TEXT, started_at TIMESTAMP, completed_at TIMESTAMP,
      input_tokens INTEGER, output_tokens INTEGER, total_tokens INTEGER, duration_seconds REAL, model_name TEXT,
      tools_used INTEGER, debug_logs TEXT);
    INSERT INTO goose_db_version (version_id, is_applied) VALUES (42, 1);
    INSERT INTO users (id, username) VALUES (1, 'admin');
    INSERT INTO environments (id, name) VALUES (1, 'default'), (2, 'staging');
    INSERT INTO agents (id, name, environment_id) VALUES (1, 'hello', 1), (2, 'reviewer', 2);
  `);
  const insert = db.prepare(
    `INSERT INTO agent_runs (id, agent_id, user_id, task, final_response, steps_taken, tool_calls, execution_steps, status,
       started_at, completed_at, input_tokens, output_tokens, total_tokens, duration_seconds, model_name, tools_used)
     VALUES (?, ?, 1, ?, ?, 2, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
  );
  for (const r of runs) {
    const [input, output, total] = r.tokens ?? [0, 0, 0];
    insert.run(
      r.id,
      r.agentId,
      r.task,
      r.answer,
      '[{"name":"read_file"}]',
      r.status,
      r.startedAt,
      r.completedAt ?? null,
      input,
      output,
      total,
      r.durationSeconds ?? null,
      r.model ?? null,
    );
  }
  db.close();
}
