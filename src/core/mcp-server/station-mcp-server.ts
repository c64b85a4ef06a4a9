/**
 * Station as an MCP server (the SDK's McpServer): tools to list environments, agents and tools, read,
 * create, update and delete agents, run an agent (waiting or not), list, inspect and cancel runs, and sync
 * an environment; resources for environments, agents and runs; and each agent of the chosen environment
 * as a tool of its own (`agent_<name>`, its input schema as the tool's). Served over stdio (`stn stdio`)
 * and streamable HTTP (`/mcp` on `stn serve`, behind the API keys).
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult,
  ReadResourceResult,
  ServerNotification,
  ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { Engine } from '../engine.js';
import { errorMessage, isStationError, NotFoundError, ValidationError } from '../errors.js';
import { RUN_STATUSES, type RunEvent } from '../events/run-events.js';
import type { RunResult } from '../runner/run-errors.js';
import { authorize, canSeeEnvironment, type Principal } from '../security/roles.js';
import { agentToolNames } from './agent-tool-names.js';

export interface StationMcpOptions {
  /** The environment whose agents become `agent_<name>` tools, and the default of every tool. */
  environment: string;
  /** Who is calling: the API key's principal over HTTP; a local admin over stdio. */
  principal: Principal;
  version: string;
  /** Records a change in the audit log (the HTTP endpoint passes the key service's). */
  audit?: (action: string, target: string, details?: Record<string, unknown>) => void;
}

/** The caller of `stn stdio`: whoever runs the process, with every right. */
export const LOCAL_PRINCIPAL: Principal = {
  keyId: 0,
  name: 'stdio',
  prefix: 'local',
  role: 'admin',
  environments: '*',
};

const RESERVED_TOOLS = [
  'list_environments',
  'list_agents',
  'list_tools',
  'get_agent',
  'create_agent',
  'update_agent',
  'delete_agent',
  'run_agent',
  'list_runs',
  'get_run',
  'cancel_run',
  'sync_environment',
] as const;

const envArg = z
  .string()
  .min(1)
  .optional()
  .describe('Environment name (default: the one this server was started for).');

export function createStationMcpServer(engine: Engine, options: StationMcpOptions): McpServer {
  const { principal } = options;
  const server = new McpServer(
    { name: 'station', version: options.version },
    {
      instructions:
        `Station runs AI agents (dotprompt files) that use MCP tools. Default environment: "${options.environment}". ` +
        'Use list_agents, then run_agent (or the agent_<name> tools), and get_run to read a run and its trace.',
    },
  );
  const envOf = (env: string | undefined): string => env ?? options.environment;
  const audit = options.audit ?? (() => undefined);

  /** Runs a tool body: StationErrors become tool errors (isError) with their hints and field errors. */
  const tool =
    <A>(
      fn: (
        args: A,
        extra: { signal: AbortSignal; progress: (progress: number, message: string) => void },
      ) => Promise<unknown>,
    ) =>
    async (args: A, extra: RequestHandlerExtra<ServerRequest, ServerNotification>): Promise<CallToolResult> => {
      const token = extra._meta?.progressToken;
      const progress = (value: number, message: string): void => {
        if (token === undefined) return;
        extra
          .sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: value, message },
          })
          .catch((error: unknown) => void errorMessage(error));
      };
      try {
        const value = await fn(args, { signal: extra.signal, progress });
        return {
          content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }],
        };
      } catch (error) {
        return { isError: true, content: [{ type: 'text', text: describeError(error) }] };
      }
    };

  const runAgent = async (
    env: string,
    agent: string,
    input: Record<string, unknown>,
    opts: { wait: boolean; model?: string | undefined; signal: AbortSignal; progress: (p: number, m: string) => void },
  ): Promise<unknown> => {
    authorize(principal, 'run', env);
    const runner = await engine.runner();
    let events = 0;
    const handle = await runner.submit(
      { agent, environment: env, input, ...(opts.model === undefined ? {} : { model: opts.model }) },
      { onEvent: (event: RunEvent) => opts.progress(++events, progressLine(event)) },
    );
    audit('run.start', String(handle.runId), { environment: env, agent });
    if (!opts.wait)
      return { runId: handle.runId, status: 'queued', hint: `Follow it with get_run {"id": ${String(handle.runId)}}.` };
    const onAbort = (): void => void runner.cancel(handle.runId, 'cancelled by the MCP client');
    opts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      return resultView(await handle.done);
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
    }
  };

  server.registerTool(
    'list_environments',
    {
      description: 'List Station environments with their agent, MCP server and tool counts.',
      inputSchema: {},
      annotations: { readOnlyHint: true },
    },
    tool<Record<string, never>>(async () =>
      engine.environments.list().filter((e) => canSeeEnvironment(principal, e.name)),
    ),
  );

  server.registerTool(
    'list_agents',
    {
      description: 'List the agents of an environment.',
      inputSchema: { environment: envArg },
      annotations: { readOnlyHint: true },
    },
    tool<{ environment?: string | undefined }>(async ({ environment }) => {
      const env = envOf(environment);
      authorize(principal, 'read', env);
      return engine.agents.list(env);
    }),
  );

  server.registerTool(
    'list_tools',
    {
      description: 'List the MCP tools of an environment (as recorded by its last sync).',
      inputSchema: { environment: envArg, server: z.string().optional().describe('Only tools of this MCP server.') },
      annotations: { readOnlyHint: true },
    },
    tool<{ environment?: string | undefined; server?: string | undefined }>(async ({ environment, server: name }) => {
      const env = envOf(environment);
      authorize(principal, 'read', env);
      return engine.mcpServers.tools(env, name === undefined ? {} : { server: name });
    }),
  );

  server.registerTool(
    'get_agent',
    {
      description: 'Read an agent: its definition (model, tools, input schema) and the text of its .prompt file.',
      inputSchema: { environment: envArg, name: z.string().min(1) },
      annotations: { readOnlyHint: true },
    },
    tool<{ environment?: string | undefined; name: string }>(async ({ environment, name }) => {
      const env = envOf(environment);
      authorize(principal, 'read', env);
      const source = engine.agents.source(env, name);
      return { agent: withoutPath(source.agent), text: source.text, hash: source.hash };
    }),
  );

  server.registerTool(
    'create_agent',
    {
      description: 'Create an agent (a .prompt file) in an environment.',
      inputSchema: {
        environment: envArg,
        name: z.string().min(1).max(64),
        description: z.string().optional(),
        prompt: z.string().optional().describe('The system prompt.'),
        template: z.string().optional().describe('A whole dotprompt body instead of prompt.'),
        model: z.string().optional(),
        maxSteps: z.number().int().min(1).optional(),
        tools: z
          .array(z.string())
          .optional()
          .describe('MCP tool references, e.g. "__read_text_file" or "filesystem__read_text_file".'),
        inputFields: z
          .record(z.string(), z.string())
          .optional()
          .describe('Input fields in Picoschema: {"repo": "string, the repository"}.'),
        tags: z.array(z.string()).optional(),
      },
    },
    tool<{ environment?: string | undefined; name: string } & Record<string, unknown>>(
      async ({ environment, ...draft }) => {
        const env = envOf(environment);
        authorize(principal, 'write', env);
        const created = await engine.agents.create(
          env,
          stripUndefined(draft) as unknown as Parameters<Engine['agents']['create']>[1],
        );
        audit('agent.create', `${env}/${created.name}`);
        return withoutPath(created);
      },
    ),
  );

  server.registerTool(
    'update_agent',
    {
      description: 'Change fields of an agent; `text` replaces the whole .prompt file instead.',
      inputSchema: {
        environment: envArg,
        name: z.string().min(1),
        description: z.string().optional(),
        model: z.string().optional(),
        maxSteps: z.number().int().min(1).optional(),
        tools: z.array(z.string()).optional(),
        template: z.string().optional(),
        tags: z.array(z.string()).optional(),
        text: z.string().optional().describe('The whole new .prompt file.'),
      },
    },
    tool<{ environment?: string | undefined; name: string; text?: string | undefined } & Record<string, unknown>>(
      async ({ environment, name, text, ...patch }) => {
        const env = envOf(environment);
        authorize(principal, 'write', env);
        const clean = stripUndefined(patch);
        if (text === undefined && Object.keys(clean).length === 0) {
          throw new ValidationError('nothing to change', [
            { field: '', message: 'give at least one field to change, or text' },
          ]);
        }
        const updated =
          text !== undefined
            ? await engine.agents.replaceText(env, name, text)
            : await engine.agents.update(env, name, clean);
        audit('agent.update', `${env}/${updated.name}`);
        return withoutPath(updated);
      },
    ),
  );

  server.registerTool(
    'delete_agent',
    {
      description: 'Delete an agent (its runs keep their history).',
      inputSchema: { environment: envArg, name: z.string().min(1) },
      annotations: { destructiveHint: true },
    },
    tool<{ environment?: string | undefined; name: string }>(async ({ environment, name }) => {
      const env = envOf(environment);
      authorize(principal, 'write', env);
      const deleted = engine.agents.delete(env, name);
      audit('agent.delete', `${env}/${deleted.name}`);
      return { deleted: deleted.name, environment: env };
    }),
  );

  server.registerTool(
    'run_agent',
    {
      description:
        'Run an agent. With wait (default) the result comes back when the run ends; without, the run id at once.',
      inputSchema: {
        environment: envArg,
        name: z.string().min(1),
        input: z
          .record(z.string(), z.unknown())
          .optional()
          .describe("The agent's input (see get_agent for its schema)."),
        wait: z.boolean().optional().describe('Wait for the result (default true).'),
        model: z.string().optional(),
      },
    },
    tool<{
      environment?: string | undefined;
      name: string;
      input?: Record<string, unknown> | undefined;
      wait?: boolean | undefined;
      model?: string | undefined;
    }>(async ({ environment, name, input, wait, model }, extra) =>
      runAgent(envOf(environment), name, input ?? {}, { wait: wait ?? true, model, ...extra }),
    ),
  );

  server.registerTool(
    'list_runs',
    {
      description: 'List runs, newest first.',
      inputSchema: {
        environment: z.string().optional().describe('Only this environment.'),
        agent: z.string().optional(),
        status: z.enum(RUN_STATUSES).optional(),
        limit: z.number().int().min(1).max(500).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    tool<{
      environment?: string | undefined;
      agent?: string | undefined;
      status?: (typeof RUN_STATUSES)[number] | undefined;
      limit?: number | undefined;
    }>(async ({ environment, agent, status, limit }) => {
      if (environment !== undefined) authorize(principal, 'read', environment);
      return engine.runs
        .list({ environment, agent, status, limit: limit ?? 20 })
        .filter((r) => canSeeEnvironment(principal, r.environment));
    }),
  );

  server.registerTool(
    'get_run',
    {
      description: 'Inspect a run: status, input, output, counters, and (with events) its trace.',
      inputSchema: {
        id: z.number().int().min(1),
        events: z.boolean().optional().describe('Include every event (default true).'),
      },
      annotations: { readOnlyHint: true },
    },
    tool<{ id: number; events?: boolean | undefined }>(async ({ id, events }) => {
      const run = engine.runs.show(id);
      authorize(principal, 'read', run.environment);
      return events === false ? { ...run, events: undefined } : run;
    }),
  );

  server.registerTool(
    'cancel_run',
    { description: 'Cancel a queued or running run.', inputSchema: { id: z.number().int().min(1) } },
    tool<{ id: number }>(async ({ id }) => {
      authorize(principal, 'run', engine.runs.get(id).environment);
      const outcome = engine.runs.cancel(id, `cancelled through MCP by "${principal.name}"`);
      audit('run.cancel', String(id));
      return outcome;
    }),
  );

  server.registerTool(
    'sync_environment',
    {
      description: "Sync an environment: start its MCP servers, record their tools, check the agents' tool references.",
      inputSchema: { environment: envArg },
    },
    tool<{ environment?: string | undefined }>(async ({ environment }, extra) => {
      const env = envOf(environment);
      authorize(principal, 'write', env);
      let n = 0;
      const report = await engine.mcpServers.sync({
        environments: [env],
        onEvent: (event) => extra.progress(++n, 'server' in event ? `${event.type} ${event.server}` : event.type),
      });
      audit('sync', env);
      return report;
    }),
  );

  // Each agent of the chosen environment as a tool of its own.
  if (canSeeEnvironment(principal, options.environment)) {
    const agents = engine.agents.list(options.environment);
    const names = agentToolNames(
      agents.map((a) => a.name),
      new Set(RESERVED_TOOLS),
    );
    for (const summary of agents) {
      const toolName = names.get(summary.name);
      if (toolName === undefined) continue;
      let schema: z.ZodType;
      try {
        schema = z.fromJSONSchema(engine.agents.get(options.environment, summary.name).inputSchema);
      } catch (error) {
        // A schema zod cannot express: accept any object; the runner still validates the input.
        schema = z.looseObject({});
        void errorMessage(error);
      }
      server.registerTool(
        toolName,
        {
          title: summary.name,
          description:
            `Run the agent "${summary.name}" (environment ${options.environment}) and return its answer. ${summary.description}`.trim(),
          inputSchema: schema,
        },
        tool<unknown>(async (args, extra) =>
          runAgent(options.environment, summary.name, (args ?? {}) as Record<string, unknown>, {
            wait: true,
            ...extra,
          }),
        ),
      );
    }
  }

  // Resources.
  const json = (uri: URL, value: unknown): ReadResourceResult => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
  });
  server.registerResource(
    'environments',
    'station://environments',
    { description: 'Every environment the caller may see.', mimeType: 'application/json' },
    (uri) =>
      json(
        uri,
        engine.environments.list().filter((e) => canSeeEnvironment(principal, e.name)),
      ),
  );
  server.registerResource(
    'environment',
    new ResourceTemplate('station://environments/{environment}', {
      list: () => ({
        resources: engine.environments
          .list()
          .filter((e) => canSeeEnvironment(principal, e.name))
          .map((e) => ({
            uri: `station://environments/${encodeURIComponent(e.name)}`,
            name: e.name,
            mimeType: 'application/json',
          })),
      }),
    }),
    { description: 'One environment: agent and config files, variable names.', mimeType: 'application/json' },
    (uri, vars) => {
      const env = decodeURIComponent(String(vars.environment));
      authorize(principal, 'read', env);
      return json(uri, engine.environments.show(env));
    },
  );
  server.registerResource(
    'agent',
    new ResourceTemplate('station://agents/{environment}/{agent}', {
      list: () => ({
        resources: canSeeEnvironment(principal, options.environment)
          ? engine.agents.list(options.environment).map((a) => ({
              uri: `station://agents/${encodeURIComponent(options.environment)}/${encodeURIComponent(a.name)}`,
              name: a.name,
              description: a.description,
              mimeType: 'text/x-dotprompt',
            }))
          : [],
      }),
    }),
    { description: 'The .prompt file of an agent.', mimeType: 'text/x-dotprompt' },
    (uri, vars) => {
      const env = decodeURIComponent(String(vars.environment));
      authorize(principal, 'read', env);
      const source = engine.agents.source(env, decodeURIComponent(String(vars.agent)));
      return { contents: [{ uri: uri.href, mimeType: 'text/x-dotprompt', text: source.text }] };
    },
  );
  server.registerResource(
    'run',
    new ResourceTemplate('station://runs/{id}', {
      list: () => ({
        resources: engine.runs
          .list({ limit: 20 })
          .filter((r) => canSeeEnvironment(principal, r.environment))
          .map((r) => ({
            uri: `station://runs/${String(r.id)}`,
            name: `run ${String(r.id)} ${r.agent} (${r.status})`,
            mimeType: 'application/json',
          })),
      }),
    }),
    { description: 'A run with its input, output and trace.', mimeType: 'application/json' },
    (uri, vars) => {
      const id = Number(vars.id);
      if (!Number.isInteger(id) || id < 1) throw new NotFoundError(`no run "${String(vars.id)}"`);
      const run = engine.runs.show(id);
      authorize(principal, 'read', run.environment);
      return json(uri, run);
    },
  );
  return server;
}

function resultView(result: RunResult): Record<string, unknown> {
  return {
    runId: result.runId,
    agent: result.agent,
    environment: result.environment,
    status: result.status,
    stopReason: result.stopReason,
    output: result.output,
    error: result.error,
    steps: result.steps,
    toolCalls: result.toolCalls,
    tokens: result.tokens,
    durationMs: result.durationMs,
  };
}

function progressLine(event: RunEvent): string {
  switch (event.type) {
    case 'tool.started':
      return `calling ${event.data.tool}`;
    case 'model.request':
      return `model step ${String(event.data.step)}`;
    case 'run.finished':
      return `finished: ${event.data.status}`;
    default:
      return event.type;
  }
}

function withoutPath<T extends { path?: string }>(agent: T): Omit<T, 'path'> {
  const { path: _path, ...rest } = agent;
  return rest;
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function describeError(error: unknown): string {
  if (!isStationError(error)) return `internal error: ${errorMessage(error)}`;
  const lines = [`${error.code}: ${error.message}`];
  const issues = (error.details?.issues ?? []) as { field: string; message: string }[];
  for (const issue of issues) lines.push(`  ${issue.field === '' ? '(input)' : issue.field}: ${issue.message}`);
  for (const hint of error.hints) lines.push(`hint: ${hint}`);
  return lines.join('\n');
}
