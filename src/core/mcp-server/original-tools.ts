/**
 * The tools clients of the original Station call (`call_agent`, `inspect_run`, `add_tool` ...), with the
 * original's argument names. Each is one operation of the api layer: agents are named by `agent_id` (Station
 * names agents; a name is what it takes), environments by `environment` or the original's `environment_id`.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { StationApi } from '../api/application.js';
import { ValidationError } from '../errors.js';

type ToolExtra = { signal: AbortSignal; progress: (progress: number, message: string) => void };
type ToolWrap = <A>(
  fn: (args: A, extra: ToolExtra) => Promise<unknown>,
) => (args: A, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => Promise<CallToolResult>;
type RunAgent = (
  env: string,
  agent: string,
  input: Record<string, unknown>,
  opts: { wait: boolean; signal: AbortSignal; progress: (p: number, m: string) => void },
) => Promise<unknown>;

const agentId = z.union([z.string().min(1), z.number()]).describe("The agent's name (the original took its id).");
const envArgs = {
  environment: z
    .string()
    .min(1)
    .optional()
    .describe('Environment name (default: the one this server was started for).'),
  environment_id: z
    .union([z.string().min(1), z.number()])
    .optional()
    .describe("The original's name of environment."),
};
type EnvArgs = { environment?: string | undefined; environment_id?: string | number | undefined };
type AgentArgs = EnvArgs & { agent_id: string | number };

/**
 * The input a run gets from arguments written for the original: `variables` merged in (the tool's own arguments
 * win) and `input` (its task text) as userInput, unless the agent declares fields of those names itself.
 */
export function originalAgentArgs(
  args: Record<string, unknown>,
  declared: ReadonlySet<string>,
): Record<string, unknown> {
  const { input, variables, ...own } = args;
  const out: Record<string, unknown> = {};
  if (!declared.has('variables') && typeof variables === 'object' && variables !== null && !Array.isArray(variables))
    Object.assign(out, variables);
  else if (variables !== undefined) out.variables = variables;
  Object.assign(out, own);
  if (!declared.has('input') && typeof input === 'string') {
    if (out.userInput === undefined) out.userInput = input;
  } else if (input !== undefined) out.input = input;
  return out;
}

export function registerOriginalTools(
  api: StationApi,
  offer: McpServer['registerTool'],
  tool: ToolWrap,
  envOf: (env: string | undefined) => string,
  runAgent: RunAgent,
): void {
  const env = (args: EnvArgs): string =>
    envOf(args.environment ?? (args.environment_id === undefined ? undefined : String(args.environment_id)));
  const agentName = (args: AgentArgs): string => api.agents.locate(env(args), String(args.agent_id)).name;

  offer(
    'call_agent',
    {
      description: "Run an agent with a task (the original Station's call_agent; see run_agent).",
      inputSchema: {
        ...envArgs,
        agent_id: agentId,
        task: z.string().describe('The task: the run input userInput.'),
        async: z.boolean().optional().describe('Return the run id at once instead of waiting (default false).'),
        variables: z.record(z.string(), z.unknown()).optional().describe('Input variables of the agent.'),
      },
    },
    tool<AgentArgs & { task: string; async?: boolean | undefined; variables?: Record<string, unknown> | undefined }>(
      async (args, extra) =>
        runAgent(
          env(args),
          agentName(args),
          { ...(args.variables ?? {}), userInput: args.task },
          {
            wait: args.async !== true,
            ...extra,
          },
        ),
    ),
  );

  offer(
    'create_environment',
    {
      description: 'Create an environment (a folder with agents/ and template.json).',
      inputSchema: { name: z.string().min(1), description: z.string().optional() },
    },
    tool<{ name: string; description?: string | undefined }>(async ({ name, description }) =>
      api.environments.create(name, description === undefined ? {} : { description }),
    ),
  );

  offer(
    'delete_environment',
    {
      description: 'Delete an environment and its files; confirm must be true.',
      inputSchema: { name: z.string().min(1), confirm: z.boolean().describe('Must be true to proceed.') },
      annotations: { destructiveHint: true },
    },
    tool<{ name: string; confirm: boolean }>(async ({ name, confirm }) => {
      if (!confirm)
        throw new ValidationError('deleting an environment needs confirm: true', [
          { field: 'confirm', message: 'expected true' },
        ]);
      api.environments.delete(name);
      return { deleted: name };
    }),
  );

  offer(
    'export_agent',
    {
      description: 'The .prompt file of an agent, as text.',
      inputSchema: { ...envArgs, agent_id: agentId },
      annotations: { readOnlyHint: true },
    },
    tool<AgentArgs>(async (args) => {
      const source = api.agents.source(env(args), String(args.agent_id));
      return { agent: source.agent.name, environment: env(args), text: source.text };
    }),
  );

  offer(
    'list_mcp_configs',
    {
      description: 'The MCP config files of an environment and the servers each defines.',
      inputSchema: envArgs,
      annotations: { readOnlyHint: true },
    },
    tool<EnvArgs>(async (args) => {
      const files = new Map<string, string[]>();
      for (const server of api.mcp.servers(env(args)))
        files.set(server.file, [...(files.get(server.file) ?? []), server.name]);
      return { environment: env(args), configs: [...files].map(([file, servers]) => ({ file, servers })) };
    }),
  );

  offer(
    'discover_tools',
    {
      description: 'The MCP tools of an environment as its last sync recorded them (sync_environment discovers anew).',
      inputSchema: { ...envArgs, config_id: z.string().optional().describe('Only the tools of this MCP server.') },
      annotations: { readOnlyHint: true },
    },
    tool<EnvArgs & { config_id?: string | undefined }>(async (args) =>
      api.mcp.tools(env(args), args.config_id === undefined ? {} : { server: args.config_id }),
    ),
  );

  offer(
    'get_agent_schema',
    {
      description: "An agent's input schema and the variables its template takes.",
      inputSchema: { ...envArgs, agent_id: agentId },
      annotations: { readOnlyHint: true },
    },
    tool<AgentArgs>(async (args) => {
      const agent = api.agents.get(env(args), String(args.agent_id));
      const properties = (agent.inputSchema as { properties?: Record<string, unknown> }).properties ?? {};
      return { agent: agent.name, inputSchema: agent.inputSchema, variables: Object.keys(properties) };
    }),
  );

  const toolEdit = (verb: 'add' | 'remove') =>
    tool<AgentArgs & { tool_name: string }>(async (args) => {
      const name = agentName(args);
      const edit = verb === 'add' ? { add: args.tool_name } : { remove: args.tool_name };
      const { agent, changed } = await api.agents.editTools(env(args), name, edit);
      return { agent: agent.name, tools: agent.tools, changed };
    });
  offer(
    'add_tool',
    {
      description: "Add a tool to an agent's tools (its .prompt file is rewritten atomically).",
      inputSchema: { ...envArgs, agent_id: agentId, tool_name: z.string().min(1) },
    },
    toolEdit('add'),
  );
  offer(
    'remove_tool',
    {
      description: "Remove a tool from an agent's tools (its .prompt file is rewritten atomically).",
      inputSchema: { ...envArgs, agent_id: agentId, tool_name: z.string().min(1) },
    },
    toolEdit('remove'),
  );

  offer(
    'inspect_run',
    {
      description: 'A run: status, input, answer, counters, and (verbose, the default) its trace (see get_run).',
      inputSchema: {
        run_id: z.union([z.string(), z.number()]),
        verbose: z.boolean().optional().describe('Include every event (default true).'),
      },
      annotations: { readOnlyHint: true },
    },
    tool<{ run_id: string | number; verbose?: boolean | undefined }>(async ({ run_id, verbose }) => {
      const id = Number(run_id);
      if (!Number.isSafeInteger(id) || id < 1)
        throw new ValidationError(`run id must be a positive integer, got ${JSON.stringify(run_id)}`, [
          { field: 'run_id', message: 'expected a positive integer (see list_runs)' },
        ]);
      const run = api.runs.show(id);
      return verbose === false ? { ...run, events: undefined } : run;
    }),
  );
}
