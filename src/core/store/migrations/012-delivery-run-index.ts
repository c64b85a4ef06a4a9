import type { Migration } from './index.js';

/**
 * Webhook deliveries by run: pruning old runs (retention, `stn runs prune`) removes their finished deliveries
 * batch by batch, each found by this index instead of a scan of every delivery. An index only: no table is
 * rewritten.
 */
export const migration012: Migration = {
  version: 12,
  name: 'delivery-run-index',
  sql: `
CREATE INDEX webhook_deliveries_by_run ON webhook_deliveries(run_id);
`,
} as const;
