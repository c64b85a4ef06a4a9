import { sqliteConnection } from './sqlite-driver.js';
import { existsSync, renameSync } from 'node:fs';
import {
  ConflictError,
  DatabaseError,
  errorMessage,
  FileFormatError,
  isStationError,
  NotFoundError,
} from '../errors.js';
import type { RunStatus, StopReason } from '../events/run-events.js';
import type { Db } from './database.js';
import type { StoreDb } from './store-db.js';

/**
 * Whether an open database was made by the original Station (Go, goose migrations): a `goose_db_version`
 * table, or its `agent_runs` with `final_response`.
 */
export function looksLikeOriginalDatabase(db: Db): boolean {
  const has = (sql: string): boolean => db.prepare(sql).get() !== undefined;
  return (
    has("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'") ||
    has("SELECT 1 FROM pragma_table_info('agent_runs') WHERE name = 'final_response'")
  );
}

/** Whether a file is a (plain SQLite) database made by the original Station; false for anything else. */
export function isOriginalDatabaseFile(file: string): boolean {
  if (!existsSync(file)) return false;
  let db: Db | undefined;
  try {
    db = sqliteConnection(file, { readonly: true, fileMustExist: true }) as Db;
    return looksLikeOriginalDatabase(db);
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/** What an import did. */
export interface OriginalImportResult {
  /** The original's database read. */
  file: string;
  /** Runs in it. */
  total: number;
  /** Runs added to Station's history now. */
  imported: number;
  /** Runs imported already (by an earlier import of the same file), left as they were. */
  skipped: number;
  /** Station's ids of the runs added now, oldest first. */
  runIds: number[];
}

/** A run of the original as read from its agent_runs (joined with its agents and environments). */
interface OriginalRunRow {
  id: number;
  agent_id: number | null;
  agent_name: string | null;
  environment_name: string | null;
  task: string | null;
  final_response: string | null;
  steps_taken: number | null;
  tool_calls: string | null;
  status: string | null;
  started_at: unknown;
  completed_at: unknown;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  duration_seconds: number | null;
  model_name: string | null;
}

/** The columns of the original's agent_runs the import needs (the rest are optional). */
const REQUIRED_COLUMNS = ['id', 'agent_id', 'task', 'final_response', 'status', 'started_at'] as const;
const OPTIONAL_COLUMNS = [
  'steps_taken',
  'tool_calls',
  'completed_at',
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'duration_seconds',
  'model_name',
] as const;

/**
 * Adds the run history of the original Station's database `file` (opened read-only, never written) to
 * Station's database `db`, in one transaction: either every run is added or none. Each run keeps its
 * agent and environment by name (Station's ids when they exist here, else none: runs of agents deleted
 * since are still imported), its task as input `{userInput}`, its answer, tokens, times, duration and
 * model, trigger `import`. Statuses the original left unfinished (running, pending) become `interrupted`,
 * and a status Station does not know becomes `failed`, each with an error saying what the original
 * recorded. Importing the same file again adds nothing (each run remembers the original's id and start).
 */
export function importOriginalRuns(db: StoreDb, file: string, now = Date.now()): OriginalImportResult {
  const rows = readOriginalRuns(file);
  const result: OriginalImportResult = { file, total: rows.length, imported: 0, skipped: 0, runIds: [] };
  const seen = db.prepare('SELECT run_id FROM original_runs WHERE source_key = ?');
  const remember = db.prepare('INSERT INTO original_runs (source_key, run_id, imported_at) VALUES (?, ?, ?)');
  const insert = db.prepare(
    `INSERT INTO agent_runs (agent_id, agent_name, environment_id, environment_name, input_json, status, stop_reason,
                             final_output, model, tokens_in, tokens_out, tokens_total, steps, tool_calls, error, pid,
                             created_at, started_at, finished_at, duration_ms, trigger)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, 'import') RETURNING id`,
  );
  const stationAgent = db.prepare(
    `SELECT a.id AS agent_id, e.id AS environment_id FROM environments e LEFT JOIN agents a
        ON a.environment_id = e.id AND a.name = ? WHERE e.name = ?`,
  );
  const apply = db.transaction(() => {
    for (const row of rows) {
      const run = toStationRun(row, file);
      if (seen.get(run.sourceKey) !== undefined) {
        result.skipped++;
        continue;
      }
      const ids = stationAgent.get(run.agentName, run.environmentName) as
        { agent_id: number | null; environment_id: number } | undefined;
      const info = insert.get(
        ids?.agent_id ?? null,
        run.agentName,
        ids?.environment_id ?? null,
        run.environmentName,
        JSON.stringify(run.input),
        run.status,
        run.stopReason,
        run.output,
        run.model,
        run.tokens.input,
        run.tokens.output,
        run.tokens.total,
        run.steps,
        run.toolCalls,
        run.error === null ? null : JSON.stringify(run.error),
        run.startedAt,
        run.startedAt,
        run.finishedAt,
        run.durationMs,
      ) as { id: number };
      const runId = info.id;
      remember.run(run.sourceKey, runId, now);
      result.imported++;
      result.runIds.push(runId);
    }
  });
  apply.immediate();
  return result;
}

/** The runs of the original's database, oldest first; a file that is not one is refused naming what was expected. */
function readOriginalRuns(file: string): OriginalRunRow[] {
  if (!existsSync(file)) {
    throw new NotFoundError(`${file} does not exist`, {
      hints: ["Give the path of the original Station's station.db (moved aside: station.original.db)."],
      details: { file },
    });
  }
  const notOriginal = (why: string, cause?: unknown): FileFormatError =>
    new FileFormatError({ file }, `not a database made by the original Station: ${why}`, {
      code: 'not_original_database',
      ...(cause === undefined ? {} : { cause }),
      hints: [
        "Expected a SQLite file with the original's tables (goose_db_version, agents, environments, agent_runs): its station.db.",
      ],
    });
  let source: Db;
  try {
    source = sqliteConnection(file, { readonly: true, fileMustExist: true }) as Db;
  } catch (error) {
    throw notOriginal(errorMessage(error), error);
  }
  try {
    let columns: Set<string>;
    try {
      if (!looksLikeOriginalDatabase(source)) throw notOriginal('it has no goose_db_version table');
      columns = new Set(
        (source.prepare("SELECT name FROM pragma_table_info('agent_runs')").all() as { name: string }[]).map(
          (c) => c.name,
        ),
      );
    } catch (error) {
      if (isStationError(error)) throw error;
      throw notOriginal(errorMessage(error), error);
    }
    const missing = REQUIRED_COLUMNS.filter((c) => !columns.has(c));
    if (missing.length > 0) throw notOriginal(`its agent_runs table has no ${missing.join(', ')}`);
    const optional = OPTIONAL_COLUMNS.map((c) => (columns.has(c) ? `r.${c}` : `NULL AS ${c}`));
    const tables = new Set(
      (source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    );
    const joined = tables.has('agents') && tables.has('environments');
    const sql = joined
      ? `SELECT r.id, r.agent_id, a.name AS agent_name, e.name AS environment_name, r.task, r.final_response, r.status,
                r.started_at, ${optional.join(', ')}
           FROM agent_runs r LEFT JOIN agents a ON a.id = r.agent_id LEFT JOIN environments e ON e.id = a.environment_id
          ORDER BY r.id`
      : `SELECT r.id, r.agent_id, NULL AS agent_name, NULL AS environment_name, r.task, r.final_response, r.status,
                r.started_at, ${optional.join(', ')}
           FROM agent_runs r ORDER BY r.id`;
    try {
      return source.prepare(sql).all() as OriginalRunRow[];
    } catch (error) {
      throw new DatabaseError(`cannot read the runs of ${file}: ${errorMessage(error)}`, { cause: error });
    }
  } finally {
    source.close();
  }
}

/** A run of the original as Station records it. */
interface ImportedRun {
  sourceKey: string;
  agentName: string;
  environmentName: string;
  input: { userInput: string };
  status: RunStatus;
  stopReason: StopReason | null;
  output: string | null;
  model: string | null;
  tokens: { input: number; output: number; total: number };
  steps: number;
  toolCalls: number;
  error: { code: string; message: string } | null;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
}

/** Statuses of the original and what they are in Station (and why the run stopped). */
const STATUS_MAP: Record<string, { status: RunStatus; stopReason: StopReason }> = {
  completed: { status: 'completed', stopReason: 'final_answer' },
  success: { status: 'completed', stopReason: 'final_answer' },
  failed: { status: 'failed', stopReason: 'error' },
  error: { status: 'failed', stopReason: 'error' },
  cancelled: { status: 'cancelled', stopReason: 'cancelled' },
  canceled: { status: 'cancelled', stopReason: 'cancelled' },
  timeout: { status: 'timed_out', stopReason: 'timeout' },
  timed_out: { status: 'timed_out', stopReason: 'timeout' },
};
/** Statuses of a run the original had not finished: it will not finish now. */
const UNFINISHED = new Set(['running', 'pending', 'queued', 'started']);

function toStationRun(row: OriginalRunRow, file: string): ImportedRun {
  const bad = (message: string): FileFormatError =>
    new FileFormatError({ file }, `run ${String(row.id)} of agent_runs: ${message}`, {
      code: 'not_original_database',
      hints: ['Nothing was imported. Fix or delete that row in a copy of the file, then import the copy.'],
    });
  if (!Number.isInteger(row.id)) throw bad(`id ${JSON.stringify(row.id)} is not a number`);
  const startedAt = parseOriginalTime(row.started_at);
  if (startedAt === undefined || startedAt === null) {
    throw bad(`started_at ${JSON.stringify(row.started_at)} is not a time`);
  }
  const completed = parseOriginalTime(row.completed_at);
  if (completed === undefined) throw bad(`completed_at ${JSON.stringify(row.completed_at)} is not a time`);
  const original = (row.status ?? '').trim().toLowerCase();
  let status: RunStatus;
  let stopReason: StopReason | null;
  let error: ImportedRun['error'] = null;
  const known = STATUS_MAP[original];
  if (known !== undefined) {
    ({ status, stopReason } = known);
    if (status === 'failed') {
      error = { code: 'original_failed', message: 'the original Station recorded this run as failed' };
    }
  } else if (UNFINISHED.has(original)) {
    status = 'interrupted';
    stopReason = 'interrupted';
    error = {
      code: 'original_unfinished',
      message: `the original Station recorded this run as ${original}: it never finished there`,
    };
  } else {
    status = 'failed';
    stopReason = null;
    error = {
      code: 'original_status_unknown',
      message: `the original Station recorded status ${JSON.stringify(row.status)}, which Station does not know`,
    };
  }
  const finishedAt = completed ?? null;
  const seconds = row.duration_seconds;
  const durationMs =
    typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
      ? Math.round(seconds * 1000)
      : finishedAt === null
        ? null
        : Math.max(0, finishedAt - startedAt);
  const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);
  const tokensIn = count(row.input_tokens);
  const tokensOut = count(row.output_tokens);
  return {
    sourceKey: `${String(row.id)}@${typeof row.started_at === 'string' ? row.started_at : String(row.started_at)}`,
    agentName: row.agent_name ?? `unknown-agent-${String(row.agent_id ?? 'none')}`,
    environmentName: row.environment_name ?? 'unknown',
    input: { userInput: row.task ?? '' },
    status,
    stopReason,
    output: row.final_response,
    model: row.model_name === null || row.model_name === '' ? null : row.model_name,
    tokens: { input: tokensIn, output: tokensOut, total: count(row.total_tokens) || tokensIn + tokensOut },
    steps: count(row.steps_taken),
    toolCalls: countToolCalls(row.tool_calls),
    error,
    startedAt,
    finishedAt,
    durationMs,
  };
}

/** The number of entries of the original's tool_calls JSON array (0 when empty or unreadable). */
function countToolCalls(json: string | null): number {
  if (json === null || json === '') return 0;
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? parsed.length : 0;
  } catch {
    return 0;
  }
}

/**
 * A time as the original's Go SQLite driver stored it: `2025-08-03 12:34:56`, with fractions, a `T`, a zone
 * (`Z`, `+02:00`, ` +0000 UTC`), or seconds since the epoch. A time with no zone is UTC. Null for none,
 * undefined for text that is not a time.
 */
export function parseOriginalTime(value: unknown): number | null | undefined {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? (value > 1e12 ? value : value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const m =
    /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?(?:\s+[A-Z]{2,5})?(?:\s+m=[+-][\d.]+)?$/.exec(
      value.trim(),
    );
  if (m === null) return undefined;
  const [, date, clock, fraction, zone] = m;
  const ms = fraction === undefined ? '' : `.${fraction.slice(1, 4).padEnd(3, '0')}`;
  const tz =
    zone === undefined || zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const parsed = Date.parse(`${date ?? ''}T${clock ?? ''}${ms}${tz}`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Where `stn init --import-original` moves the original's station.db: station.original.db beside it. */
export function originalAsidePath(database: string): string {
  return `${database.replace(/\.db$/, '')}.original.db`;
}

/**
 * Moves the original's station.db (with its -wal and -shm files) aside to station.original.db, so that
 * Station can make its own. Refuses when that name is taken (nothing is moved). Returns the new path.
 */
export function moveOriginalDatabaseAside(database: string): string {
  const aside = originalAsidePath(database);
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(`${aside}${suffix}`)) {
      throw new ConflictError(`cannot move ${database} aside: ${aside}${suffix} already exists`, {
        hints: [
          `Move or remove ${aside}${suffix} first, or move ${database} elsewhere yourself and import it with: stn db import-original FILE`,
        ],
        details: { file: database, aside },
      });
    }
  }
  renameSync(database, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${database}${suffix}`)) renameSync(`${database}${suffix}`, `${aside}${suffix}`);
  }
  return aside;
}
