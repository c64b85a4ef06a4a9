import { ValidationError, type FieldIssue } from '../errors.js';
import { modelToolName, resolveToolReference } from '../mcp/tool-names.js';
import type { ToolCallOptions, ToolOutcome, ToolProvider, ToolSpec } from './tool-provider.js';

/** A discovered MCP tool, as the MCP pool lists it. */
export interface PoolTool {
  server: string;
  name: string;
  description?: string | undefined;
  inputSchema: Record<string, unknown>;
}

/** Call options as the pool takes them (absent, not undefined, when unset). */
export interface PoolCallOptions {
  signal: AbortSignal;
  onProgress?: (p: { progress: number; total?: number; message?: string }) => void;
}

/** The part of the environment's MCP pool the runner uses. */
export interface ToolPool {
  tools(): readonly PoolTool[];
  /** Servers and their state; a failed server's tools are missing, and its error explains why. */
  status?(): readonly { name: string; state: string; error?: string }[];
  callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    options: PoolCallOptions,
  ): Promise<{ isError: boolean; text: string }>;
}

/**
 * The agent's tools, exactly: each reference in the agent file (`server__tool`, `__tool`, `tool`) resolved
 * against the environment's discovered tools and named for the model. A missing or ambiguous reference
 * is an error listing each one, so a run never silently loses a tool.
 */
export function agentToolProvider(pool: ToolPool, references: readonly string[], agentName: string): ToolProvider {
  const known = pool.tools();
  const issues: FieldIssue[] = [];
  const specs: ToolSpec[] = [];
  const taken = new Set<string>();
  for (const reference of references) {
    const resolved = resolveToolReference(reference, known);
    if (!resolved.ok) {
      issues.push({
        field: `tools.${reference}`,
        message:
          resolved.reason === 'missing'
            ? 'no MCP server of this environment has this tool'
            : `several servers have this tool; name one of: ${resolved.choices.join(', ')}`,
      });
      continue;
    }
    const tool = known.find((t) => t.server === resolved.server && t.name === resolved.tool);
    if (tool === undefined || specs.some((s) => s.server === tool.server && s.tool === tool.name)) continue;
    const name = modelToolName(tool.server, tool.name, taken);
    taken.add(name);
    specs.push({
      name,
      server: tool.server,
      tool: tool.name,
      description: tool.description ?? '',
      inputSchema: tool.inputSchema,
    });
  }
  if (issues.length > 0) {
    const down = (pool.status?.() ?? []).filter((s) => s.state !== 'ready');
    const missing = issues.filter((i) => !i.message.startsWith('several')).map((i) => i.field.slice('tools.'.length));
    const ambiguous = issues
      .filter((i) => i.message.startsWith('several'))
      .map((i) => `${i.field.slice('tools.'.length)} is ambiguous (${i.message.replace(/^.*name one of: /, '')})`);
    const why = down.map((s) => `MCP server "${s.name}" is ${s.state}${s.error === undefined ? '' : `: ${s.error}`}`);
    const parts = [
      ...(missing.length > 0 ? [`uses tools this environment does not provide: ${missing.join(', ')}`] : []),
      ...(ambiguous.length > 0 ? [`names tools several servers provide: ${ambiguous.join('; ')}`] : []),
    ];
    const message = `agent "${agentName}" ${parts.join('; it ')}`;
    throw new ValidationError(why.length > 0 ? `${message} (${why.join('; ')})` : message, issues, {
      hints: [
        ...(ambiguous.length > 0 ? ['Write the server-qualified name (server__tool) in the agent file.'] : []),
        'Check the names with `stn mcp tools`, and the servers with `stn mcp check`.',
      ],
    });
  }
  const byName = new Map(specs.map((s) => [s.name, s]));
  return {
    list: () => specs,
    call: (name, args, options): Promise<ToolOutcome> => {
      const spec = byName.get(name);
      if (spec === undefined) return Promise.reject(new Error(`unknown tool "${name}"`));
      return pool.callTool(spec.server, spec.tool, args, poolOptions(options));
    },
  };
}

function poolOptions(options: ToolCallOptions): PoolCallOptions {
  const out: PoolCallOptions = { signal: options.signal };
  const onProgress = options.onProgress;
  if (onProgress !== undefined) out.onProgress = (p) => onProgress(p);
  return out;
}
