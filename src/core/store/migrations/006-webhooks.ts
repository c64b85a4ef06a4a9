import type { Migration } from './index.js';

/**
 * Webhooks: where run outcomes are POSTed (filters by environment, agent and event; json or slack), the
 * deliveries queued for them (a worker sends them, retries with backoff, and a restart keeps the queue), and
 * every attempt of each (status code, error, response time). A webhook's signing secret lives in the secret
 * store (`secrets`), never here. Numbered 6: migrations 4 and 5 come from other work; the runner applies each
 * migration not yet recorded, whatever the highest recorded version.
 */
export const migration006: Migration = {
  version: 6,
  name: 'webhooks',
  sql: `
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  environment TEXT,
  agent TEXT,
  events_json TEXT NOT NULL DEFAULT '["run.finished"]',
  format TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
  created_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  run_id INTEGER,
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_status_code INTEGER,
  last_error TEXT,
  last_duration_ms INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, id);

CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  retry_in_ms INTEGER
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts(delivery_id, attempt);
`,
} as const;
