import type { Migration } from './index.js';

/**
 * The audit trail grows up: where a change came from (door, request id, remote address, the key's owner),
 * its outcome (allowed or denied, with the reason) and a hash chain (each row stores the hash of the row
 * before it and its own). API keys get an expiry, and a rotated key points at its successor.
 */
export const migration003: Migration = {
  version: 3,
  name: 'audit-chain-key-expiry',
  sql: `
ALTER TABLE audit_log ADD COLUMN owner TEXT;
ALTER TABLE audit_log ADD COLUMN door TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN outcome TEXT NOT NULL DEFAULT 'allowed';
ALTER TABLE audit_log ADD COLUMN reason TEXT;
ALTER TABLE audit_log ADD COLUMN request_id TEXT;
ALTER TABLE audit_log ADD COLUMN remote_address TEXT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE INDEX audit_log_ts ON audit_log(ts);
CREATE INDEX audit_log_actor ON audit_log(actor);
CREATE INDEX audit_log_action ON audit_log(action);

ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
ALTER TABLE api_keys ADD COLUMN rotated_at INTEGER;
ALTER TABLE api_keys ADD COLUMN rotated_to INTEGER REFERENCES api_keys(id);
`,
} as const;
