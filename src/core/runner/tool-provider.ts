/** What the execution loop needs from tools: the list to offer the model, and a way to call one. */

export interface ToolSpec {
  /** The name the model sees (matches ^[a-zA-Z0-9_-]{1,64}$). */
  name: string;
  /** MCP server and the tool's own name on it. */
  server: string;
  tool: string;
  description: string;
  /** The tool's MCP input schema (JSON Schema). */
  inputSchema: Record<string, unknown>;
}

export interface ToolProgress {
  progress: number;
  total?: number | undefined;
  message?: string | undefined;
}

export interface ToolCallOptions {
  /** Aborting it cancels the call (MCP sends notifications/cancelled). */
  signal: AbortSignal;
  onProgress?: ((progress: ToolProgress) => void) | undefined;
}

export interface ToolOutcome {
  /** The tool reported an error (MCP isError). */
  isError: boolean;
  /** The result as text: what the model gets (possibly cut) and the run record keeps (whole). */
  text: string;
}

export interface ToolProvider {
  list(): readonly ToolSpec[];
  /**
   * Calls a tool by its model name. Throws for failures that are not tool results (transport, timeout: the
   * MCP server's `call_timeout_ms`, else config.yaml's runner.tool_timeout_seconds).
   */
  call(name: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<ToolOutcome>;
}

/** A provider with no tools, for agents that declare none. */
export const NO_TOOLS: ToolProvider = {
  list: () => [],
  call: (name) => Promise.reject(new Error(`unknown tool "${name}"`)),
};
