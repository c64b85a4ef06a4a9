import type { StoreDb } from './store-db.js';

export interface EnvironmentRow {
  id: number;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface EnvironmentCounts {
  environment_id: number;
  servers: number;
  tools: number;
  last_synced_at: number | null;
}

/** SQL for the environments table. */
export class EnvironmentRepo {
  constructor(private readonly db: StoreDb) {}

  all(): EnvironmentRow[] {
    return this.db.prepare('SELECT * FROM environments ORDER BY name').all() as EnvironmentRow[];
  }

  byName(name: string): EnvironmentRow | undefined {
    return this.db.prepare('SELECT * FROM environments WHERE name = ?').get(name) as EnvironmentRow | undefined;
  }

  insert(name: string, description = '', now = Date.now()): EnvironmentRow {
    const info = this.db
      .prepare('INSERT INTO environments (name, description, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id')
      .get(name, description, now, now) as { id: number };
    return { id: info.id, name, description, created_at: now, updated_at: now };
  }

  deleteByName(name: string): boolean {
    return this.db.prepare('DELETE FROM environments WHERE name = ?').run(name).changes > 0;
  }

  /** Server and tool counts per environment, from the last sync. */
  counts(): Map<number, EnvironmentCounts> {
    const rows = this.db
      .prepare(
        `SELECT s.environment_id AS environment_id, COUNT(DISTINCT s.id) AS servers, COUNT(t.id) AS tools,
                MAX(s.last_synced_at) AS last_synced_at
           FROM mcp_servers s LEFT JOIN mcp_tools t ON t.server_id = s.id
          GROUP BY s.environment_id`,
      )
      .all() as EnvironmentCounts[];
    return new Map(rows.map((r) => [r.environment_id, r]));
  }
}
