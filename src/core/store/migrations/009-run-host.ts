import type { Migration } from './index.js';

/**
 * Runs remember the host that recorded them (`host`, with `pid`): on a store shared by several hosts
 * (PostgreSQL), a process may judge by pid only the runs of its own host. Rows from before have none.
 */
export const migration009: Migration = {
  version: 9,
  name: 'run-host',
  sql: `
ALTER TABLE agent_runs ADD COLUMN host TEXT;
`,
} as const;
