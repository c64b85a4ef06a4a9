/**
 * The one definition of a run summary (RunSummary in runner/run-service.ts, what `stn runs list --json`,
 * GET /api/v1/runs, the TUI and MCP show): a JSON object built by SQLite from an agent_runs row. Lists
 * are read as one JSON array text, which the REST door sends as is and the other doors parse once, so a
 * list costs neither a JavaScript object per column nor a second serialisation.
 */

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

/** A JSON object expression (SQLite text with the JSON subtype) of the summary of the current agent_runs row. */
export const RUN_SUMMARY_JSON = `json_object(
  'id', id,
  'agent', agent_name,
  'environment', environment_name,
  'status', status,
  'stopReason', stop_reason,
  'trigger', trigger,
  'scheduledAt', ${isoSql('scheduled_at')},
  'model', model,
  'steps', steps,
  'toolCalls', tool_calls,
  'tokens', json_object('input', tokens_in, 'output', tokens_out, 'total', tokens_total),
  'error', ${ERROR_SQL},
  'createdAt', ${isoSql('created_at')},
  'startedAt', ${isoSql('started_at')},
  'finishedAt', ${isoSql('finished_at')},
  'durationMs', duration_ms
)`;

/** The columns RUN_SUMMARY_JSON reads (what a list selects in its inner query). */
export const RUN_SUMMARY_COLUMNS = `id, agent_name, environment_name, status, stop_reason, trigger, scheduled_at, model, steps,
  tool_calls, tokens_in, tokens_out, tokens_total, error, created_at, started_at, finished_at, duration_ms`;
