import type { StoreDb } from './store-db.js';

export interface McpServerRow {
  id: number;
  environment_id: number;
  name: string;
  config_file: string;
  transport: 'stdio' | 'http' | 'sse';
  command: string | null;
  args_json: string;
  url: string | null;
  config_hash: string;
  status: string;
  last_error: string | null;
  stderr_tail: string | null;
  tool_count: number;
  last_synced_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface McpToolRow {
  id: number;
  server_id: number;
  server_name: string;
  name: string;
  description: string;
  input_schema_json: string;
  schema_hash: string;
  created_at: number;
  updated_at: number;
}

/** What a sync records about a server. */
export interface ServerRecord {
  name: string;
  configFile: string;
  transport: 'stdio' | 'http' | 'sse';
  command: string | null;
  args: readonly string[];
  url: string | null;
  configHash: string;
  status: string;
  lastError: string | null;
  stderrTail: string | null;
}

export interface ToolRecord {
  name: string;
  description: string;
  inputSchemaJson: string;
  schemaHash: string;
}

/** An agent's tool reference, for linking agent_tools.mcp_tool_id. */
export interface AgentToolRef {
  agentId: number;
  toolName: string;
}

/** SQL for mcp_servers, mcp_tools and the mcp_tool_id link of agent_tools. Writes belong in a transaction. */
export class McpRepo {
  constructor(private readonly db: StoreDb) {}

  /** MCP servers recorded by the last sync of each environment. */
  serverCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM mcp_servers').get() as { n: number }).n;
  }

  servers(environmentId: number): McpServerRow[] {
    return this.db
      .prepare('SELECT * FROM mcp_servers WHERE environment_id = ? ORDER BY name')
      .all(environmentId) as McpServerRow[];
  }

  tools(environmentId: number): McpToolRow[] {
    return this.db
      .prepare(
        `SELECT t.*, s.name AS server_name FROM mcp_tools t JOIN mcp_servers s ON s.id = t.server_id
          WHERE s.environment_id = ? ORDER BY s.name, t.name`,
      )
      .all(environmentId) as McpToolRow[];
  }

  /** Inserts or updates a server by (environment, name); returns its id. Tool count and sync time are set by setTools. */
  upsertServer(environmentId: number, r: ServerRecord, now: number): number {
    const row = this.db
      .prepare(
        `INSERT INTO mcp_servers (environment_id, name, config_file, transport, command, args_json, url, config_hash,
                                  status, last_error, stderr_tail, last_synced_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (environment_id, name) DO UPDATE SET
           config_file = excluded.config_file, transport = excluded.transport, command = excluded.command,
           args_json = excluded.args_json, url = excluded.url, config_hash = excluded.config_hash,
           status = excluded.status, last_error = excluded.last_error, stderr_tail = excluded.stderr_tail,
           last_synced_at = excluded.last_synced_at, updated_at = excluded.updated_at
         RETURNING id`,
      )
      .get(
        environmentId,
        r.name,
        r.configFile,
        r.transport,
        r.command,
        JSON.stringify(r.args),
        r.url,
        r.configHash,
        r.status,
        r.lastError,
        r.stderrTail,
        now,
        now,
        now,
      ) as { id: number };
    return row.id;
  }

  /** Makes a server's tools exactly `tools` (insert new, update changed, delete gone) and sets its tool count. */
  setTools(serverId: number, tools: readonly ToolRecord[], now: number): void {
    const existing = new Map(
      (
        this.db.prepare('SELECT id, name, schema_hash FROM mcp_tools WHERE server_id = ?').all(serverId) as {
          id: number;
          name: string;
          schema_hash: string;
        }[]
      ).map((r) => [r.name, r]),
    );
    const insert = this.db.prepare(
      `INSERT INTO mcp_tools (server_id, name, description, input_schema_json, schema_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const update = this.db.prepare(
      'UPDATE mcp_tools SET description = ?, input_schema_json = ?, schema_hash = ?, updated_at = ? WHERE id = ?',
    );
    const remove = this.db.prepare('DELETE FROM mcp_tools WHERE id = ?');
    const keep = new Set<string>();
    for (const t of tools) {
      keep.add(t.name);
      const old = existing.get(t.name);
      if (old === undefined) insert.run(serverId, t.name, t.description, t.inputSchemaJson, t.schemaHash, now, now);
      else if (old.schema_hash !== t.schemaHash)
        update.run(t.description, t.inputSchemaJson, t.schemaHash, now, old.id);
    }
    for (const [name, old] of existing) if (!keep.has(name)) remove.run(old.id);
    this.db.prepare('UPDATE mcp_servers SET tool_count = ? WHERE id = ?').run(tools.length, serverId);
  }

  /** Records the outcome of a sync for a server whose tools are kept as they were (it failed to start). */
  markServer(serverId: number, status: string, lastError: string | null, stderrTail: string | null, now: number): void {
    this.db
      .prepare(
        'UPDATE mcp_servers SET status = ?, last_error = ?, stderr_tail = ?, last_synced_at = ?, updated_at = ? WHERE id = ?',
      )
      .run(status, lastError, stderrTail, now, now, serverId);
  }

  /** Deletes a server and its tools (agent_tools links to them become NULL). */
  deleteServer(environmentId: number, name: string): boolean {
    return (
      this.db.prepare('DELETE FROM mcp_servers WHERE environment_id = ? AND name = ?').run(environmentId, name)
        .changes > 0
    );
  }

  /** Tool references of the agents of an environment. */
  agentToolRefs(environmentId: number): (AgentToolRef & { agentName: string; mcpToolId: number | null })[] {
    return this.db
      .prepare(
        `SELECT at.agent_id AS "agentId", at.tool_name AS "toolName", a.name AS "agentName", at.mcp_tool_id AS "mcpToolId"
           FROM agent_tools at JOIN agents a ON a.id = at.agent_id
          WHERE a.environment_id = ? ORDER BY a.name, at.tool_name`,
      )
      .all(environmentId) as (AgentToolRef & { agentName: string; mcpToolId: number | null })[];
  }

  /** Points an agent's tool reference at a tool row (or NULL when it resolves to nothing). */
  linkAgentTool(agentId: number, toolName: string, toolId: number | null): void {
    this.db
      .prepare('UPDATE agent_tools SET mcp_tool_id = ? WHERE agent_id = ? AND tool_name = ?')
      .run(toolId, agentId, toolName);
  }
}
