import type { Migration } from './index.js';

/**
 * The secret store: a global secret (environment_id NULL) is unique by name too (UNIQUE (environment_id, name)
 * lets NULLs repeat).
 */
export const migration002: Migration = {
  version: 2,
  name: 'secret-scopes',
  sql: `
CREATE UNIQUE INDEX secrets_global_name ON secrets(name) WHERE environment_id IS NULL;
`,
} as const;
