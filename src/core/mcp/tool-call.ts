/**
 * Calling a tool by hand (`stn mcp call`, REST): the reference resolved the way agent files name tools
 * (`server__tool`, or `__tool` when one server has it), the arguments checked against the tool's input
 * schema, then the call, timed, its answer masked.
 */
import { closeNames } from '../agents/close-names.js';
import { McpError, NotFoundError, ValidationError } from '../errors.js';
import { isPlainObject } from '../prompt/parse.js';
import type { JsonSchemaObject } from '../prompt/types.js';
import { issuesAgainstSchema, type InputValidatorCache } from '../prompt/validate-input.js';
import type { ToolCallReport } from './offerings.js';
import type { DiscoveredTool, McpPool, ToolCallOptions } from './pool.js';
import { resolveToolReference } from './tool-names.js';

/** A call that passed every check and has not been sent yet. */
export interface PreparedToolCall {
  server: string;
  tool: string;
  qualifiedName: string;
  /** Sends the call. An answer with `isError` is a result, not a throw (see McpPool.callTool for what throws). */
  send(options?: ToolCallOptions): Promise<ToolCallReport>;
}

/**
 * Resolves the reference against the pool's tools and checks the arguments. Throws NotFoundError for an
 * unknown tool (with close names), ValidationError for an ambiguous reference or arguments that do not fit
 * the tool's input schema (each field named), McpError when the server the reference names is down.
 */
export function prepareToolCall(
  pool: McpPool,
  environment: string,
  reference: string,
  args: unknown,
  validators: InputValidatorCache,
): PreparedToolCall {
  const tool = findTool(pool, environment, reference);
  if (!isPlainObject(args)) {
    throw new ValidationError(
      `the arguments of ${tool.qualifiedName} must be a JSON object`,
      [{ field: 'args', message: `expected a JSON object, got ${describe(args)}` }],
      { hints: [`Example: --args '{"path": "README.md"}'`] },
    );
  }
  checkArguments(tool, args, validators);
  return {
    server: tool.server,
    tool: tool.name,
    qualifiedName: tool.qualifiedName,
    send: async (options = {}) => {
      const t0 = performance.now();
      const result = await pool.callTool(tool.server, tool.name, args, options);
      const durationMs = Math.round((performance.now() - t0) * 10) / 10;
      return {
        environment,
        server: tool.server,
        tool: tool.name,
        qualifiedName: tool.qualifiedName,
        durationMs,
        result: pool.mask({
          content: result.content,
          ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
          isError: result.isError,
        }),
      };
    },
  };
}

function findTool(pool: McpPool, environment: string, reference: string): DiscoveredTool {
  const tools = pool.tools();
  const resolved = resolveToolReference(reference, tools);
  if (resolved.ok) {
    const found = tools.find((t) => t.qualifiedName === resolved.qualified);
    if (found !== undefined) return found;
  }
  if (!resolved.ok && resolved.reason === 'ambiguous') {
    throw new ValidationError(
      `"${reference}" could be ${resolved.choices.join(' or ')}: name the server`,
      [{ field: 'tool', message: `ambiguous: ${resolved.choices.join(', ')}` }],
      { hints: [`Call it as ${resolved.choices.map((c) => `"${c}"`).join(' or ')}.`] },
    );
  }
  // A reference to a server that is down: say so, rather than "no such tool".
  const serverPart = reference.includes('__') ? reference.slice(0, reference.indexOf('__')) : '';
  const down = pool.status().find((s) => s.name === serverPart && s.state !== 'ready');
  if (down !== undefined) {
    throw new McpError(`MCP server "${down.name}" is not available: ${down.error ?? down.state}`, {
      code: 'mcp_server_unavailable',
      hints: [
        `See why: stn mcp check --env ${environment} --server ${down.name}`,
        ...(down.stderrTail === ''
          ? []
          : [`stderr of "${down.name}":\n${down.stderrTail.split('\n').slice(-8).join('\n')}`]),
      ],
    });
  }
  throw new NotFoundError(`no tool "${reference}" in environment "${environment}"`, {
    hints: [suggest(reference, tools, environment)],
  });
}

/** "Did you mean" from the qualified names, and from the tool names for `__tool` or a bare name. */
function suggest(reference: string, tools: readonly DiscoveredTool[], environment: string): string {
  const byQualified = closeNames(
    reference,
    tools.map((t) => t.qualifiedName),
  );
  // `__tool`, a bare `tool`, or the tool part of `server__tool` (the tool may be on another server).
  const bare = reference.includes('__') ? reference.slice(reference.indexOf('__') + 2) : reference;
  const byName = closeNames(
    bare,
    tools.map((t) => t.name),
  ).flatMap((name) => tools.filter((t) => t.name === name).map((t) => t.qualifiedName));
  const choices = [...new Set([...byQualified, ...byName])].slice(0, 3);
  if (choices.length > 0) return `Did you mean: ${choices.map((c) => `"${c}"`).join(', ')}?`;
  if (tools.length === 0) return `No server of "${environment}" offers tools: stn mcp check --env ${environment}`;
  return `See the tools: stn mcp tools --env ${environment} (after stn sync), or stn mcp check --env ${environment}`;
}

function checkArguments(tool: DiscoveredTool, args: Record<string, unknown>, validators: InputValidatorCache): void {
  const schema = tool.inputSchema as JsonSchemaObject;
  let validate;
  try {
    validate = validators.get(schema);
  } catch {
    // A schema ajv cannot compile: the server judges the arguments itself.
    return;
  }
  const issues = issuesAgainstSchema(validate, args, schema, 'tool');
  if (issues.length === 0) return;
  const list = issues.map((i) => (i.field === '' ? i.message : `${i.field}: ${i.message}`)).join('; ');
  throw new ValidationError(`arguments for ${tool.qualifiedName} are invalid: ${list}`, issues, {
    details: { inputSchema: schema },
    hints: [`Its input schema is in the details of --json (or: stn mcp tools --name ${tool.qualifiedName} --json).`],
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : typeof value;
}
