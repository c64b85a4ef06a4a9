import type { Migration } from './index.js';

/**
 * Runs imported from the original Station's database (`stn db import-original`, `stn init --import-original`):
 * each imported run remembers the original's run (its id and start time, as `source_key`), so that importing
 * the same file again adds nothing. Imported runs carry trigger `import` (agent_runs.trigger has no check).
 */
export const migration007: Migration = {
  version: 7,
  name: 'original-runs',
  sql: `
CREATE TABLE original_runs (
  source_key TEXT PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES agent_runs(id) ON DELETE CASCADE,
  imported_at INTEGER NOT NULL
);
CREATE INDEX original_runs_by_run ON original_runs(run_id);
`,
} as const;
