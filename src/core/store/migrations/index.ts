import { migration001 } from './001-initial.js';
import { migration002 } from './002-secret-scopes.js';
import { migration003 } from './003-audit-chain.js';
import { migration004 } from './004-run-trigger.js';
import { migration005 } from './005-schedules.js';
import { migration006 } from './006-webhooks.js';
import { migration007 } from './007-original-runs.js';
import { migration008 } from './008-run-list-indexes.js';
import { migration009 } from './009-run-host.js';
import { migration010 } from './010-run-leases.js';
import { migration011 } from './011-run-retries.js';
import { migration012 } from './012-delivery-run-index.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, in order. Append only: a released migration is never edited. The runner applies each one
 * not recorded in schema_migrations (in version order), so a number filled in later (4, 5 after 6) still runs.
 */
export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
];

/** The migrations of a PostgreSQL store: its initial schema (SQLite's 1-8 in one), then every later one. */
export function postgresMigrations(initial: Migration): readonly Migration[] {
  return [initial, ...MIGRATIONS.filter((m) => m.version > initial.version)];
}
