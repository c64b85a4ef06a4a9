import type { MeView } from '../../api/views.js';
import type { Principal } from '../../security/roles.js';
import type { RouteDef } from '../http-types.js';
import type { ServerContext } from '../server-context.js';

/** /health, /ready, /metrics and /api/v1/me. The OpenAPI document route is added by the server. */
export function systemRoutes(
  ctx: ServerContext,
  ready: (caller: Principal | undefined) => Promise<{ ok: boolean; checks: Record<string, unknown> }>,
): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/health',
      operationId: 'health',
      summary: 'The process is up (no key needed).',
      tag: 'operations',
      access: 'public',
      responses: { 200: { description: 'Up.' } },
      handle: () => ({
        status: 200,
        body: { status: 'ok', version: ctx.version, uptimeSeconds: Math.round((ctx.clock() - ctx.startedAt) / 1000) },
      }),
    },
    {
      method: 'GET',
      path: '/ready',
      operationId: 'ready',
      summary:
        'The database and MCP pools are usable. Without a key only the status (for load balancers and probes); ' +
        'with one, the checks of the environments it is granted.',
      tag: 'operations',
      access: 'optional',
      responses: { 200: { description: 'Ready.' }, 503: { description: 'Not ready; `checks` says what failed.' } },
      handle: async ({ caller }) => {
        const result = await ready(caller);
        const status = result.ok ? 'ready' : 'not_ready';
        return {
          status: result.ok ? 200 : 503,
          body: caller === undefined ? { status } : { status, checks: result.checks },
        };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics.',
      tag: 'operations',
      access: { action: 'read' },
      responses: { 200: { description: 'Prometheus text exposition format.' } },
      handle: async () => {
        const { contentType, body } = await ctx.metrics.text();
        return { status: 200, text: body, contentType };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/me',
      operationId: 'whoami',
      summary: 'The key making the request (name, role, environment grants), the default environment and the version.',
      tag: 'operations',
      access: { action: 'read' },
      responses: { 200: { description: 'The caller.' } },
      handle: ({ api }) => {
        const me: MeView = {
          name: api.principal.name,
          prefix: api.principal.prefix,
          role: api.principal.role,
          environments: api.principal.environments,
          defaultEnvironment: api.environments.defaultName(),
          version: ctx.version,
        };
        return { status: 200, body: me };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/ws-tickets',
      operationId: 'createWsTicket',
      summary:
        'A single-use ticket for opening the WebSocket where headers cannot be set (a browser): /ws?ticket=..., within 30 seconds.',
      tag: 'operations',
      access: { action: 'read' },
      responses: { 201: { description: 'The ticket and when it expires.' } },
      handle: ({ api }) => ({ status: 201, body: api.session.wsTicket() }),
    },
  ];
}
