/**
 * Approved MCP server configs, per environment: `<home>/bundle-trust.json` maps an environment to the
 * hash of the servers a user approved (at `stn bundle install`, or at a sync that asked again). Only
 * environments installed from a bundle have a record; a sync of one whose servers changed asks again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { isRecord } from '../config/station-config.js';
import { stableJson } from './bundle-manifest.js';

export interface TrustRecord {
  hash: string;
  approvedAt: string;
  source: string;
}

export class TrustStore {
  constructor(private readonly file: string) {}

  private read(): Record<string, TrustRecord> {
    if (!existsSync(this.file)) return {};
    try {
      const root: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return isRecord(root) ? (root as Record<string, TrustRecord>) : {};
    } catch {
      return {};
    }
  }

  get(environment: string): TrustRecord | undefined {
    const r = this.read()[environment];
    return r !== undefined && typeof r.hash === 'string' ? r : undefined;
  }

  record(environment: string, hash: string, source: string, now = new Date()): void {
    const all = this.read();
    all[environment] = { hash, approvedAt: now.toISOString(), source };
    writeFileAtomic(this.file, stableJson(all), { mode: 0o600 });
  }
}
