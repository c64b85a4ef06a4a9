import type { Migration } from './index.js';

/**
 * A run queued again after an interruption (its agent's `retry_on_interrupt`) names the run it retries: the
 * chain says how many retries a run has had.
 */
export const migration011: Migration = {
  version: 11,
  name: 'run-retries',
  sql: `
ALTER TABLE agent_runs ADD COLUMN retry_of BIGINT;
`,
} as const;
