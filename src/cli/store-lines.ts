import type { StoreStatus } from '../core/index.js';

/** One line: the engine, where it is, and the schema version. */
export function describeStore(status: StoreStatus): string {
  const engine = status.engine === 'postgres' ? 'PostgreSQL' : 'SQLite';
  return `${engine} ${status.location}: schema version ${String(status.schemaVersion)} (this stn knows up to ${String(status.latestVersion)})`;
}
