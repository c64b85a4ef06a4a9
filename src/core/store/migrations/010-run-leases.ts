import type { Migration } from './index.js';

/**
 * Runs on a store several servers share (PostgreSQL) carry a lease: the process that runs them renews
 * `lease_until` (ms since the epoch) while it lives; a run whose lease ran out is marked interrupted by any other
 * server. Null on SQLite, where the pid on this host says whether a run's process lives.
 */
export const migration010: Migration = {
  version: 10,
  name: 'run-leases',
  sql: `
ALTER TABLE agent_runs ADD COLUMN lease_until BIGINT;
`,
} as const;
