import type { Migration } from './index.js';

/**
 * Runs say what started them: `trigger` is one of RUN_TRIGGERS (manual: the CLI or the local TUI; api:
 * REST or the remote TUI; mcp: an MCP client; schedule: the scheduler), and `scheduled_at` is the fire time
 * a scheduled run was planned for (null otherwise). Runs recorded before this migration were started by hand.
 */
export const migration004: Migration = {
  version: 4,
  name: 'run-trigger',
  sql: `
ALTER TABLE agent_runs ADD COLUMN trigger TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE agent_runs ADD COLUMN scheduled_at INTEGER;
CREATE INDEX agent_runs_by_trigger ON agent_runs(trigger, id);
`,
} as const;
