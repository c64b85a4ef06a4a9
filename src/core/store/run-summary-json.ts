/**
 * The one definition of a run summary (RunSummary in runner/run-service.ts, what `stn runs list --json`,
 * GET /api/v1/runs, the TUI and MCP show): a JSON object built by the database from an agent_runs row. Lists
 * are read as one JSON array text, which the REST door sends as is and the other doors parse once, so a
 * list costs neither a JavaScript object per column nor a second serialisation. SQLite and PostgreSQL build
 * the same object with their own JSON functions (runSummarySql).
 */
import type { Dialect } from './store-db.js';

/** Milliseconds since the epoch (column `c`) as Date#toISOString() writes them; null stays null. */
function isoSql(c: string): string {
  // Whole seconds and milliseconds apart: no floating-point rounding of the milliseconds.
  return `strftime('%Y-%m-%dT%H:%M:%S', ${c} / 1000, 'unixepoch') || printf('.%03dZ', ${c} % 1000)`;
}

/**
 * The stored error (JSON text of {code, message}) as {code, message}; text that is not such an object is
 * shown whole as the message of code `error`.
 */
const ERROR_SQL = `CASE
    WHEN error IS NULL THEN NULL
    WHEN NOT json_valid(error) THEN json_object('code', 'error', 'message', error)
    WHEN json_type(error, '$.code') = 'text' AND json_type(error, '$.message') = 'text'
      THEN json_object('code', error ->> '$.code', 'message', error ->> '$.message')
    ELSE json_object('code', 'error', 'message', error)
  END`;

/** The columns a summary reads (what a list selects in its inner query). */
export const RUN_SUMMARY_COLUMNS = `id, agent_name, environment_name, status, stop_reason, trigger, scheduled_at, model, steps,
  tool_calls, tokens_in, tokens_out, tokens_total, error, created_at, started_at, finished_at, duration_ms`;

/** PostgreSQL: the same instant text (to_char of whole seconds, then the milliseconds). */
function pgIsoSql(c: string): string {
  return `(to_char(to_timestamp(${c} / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' || lpad((${c} % 1000)::text, 3, '0') || 'Z')`;
}

/** What one engine builds a summary with: its JSON object function, instant text and stored-error object. */
interface SummaryDialect {
  object: string;
  iso(column: string): string;
  error: string;
}

const SQLITE: SummaryDialect = { object: 'json_object', iso: isoSql, error: ERROR_SQL };
// stn_error_json is defined by PostgreSQL's schema (postgres/pg-migrations.ts).
const POSTGRES: SummaryDialect = { object: 'json_build_object', iso: pgIsoSql, error: 'stn_error_json(error)' };

/** The summary of the current agent_runs row as a JSON object expression: one field list for both engines. */
function summaryObject(d: SummaryDialect): string {
  const fields: [string, string][] = [
    ['id', 'id'],
    ['agent', 'agent_name'],
    ['environment', 'environment_name'],
    ['status', 'status'],
    ['stopReason', 'stop_reason'],
    ['trigger', 'trigger'],
    ['scheduledAt', d.iso('scheduled_at')],
    ['model', 'model'],
    ['steps', 'steps'],
    ['toolCalls', 'tool_calls'],
    ['tokens', `${d.object}('input', tokens_in, 'output', tokens_out, 'total', tokens_total)`],
    ['error', d.error],
    ['createdAt', d.iso('created_at')],
    ['startedAt', d.iso('started_at')],
    ['finishedAt', d.iso('finished_at')],
    ['durationMs', 'duration_ms'],
  ];
  return `${d.object}(${fields.map(([key, sql]) => `'${key}', ${sql}`).join(',\n  ')})`;
}

const RUN_SUMMARY_JSON = summaryObject(SQLITE);
const PG_RUN_SUMMARY_JSON = summaryObject(POSTGRES);

export interface RunSummarySql {
  /** The summary of the current row, as JSON text. */
  one: string;
  /** The summaries of the rows of `sql` (selecting RUN_SUMMARY_COLUMNS), newest first, as one JSON array text. */
  list(sql: string): string;
}

export function runSummarySql(dialect: Dialect): RunSummarySql {
  if (dialect === 'postgres') {
    return {
      one: `${PG_RUN_SUMMARY_JSON}::text`,
      list: (sql) =>
        `SELECT COALESCE(json_agg(${PG_RUN_SUMMARY_JSON} ORDER BY id DESC), '[]')::text FROM (${sql}) AS runs`,
    };
  }
  return {
    one: RUN_SUMMARY_JSON,
    list: (sql) => `SELECT json_group_array(${RUN_SUMMARY_JSON} ORDER BY id DESC) FROM (${sql})`,
  };
}
