import type { RouteDef } from '../http-types.js';
import type { ServerContext } from '../server-context.js';
import { OBJECT, listOf } from './schemas.js';

export const CALL_TOOL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    arguments: { type: 'object', description: "The tool's arguments, checked against its input schema." },
  },
};

export const START_SYNC_SCHEMA = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    variables: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description:
        'Values for the variables a sync without them reported missing (`error.missing` of the sync); saved to the environment like answers to `stn sync` on a terminal, only when they answer every missing one.',
    },
  },
};

const SERVER_QUERY = [{ name: 'server', type: 'string', description: 'Only this server.' }] as const;

/**
 * MCP servers and tools of an environment, tool calls by hand, what the servers offer (resources,
 * prompts), live checks, and syncs started in the background.
 */
export function mcpRoutes(ctx: ServerContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/environments/{env}/tools',
      operationId: 'listTools',
      summary: 'Tools of an environment, as recorded by its last sync.',
      tag: 'mcp',
      access: { action: 'read', envParam: 'env' },
      query: [
        { name: 'server', type: 'string', description: 'Only tools of this server.' },
        { name: 'name', type: 'string', description: 'Only tools whose name contains this.' },
      ],
      responses: {
        200: { description: 'The tools.', schema: listOf(OBJECT) },
        404: { description: 'No such environment.' },
      },
      handle: ({ params, query, api }) => {
        const server = query.get('server');
        const name = query.get('name');
        const filter = { ...(server === null ? {} : { server }), ...(name === null ? {} : { name }) };
        return {
          status: 200,
          body: ctx.metrics.timeQuery('mcp.tools', () => api.mcp.tools(params.env ?? '', filter)),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/environments/{env}/tools/{tool}/call',
      operationId: 'callTool',
      summary:
        'Call a tool by hand (`server__tool`, or `__tool` when one server has it): the raw result (isError included) and its duration.',
      tag: 'mcp',
      access: { action: 'run', envParam: 'env' },
      body: CALL_TOOL_SCHEMA,
      responses: {
        200: { description: 'The answer: {environment, server, tool, qualifiedName, durationMs, result}.' },
        400: { description: 'Arguments that do not fit the input schema, or an ambiguous `__tool`.' },
        404: { description: 'No such environment or tool.' },
      },
      handle: async ({ params, body, api }) => {
        const env = params.env ?? '';
        const args = (body as { arguments?: Record<string, unknown> } | undefined)?.arguments ?? {};
        const report = await api.mcp.callTool(env, params.tool ?? '', args);
        ctx.metrics.mcpRequestDuration.observe({ environment: env, server: report.server }, report.durationMs / 1000);
        return { status: 200, body: report };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/environments/{env}/resources',
      operationId: 'listResources',
      summary: 'Resources and resource templates the MCP servers offer, server by server.',
      tag: 'mcp',
      access: { action: 'read', envParam: 'env' },
      query: SERVER_QUERY,
      responses: { 200: { description: '{environment, servers}.' }, 404: { description: 'No such environment.' } },
      handle: async ({ params, query, api }) => {
        const server = query.get('server') ?? undefined;
        return { status: 200, body: await api.mcp.resources(params.env ?? '', { server }) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/environments/{env}/prompts',
      operationId: 'listPrompts',
      summary: 'Prompts the MCP servers offer, with their arguments, server by server.',
      tag: 'mcp',
      access: { action: 'read', envParam: 'env' },
      query: SERVER_QUERY,
      responses: { 200: { description: '{environment, servers}.' }, 404: { description: 'No such environment.' } },
      handle: async ({ params, query, api }) => {
        const server = query.get('server') ?? undefined;
        return { status: 200, body: await api.mcp.prompts(params.env ?? '', { server }) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/environments/{env}/servers',
      operationId: 'listServers',
      summary:
        'MCP servers of an environment: configuration (names of secrets only), last sync, and live state in this server.',
      tag: 'mcp',
      access: { action: 'read', envParam: 'env' },
      responses: {
        200: { description: 'The servers.', schema: listOf(OBJECT) },
        404: { description: 'No such environment.' },
      },
      handle: ({ params, api }) => ({ status: 200, body: api.mcp.servers(params.env ?? '') }),
    },
    {
      method: 'POST',
      path: '/api/v1/environments/{env}/servers/check',
      operationId: 'checkServers',
      summary: 'Start every server of the environment now (initialize, list tools, ping) and report on each.',
      tag: 'mcp',
      access: { action: 'run', envParam: 'env' },
      responses: { 200: { description: 'The check report.' }, 404: { description: 'No such environment.' } },
      handle: async ({ params, api }) => {
        const report = await api.mcp.check(params.env ?? '');
        for (const s of report.servers)
          if (s.status === 'failed') ctx.metrics.mcpConnectionErrors.inc({ server: s.name });
        return { status: 200, body: report };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/environments/{env}/sync',
      operationId: 'startSync',
      summary:
        'Start a sync of the environment (202 + id; one at a time per environment); poll GET /api/v1/syncs/{id}. A sync whose configs need variables nothing gives fails with `error.code` `missing_variables` and `error.missing` (name, description, secret, uses; never values): start it again with `variables` answering them.',
      tag: 'mcp',
      access: { action: 'write', envParam: 'env' },
      body: START_SYNC_SCHEMA,
      responses: {
        202: { description: 'The sync job.' },
        400: { description: 'A body that is not {variables: {NAME: "value"}}.' },
        404: { description: 'No such environment.' },
      },
      handle: ({ params, body, api }) => {
        const variables = (body as { variables?: Record<string, string> } | null | undefined)?.variables;
        const { job } = api.mcp.startSync(
          params.env ?? '',
          (finished) => {
            ctx.log.info('sync finished', {
              environment: finished.environment,
              status: finished.status,
              syncId: finished.id,
            });
            for (const s of finished.report?.environments[0]?.servers ?? []) {
              if (s.status === 'failed') ctx.metrics.mcpConnectionErrors.inc({ server: s.name });
            }
          },
          variables === undefined ? {} : { variables },
        );
        return { status: 202, headers: { Location: `/api/v1/syncs/${job.id}` }, body: job };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/syncs/{id}',
      operationId: 'getSync',
      summary: 'A sync started through the API: progress, then its report.',
      tag: 'mcp',
      access: { action: 'read' },
      responses: {
        200: { description: 'The sync job.' },
        404: { description: 'No such sync (they are kept in memory).' },
      },
      handle: ({ params, api }) => ({ status: 200, body: api.mcp.syncJob(params.id ?? '') }),
    },
  ];
}
