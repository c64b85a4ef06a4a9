import type { KnownTool } from '../mcp/tool-names.js';
import type { StoreDb } from './store-db.js';

/** One row of `agents`: the index entry of one `.prompt` file. */
export interface AgentRow {
  id: number;
  environment_id: number;
  name: string;
  file_name: string;
  description: string;
  model: string | null;
  max_steps: number | null;
  tags_json: string;
  input_schema_json: string | null;
  output_schema_json: string | null;
  content_hash: string;
  /** Change stamp of the file when indexed (fs/file-stamps.ts: fileStamp as a number, stampNumber). */
  file_mtime_ms: number;
  created_at: number;
  updated_at: number;
}

export type AgentIndexState = Pick<AgentRow, 'id' | 'name' | 'file_name' | 'content_hash' | 'file_mtime_ms'>;
export type AgentSummaryRow = Pick<
  AgentRow,
  'id' | 'name' | 'file_name' | 'description' | 'model' | 'max_steps' | 'tags_json' | 'updated_at'
>;

/** What the index stores about an agent file. */
export interface AgentRecord {
  name: string;
  fileName: string;
  description: string;
  model: string | null;
  maxSteps: number | null;
  tags: readonly string[];
  inputSchema: unknown;
  outputSchema: unknown;
  contentHash: string;
  stamp: number;
  tools: readonly string[];
}

export interface EnvironmentTool extends KnownTool {
  id: number;
}

/** SQL for the agents and agent_tools tables. Callers wrap writes in db.transaction(). */
export class AgentRepo {
  constructor(private readonly db: StoreDb) {}

  /** Agents indexed, all environments. */
  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM agents').get() as { n: number }).n;
  }

  /** What an index pass compares with the files: name, file, content hash and change stamp. */
  indexState(environmentId: number): AgentIndexState[] {
    return this.db
      .prepare('SELECT id, name, file_name, content_hash, file_mtime_ms FROM agents WHERE environment_id = ?')
      .all(environmentId) as AgentIndexState[];
  }

  /** The columns a listing shows, sorted by name. */
  summaries(environmentId: number): AgentSummaryRow[] {
    return this.db
      .prepare(
        `SELECT id, name, file_name, description, model, max_steps, tags_json, updated_at FROM agents
          WHERE environment_id = ? ORDER BY lower(name), name`,
      )
      .all(environmentId) as AgentSummaryRow[];
  }

  byName(environmentId: number, name: string): AgentRow | undefined {
    return this.db.prepare('SELECT * FROM agents WHERE environment_id = ? AND name = ?').get(environmentId, name) as
      AgentRow | undefined;
  }

  /** Tool references of every agent of an environment, in the order the file lists them. */
  toolsByAgent(environmentId: number): Map<number, string[]> {
    const rows = this.db
      .prepare(
        `SELECT t.agent_id AS agent_id, t.tool_name AS tool_name FROM agent_tools t
           JOIN agents a ON a.id = t.agent_id WHERE a.environment_id = ? ORDER BY t.agent_id, t.rowid`,
      )
      .all(environmentId) as { agent_id: number; tool_name: string }[];
    const out = new Map<number, string[]>();
    for (const row of rows) {
      const list = out.get(row.agent_id);
      if (list === undefined) out.set(row.agent_id, [row.tool_name]);
      else list.push(row.tool_name);
    }
    return out;
  }

  insert(environmentId: number, record: AgentRecord, now = Date.now()): number {
    const info = this.db
      .prepare(
        `INSERT INTO agents (environment_id, name, file_name, description, model, max_steps, tags_json, input_schema_json,
                             output_schema_json, content_hash, file_mtime_ms, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(environmentId, ...this.columns(record), now, now) as { id: number };
    return info.id;
  }

  update(id: number, record: AgentRecord, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE agents SET name = ?, file_name = ?, description = ?, model = ?, max_steps = ?, tags_json = ?, input_schema_json = ?,
                           output_schema_json = ?, content_hash = ?, file_mtime_ms = ?, updated_at = ? WHERE id = ?`,
      )
      .run(...this.columns(record), now, id);
  }

  /** Records a new change stamp for a file whose content did not change. */
  touch(id: number, stamp: number): void {
    this.db.prepare('UPDATE agents SET file_mtime_ms = ? WHERE id = ?').run(stamp, id);
  }

  /** Gives a row a temporary unique name, so that names can be swapped inside one transaction. */
  parkName(id: number): void {
    this.db.prepare('UPDATE agents SET name = ? WHERE id = ?').run(`\u0001renaming:${String(id)}`, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM agents WHERE id = ?').run(id);
  }

  /** Replaces an agent's tool references, linking each to the synced tool it resolves to (or NULL). */
  setTools(agentId: number, tools: readonly string[], resolve: (reference: string) => number | null): void {
    this.db.prepare('DELETE FROM agent_tools WHERE agent_id = ?').run(agentId);
    const insert = this.db.prepare(
      'INSERT INTO agent_tools (agent_id, tool_name, mcp_tool_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    for (const tool of tools) insert.run(agentId, tool, resolve(tool));
  }

  /** The tools of an environment recorded by the last sync (mcp_tools of its mcp_servers). */
  environmentTools(environmentId: number): EnvironmentTool[] {
    return this.db
      .prepare(
        `SELECT t.id AS id, s.name AS server, t.name AS name FROM mcp_tools t
           JOIN mcp_servers s ON s.id = t.server_id WHERE s.environment_id = ? ORDER BY s.name, t.name`,
      )
      .all(environmentId) as EnvironmentTool[];
  }

  private columns(
    r: AgentRecord,
  ): [string, string, string, string | null, number | null, string, string | null, string | null, string, number] {
    return [
      r.name,
      r.fileName,
      r.description,
      r.model,
      r.maxSteps,
      JSON.stringify(r.tags),
      r.inputSchema === undefined ? null : JSON.stringify(r.inputSchema),
      r.outputSchema === undefined ? null : JSON.stringify(r.outputSchema),
      r.contentHash,
      r.stamp,
    ];
  }
}
