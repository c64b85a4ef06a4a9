import type { Migration } from './index.js';

/**
 * Schedules' state (the schedule itself lives in the agent file): one row per scheduled agent, by
 * environment and agent name. `planned_from` is where fire times are counted from (when the schedule was
 * first seen, changed or resumed), `last_fire_at` the last fire time handled (fired, skipped or missed):
 * a fire time is handled once, whatever the number of schedulers. `lease_owner`/`lease_until` is the lease a
 * scheduler takes, in the same transaction, while it starts a fire's run, so that no other scheduler fires the
 * schedule meanwhile. Pausing is recorded here (`paused_at`, `paused_by`), never in the file.
 */
export const migration005: Migration = {
  version: 5,
  name: 'schedules',
  sql: `
CREATE TABLE schedule_state (
  environment TEXT NOT NULL,
  agent TEXT NOT NULL,
  schedule_key TEXT NOT NULL,
  planned_from INTEGER NOT NULL,
  last_fire_at INTEGER,
  last_outcome TEXT CHECK (last_outcome IN ('fired', 'skipped', 'missed', 'error')),
  last_run_id INTEGER,
  last_error TEXT,
  paused_at INTEGER,
  paused_by TEXT,
  lease_owner TEXT,
  lease_until INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (environment, agent)
);
`,
} as const;
