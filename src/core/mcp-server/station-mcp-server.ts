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
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import * as z from 'zod';
import type { AgentDraft } from '../agents/agent-draft.js';
import type { StationApi } from '../api/application.js';
import type { AgentListItem } from '../api/views.js';
import { AuthError, errorMessage, isStationError, NotFoundError, ValidationError } from '../errors.js';
import { RUN_STATUSES, RUN_TRIGGERS, type RunEvent } from '../events/run-events.js';
import { allows, type Action } from '../security/roles.js';
import type { RunResult } from '../runner/run-errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { agentToolNames } from './agent-tool-names.js';
import { originalAgentArgs, registerOriginalTools } from './original-tools.js';

export interface StationMcpOptions {
  /** The environment whose agents become `agent_<name>` tools, and the default of every tool. */
  environment: string;
  version: string;
}

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
  'list_secrets',
  'set_secret',
  'delete_secret',
  'list_schedules',
  'get_schedule',
  'pause_schedule',
  'resume_schedule',
  'run_schedule',
  'list_webhooks',
  'add_webhook',
  'delete_webhook',
  'test_webhook',
  'create_bundle',
  'install_bundle',
  // The original Station's tools, for its clients (agent_id is the agent's name; `task` its userInput).
  'call_agent',
  'create_environment',
  'delete_environment',
  'export_agent',
  'list_mcp_configs',
  'discover_tools',
  'get_agent_schema',
  'add_tool',
  'remove_tool',
  'inspect_run',
] as const;

/** The action each changing tool needs (the others only read). */
const TOOL_ACTIONS: Partial<Record<(typeof RESERVED_TOOLS)[number], Action>> = {
  create_agent: 'write',
  update_agent: 'write',
  delete_agent: 'write',
  run_agent: 'run',
  cancel_run: 'run',
  sync_environment: 'write',
  list_secrets: 'admin',
  set_secret: 'admin',
  delete_secret: 'admin',
  pause_schedule: 'run',
  resume_schedule: 'run',
  run_schedule: 'run',
  list_webhooks: 'admin',
  add_webhook: 'admin',
  delete_webhook: 'admin',
  test_webhook: 'admin',
  create_bundle: 'admin',
  install_bundle: 'admin',
  call_agent: 'run',
  create_environment: 'admin',
  delete_environment: 'admin',
  add_tool: 'write',
  remove_tool: 'write',
};

const envArg = z
  .string()
  .min(1)
  .optional()
  .describe('Environment name (default: the one this server was started for).');

/**
 * The MCP server of one caller: every tool and resource calls `api`, the operations of the session's
 * principal (the API key's over HTTP, the local user's over stdio), which authorize and audit.
 */
export function createStationMcpServer(api: StationApi, options: StationMcpOptions): McpServer {
  const server = new McpServer(
    { name: 'station', version: options.version },
    {
      instructions:
        `Station runs AI agents (dotprompt files) that use MCP tools. Default environment: "${options.environment}". ` +
        (allows(api.principal, 'run')
          ? 'Use list_agents, then run_agent (or the agent_<name> tools), and get_run to read a run and its trace.'
          : `The key "${api.principal.name}" (${api.principal.role}) may only read: use list_agents, list_runs and get_run.`),
    },
  );
  const envOf = (env: string | undefined): string => env ?? options.environment;
  /**
   * Registers a tool that changes something only when the caller's role allows its action: a viewer is not
   * offered create_agent or run_agent (calling them would only fail). Grants per environment are still
   * checked on each call, since the environment is an argument.
   */
  const offer: McpServer['registerTool'] = (...args) => {
    const [name] = args;
    const action = TOOL_ACTIONS[name as keyof typeof TOOL_ACTIONS];
    if (action !== undefined && !allows(api.principal, action)) return undefined as never;
    return server.registerTool(...args);
  };

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
    let events = 0;
    const handle = await api.runs.start(env, agent, input, {
      model: opts.model,
      onEvent: (event: RunEvent) => opts.progress(++events, progressLine(event)),
    });
    if (!opts.wait)
      return { runId: handle.runId, status: 'queued', hint: `Follow it with get_run {"id": ${String(handle.runId)}}.` };
    const onAbort = (): void => void handle.stop('cancelled by the MCP client');
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
    tool<Record<string, never>>(async () => api.environments.list()),
  );

  server.registerTool(
    'list_agents',
    {
      description: 'List the agents of an environment.',
      inputSchema: { environment: envArg },
      annotations: { readOnlyHint: true },
    },
    tool<{ environment?: string | undefined }>(async ({ environment }) => api.agents.list(envOf(environment))),
  );

  server.registerTool(
    'list_tools',
    {
      description: 'List the MCP tools of an environment (as recorded by its last sync).',
      inputSchema: { environment: envArg, server: z.string().optional().describe('Only tools of this MCP server.') },
      annotations: { readOnlyHint: true },
    },
    tool<{ environment?: string | undefined; server?: string | undefined }>(async ({ environment, server: name }) =>
      api.mcp.tools(envOf(environment), name === undefined ? {} : { server: name }),
    ),
  );

  server.registerTool(
    'get_agent',
    {
      description: 'Read an agent: its definition (model, tools, input schema) and the text of its .prompt file.',
      inputSchema: { environment: envArg, name: z.string().min(1) },
      annotations: { readOnlyHint: true },
    },
    tool<{ environment?: string | undefined; name: string }>(async ({ environment, name }) => {
      const source = api.agents.source(envOf(environment), name);
      return { agent: withoutPath(source.agent), text: source.text, hash: source.hash };
    }),
  );

  offer(
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
        const created = await api.agents.create(envOf(environment), stripUndefined(draft) as unknown as AgentDraft);
        return withoutPath(created);
      },
    ),
  );

  offer(
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
        const clean = stripUndefined(patch);
        if (text === undefined && Object.keys(clean).length === 0) {
          throw new ValidationError('nothing to change', [
            { field: '', message: 'give at least one field to change, or text' },
          ]);
        }
        const updated =
          text !== undefined
            ? await api.agents.replaceText(env, name, text)
            : await api.agents.update(env, name, clean);
        return withoutPath(updated);
      },
    ),
  );

  offer(
    'delete_agent',
    {
      description: 'Delete an agent (its runs keep their history).',
      inputSchema: { environment: envArg, name: z.string().min(1) },
      annotations: { destructiveHint: true },
    },
    tool<{ environment?: string | undefined; name: string }>(async ({ environment, name }) => {
      const env = envOf(environment);
      const deleted = api.agents.delete(env, name);
      return { deleted: deleted.name, environment: env };
    }),
  );

  offer(
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
        trigger: z
          .enum(RUN_TRIGGERS)
          .optional()
          .describe('Only runs started this way: manual (CLI, TUI), api (REST), mcp, or schedule.'),
        limit: z.number().int().min(1).max(500).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    tool<{
      environment?: string | undefined;
      agent?: string | undefined;
      status?: (typeof RUN_STATUSES)[number] | undefined;
      trigger?: (typeof RUN_TRIGGERS)[number] | undefined;
      limit?: number | undefined;
    }>(async ({ environment, agent, status, trigger, limit }) =>
      api.runs.list({
        environment,
        agent,
        status: status === undefined ? undefined : [status],
        trigger: trigger === undefined ? undefined : [trigger],
        limit: limit ?? 20,
      }),
    ),
  );

  server.registerTool(
    'list_schedules',
    {
      description: "Agents' schedules: cron, next three fires, last fire and its run status, paused or not.",
      inputSchema: { environment: z.string().optional().describe('Only this environment.') },
      annotations: { readOnlyHint: true },
    },
    tool<{ environment?: string | undefined }>(async ({ environment }) => api.schedules.list(environment)),
  );
  server.registerTool(
    'get_schedule',
    {
      description: "One agent's schedule.",
      inputSchema: { agent: z.string().min(1), environment: envArg },
      annotations: { readOnlyHint: true },
    },
    tool<{ agent: string; environment?: string | undefined }>(async ({ agent, environment }) =>
      api.schedules.show(envOf(environment), agent),
    ),
  );
  for (const [name, verb, description] of [
    ['pause_schedule', 'pause', 'Pause a schedule (recorded in the database; the agent file is not changed).'],
    ['resume_schedule', 'resume', 'Resume a paused schedule: it fires again from now on.'],
  ] as const) {
    offer(
      name,
      { description, inputSchema: { agent: z.string().min(1), environment: envArg } },
      tool<{ agent: string; environment?: string | undefined }>(async ({ agent, environment }) =>
        api.schedules[verb](envOf(environment), agent),
      ),
    );
  }
  offer(
    'run_schedule',
    {
      description: "Start a scheduled agent's run now with its schedule's variables; returns the run id (see get_run).",
      inputSchema: { agent: z.string().min(1), environment: envArg },
    },
    tool<{ agent: string; environment?: string | undefined }>(async ({ agent, environment }) => {
      const started = await api.schedules.run(envOf(environment), agent);
      return { runId: started.runId, status: 'queued' };
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
      const run = api.runs.show(id);
      return events === false ? { ...run, events: undefined } : run;
    }),
  );

  offer(
    'cancel_run',
    { description: 'Cancel a queued or running run.', inputSchema: { id: z.number().int().min(1) } },
    tool<{ id: number }>(async ({ id }) => api.runs.cancel(id, 'mcp')),
  );

  offer(
    'sync_environment',
    {
      description: "Sync an environment: start its MCP servers, record their tools, check the agents' tool references.",
      inputSchema: { environment: envArg },
    },
    tool<{ environment?: string | undefined }>(async ({ environment }, extra) => {
      let n = 0;
      return api.mcp.sync({
        environments: [envOf(environment)],
        onEvent: (event) => extra.progress(++n, 'server' in event ? `${event.type} ${event.server}` : event.type),
      });
    }),
  );

  // Bundles (admins): an environment packed as an archive, and a bundle installed with an explicit approval.
  offer(
    'create_bundle',
    {
      description:
        'Pack an environment as a bundle (.tar.gz: agents, MCP configs, manifest.json; never variables.yml or a value). With `output`, writes it to that path on the Station host and returns the path; without, returns the archive as base64.',
      inputSchema: {
        environment: envArg,
        output: z.string().min(1).optional().describe('Absolute path of the .tar.gz to write on the Station host.'),
      },
    },
    tool(async ({ environment, output }: { environment?: string | undefined; output?: string | undefined }) => {
      const env = envOf(environment);
      const created = api.bundles.create(env);
      const sha256 = createHash('sha256').update(created.bytes).digest('hex');
      const common = { environment: env, bytes: created.bytes.length, sha256, files: created.files };
      if (output === undefined) return { ...common, file: `${env}.tar.gz`, base64: created.bytes.toString('base64') };
      if (!isAbsolute(output))
        throw new ValidationError('output must be an absolute path', [{ field: 'output', message: 'not absolute' }]);
      writeFileAtomic(output, created.bytes, { mode: 0o644 });
      return { ...common, path: output };
    }),
  );
  offer(
    'install_bundle',
    {
      description:
        'Install a bundle as an environment: source is a .tar.gz path or folder on the Station host, an https:// URL, a first-party name or a registry NAME[@VERSION]. The MCP servers it would start must be approved: call without `approve` to get them (error approval_required, with details.servers and details.configHash), review them, then call again with approve set to that configHash. Variables nothing gives fail with missing_variables (details.missing); send them in `vars`.',
      inputSchema: {
        source: z.string().min(1),
        environment: z.string().min(1).optional().describe("Environment to create [default: the bundle's name]."),
        approve: z.string().optional().describe('The configHash of the servers you approve.'),
        vars: z.record(z.string(), z.string()).optional().describe('Variable values, NAME: value.'),
        force: z.boolean().optional().describe('Replace an existing environment (kept as a dated backup).'),
        sync: z.boolean().optional().describe('Sync after installing [default: true].'),
      },
    },
    tool(
      async (args: {
        source: string;
        environment?: string | undefined;
        approve?: string | undefined;
        vars?: Record<string, string> | undefined;
        force?: boolean | undefined;
        sync?: boolean | undefined;
      }) => {
        const result = await api.bundles.install(args.source, {
          ...(args.environment === undefined ? {} : { environment: args.environment }),
          approvedHash: args.approve ?? '',
          vars: args.vars ?? {},
          force: args.force === true,
          sync: args.sync !== false,
        });
        const { sync, ...rest } = result;
        return { ...rest, synced: sync === null ? null : sync.ok };
      },
    ),
  );

  // The secret store (admins): names listed, values set and removed; no tool returns a value.
  const secretScope = {
    environment: z
      .string()
      .min(1)
      .optional()
      .describe('The environment the secret belongs to; absent: a global secret (every environment).'),
  };
  offer(
    'list_secrets',
    {
      description:
        'List stored secrets: names, scopes and dates, never values. With an environment: its own and the global ones.',
      inputSchema: secretScope,
      annotations: { readOnlyHint: true },
    },
    tool<{ environment?: string | undefined }>(async ({ environment }) =>
      api.secrets.list(environment === undefined ? {} : { environment }),
    ),
  );
  offer(
    'set_secret',
    {
      description:
        'Store a secret, encrypted at rest, for {{ .NAME }} in MCP configs (write-only: no tool reads it back).',
      inputSchema: { name: z.string().min(1), value: z.string().min(1), ...secretScope },
    },
    tool<{ name: string; value: string; environment?: string | undefined }>(async ({ name, value, environment }) => {
      const result = api.secrets.set(name, value, environment === undefined ? {} : { environment });
      return { ...result.secret, created: result.created };
    }),
  );
  offer(
    'delete_secret',
    {
      description: 'Remove a stored secret.',
      inputSchema: { name: z.string().min(1), ...secretScope },
      annotations: { destructiveHint: true },
    },
    tool<{ name: string; environment?: string | undefined }>(async ({ name, environment }) =>
      api.secrets.remove(name, environment === undefined ? {} : { environment }),
    ),
  );

  // Webhooks (admins): run outcomes POSTed elsewhere; add_webhook returns the signing secret, once.
  offer(
    'list_webhooks',
    {
      description: 'List webhooks: URL, filters (environment, agent, events) and format; never their secrets.',
      inputSchema: {},
      annotations: { readOnlyHint: true },
    },
    tool<Record<string, never>>(async () => api.webhooks.list()),
  );
  offer(
    'add_webhook',
    {
      description:
        'Add a webhook: run outcomes POSTed to a URL, signed with X-Station-Signature (HMAC-SHA256). Returns the signing secret, shown only this once.',
      inputSchema: {
        url: z.string().min(1),
        environment: z.string().min(1).optional().describe('Only runs of this environment (default: all).'),
        agent: z.string().min(1).optional().describe('Only runs of this agent (default: all).'),
        events: z
          .array(z.string().min(1))
          .optional()
          .describe('run.finished (default) or run.<status>: run.failed, run.timed_out, ...'),
        format: z.enum(['json', 'slack']).optional(),
      },
    },
    tool<{
      url: string;
      environment?: string | undefined;
      agent?: string | undefined;
      events?: string[] | undefined;
      format?: 'json' | 'slack' | undefined;
    }>(async (input) => api.webhooks.add(input)),
  );
  offer(
    'delete_webhook',
    {
      description: 'Remove a webhook, with its queued deliveries and its secret.',
      inputSchema: { id: z.number().int().positive() },
      annotations: { destructiveHint: true },
    },
    tool<{ id: number }>(async ({ id }) => api.webhooks.remove(id)),
  );
  offer(
    'test_webhook',
    {
      description: "Send a sample delivery to a webhook now (one attempt) and return the receiver's answer.",
      inputSchema: { id: z.number().int().positive() },
    },
    tool<{ id: number }>(async ({ id }) => api.webhooks.test(id)),
  );
  registerOriginalTools(api, offer, tool, envOf, runAgent);

  // Each agent of the chosen environment as a tool of its own (none when the caller may not see it or run it).
  const agents = allows(api.principal, 'run', options.environment) ? visibleAgents(api, options.environment) : [];
  const names = agentToolNames(
    agents.map((a) => a.name),
    new Set(RESERVED_TOOLS),
  );
  for (const summary of agents) {
    const toolName = names.get(summary.name);
    if (toolName === undefined) continue;
    let schema: z.ZodType;
    let declared = new Set<string>();
    try {
      // Beside the schema's own fields, the original's clients pass `input` (the task) and `variables`.
      const own = z.fromJSONSchema(api.agents.get(options.environment, summary.name).inputSchema);
      if (own instanceof z.ZodObject) {
        declared = new Set(Object.keys(own.shape));
        const extra: Record<string, z.ZodType> = {};
        if (!declared.has('input'))
          extra.input = z.string().optional().describe("The original Station's task text (userInput).");
        if (!declared.has('variables'))
          extra.variables = z
            .record(z.string(), z.unknown())
            .optional()
            .describe("The original Station's template variables (merged into the input).");
        // userInput may come as `input` or in `variables` then (the runner still validates the input).
        const open = declared.has('userInput') ? own.partial({ userInput: true }) : own;
        schema = open.extend(extra);
      } else schema = own;
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
        runAgent(
          options.environment,
          summary.name,
          originalAgentArgs((args ?? {}) as Record<string, unknown>, declared),
          {
            wait: true,
            ...extra,
          },
        ),
      ),
    );
  }

  // Resources.
  const json = (uri: URL, value: unknown): ReadResourceResult => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
  });
  server.registerResource(
    'environments',
    'station://environments',
    { description: 'Every environment the caller may see.', mimeType: 'application/json' },
    (uri) => json(uri, api.environments.list()),
  );
  server.registerResource(
    'environment',
    new ResourceTemplate('station://environments/{environment}', {
      list: () => ({
        resources: api.environments.list().map((e) => ({
          uri: `station://environments/${encodeURIComponent(e.name)}`,
          name: e.name,
          mimeType: 'application/json',
        })),
      }),
    }),
    { description: 'One environment: agent and config files, variable names.', mimeType: 'application/json' },
    (uri, vars) => {
      return json(uri, api.environments.show(decodeURIComponent(String(vars.environment))));
    },
  );
  server.registerResource(
    'agent',
    new ResourceTemplate('station://agents/{environment}/{agent}', {
      list: () => ({
        resources: visibleAgents(api, options.environment).map((a) => ({
          uri: `station://agents/${encodeURIComponent(options.environment)}/${encodeURIComponent(a.name)}`,
          name: a.name,
          description: a.description,
          mimeType: 'text/x-dotprompt',
        })),
      }),
    }),
    { description: 'The .prompt file of an agent.', mimeType: 'text/x-dotprompt' },
    (uri, vars) => {
      const source = api.agents.source(
        decodeURIComponent(String(vars.environment)),
        decodeURIComponent(String(vars.agent)),
      );
      return { contents: [{ uri: uri.href, mimeType: 'text/x-dotprompt', text: source.text }] };
    },
  );
  server.registerResource(
    'run',
    new ResourceTemplate('station://runs/{id}', {
      list: () => ({
        resources: api.runs.list({ limit: 20 }).map((r) => ({
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
      return json(uri, api.runs.show(id));
    },
  );
  return server;
}

/** The agents of `env`, or none when the caller may not see that environment (it offers no agent tools then). */
function visibleAgents(api: StationApi, env: string): AgentListItem[] {
  try {
    return api.agents.list(env);
  } catch (error) {
    if (error instanceof AuthError && error.code === 'forbidden') return [];
    throw error;
  }
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
  // What a caller needs to answer: the servers to approve and their hash, the variables to give.
  if (error.code === 'approval_required' || error.code === 'missing_variables') {
    lines.push(`details: ${JSON.stringify(error.details ?? {})}`);
  }
  return lines.join('\n');
}
