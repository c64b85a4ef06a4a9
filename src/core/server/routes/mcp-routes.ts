import { NotFoundError } from '../../errors.js';
import type { McpPool } from '../../mcp/pool.js';
import { authorize } from '../../security/roles.js';
import type { RouteDef } from '../http-types.js';
import type { ServerContext } from '../server-context.js';
import type { SyncJobs } from '../../api/sync-jobs.js';
import { OBJECT, listOf } from './schemas.js';

/** MCP servers and tools of an environment, live checks, and syncs started in the background. */
export function mcpRoutes(
  ctx: ServerContext,
  livePool: (env: string) => McpPool | undefined,
  jobs: SyncJobs,
): RouteDef[] {
  const mcp = ctx.engine.mcpServers;
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
      handle: ({ params, query }) => {
        const server = query.get('server');
        const name = query.get('name');
        return {
          status: 200,
          body: ctx.metrics.timeQuery('mcp.tools', () =>
            mcp.tools(params.env ?? '', { ...(server === null ? {} : { server }), ...(name === null ? {} : { name }) }),
          ),
        };
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
      handle: ({ params }) => {
        const env = params.env ?? '';
        const live = new Map((livePool(env)?.status() ?? []).map((s) => [s.name, s]));
        return { status: 200, body: mcp.list(env).map((s) => ({ ...s, live: live.get(s.name) ?? null })) };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/environments/{env}/servers/check',
      operationId: 'checkServers',
      summary: 'Start every server of the environment now (initialize, list tools, ping) and report on each.',
      tag: 'mcp',
      access: { action: 'run', envParam: 'env' },
      responses: { 200: { description: 'The check report.' }, 404: { description: 'No such environment.' } },
      handle: async ({ params }) => {
        const report = await mcp.check(params.env ?? '');
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
        'Start a sync of the environment (202 + id; one at a time per environment); poll GET /api/v1/syncs/{id}.',
      tag: 'mcp',
      access: { action: 'write', envParam: 'env' },
      responses: { 202: { description: 'The sync job.' }, 404: { description: 'No such environment.' } },
      handle: ({ params, principal }) => {
        const env = params.env ?? '';
        ctx.engine.environments.require(env);
        const { job, started } = jobs.start(env, (o) => mcp.sync(o), (finished) => {
          ctx.log.info('sync finished', { environment: env, status: finished.status, syncId: finished.id });
          for (const s of finished.report?.environments[0]?.servers ?? []) {
            if (s.status === 'failed') ctx.metrics.mcpConnectionErrors.inc({ server: s.name });
          }
        });
        if (started) ctx.engine.keys.audit(principal.name, 'sync.start', env, { syncId: job.id });
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
      handle: ({ params, principal }) => {
        const job = jobs.get(params.id ?? '');
        if (job === undefined) {
          throw new NotFoundError(`no sync "${(params.id ?? '').slice(0, 40)}"`, {
            hints: ['Syncs are kept in memory by the server that ran them, the last 100 only.'],
          });
        }
        authorize(principal, 'read', job.environment);
        return { status: 200, body: job };
      },
    },
  ];
}
