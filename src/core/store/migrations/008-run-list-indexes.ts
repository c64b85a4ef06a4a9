import type { Migration } from './index.js';

/**
 * Indexes for the runs list (newest first) filtered by environment (every key granted some environments
 * lists only theirs) or by agent alone: each is read from its index in id order, never scanned and sorted.
 */
export const migration008: Migration = {
  version: 8,
  name: 'run-list-indexes',
  sql: `
CREATE INDEX agent_runs_by_environment ON agent_runs(environment_name, id);
CREATE INDEX agent_runs_by_agent_id ON agent_runs(agent_name, id);
`,
} as const;
