import type { RouteDef } from '../http-types.js';
import type { ServerContext } from '../server-context.js';
import { ENVIRONMENT_SUMMARY, NAME_SCHEMA, listOf } from './schemas.js';

/** Environments: the application layer's environment operations. */
export function environmentRoutes(ctx: ServerContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/environments',
      operationId: 'listEnvironments',
      summary: 'Environments the key may see, with agent, server and tool counts.',
      tag: 'environments',
      access: { action: 'read' },
      responses: { 200: { description: 'The environments.', schema: listOf(ENVIRONMENT_SUMMARY) } },
      handle: ({ api }) => ({
        status: 200,
        body: ctx.metrics.timeQuery('environments.list', () => api.environments.list()),
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/environments/{env}',
      operationId: 'getEnvironment',
      summary: 'One environment: agent and config files, variable names (never values).',
      tag: 'environments',
      access: { action: 'read', envParam: 'env' },
      responses: { 200: { description: 'The environment.' }, 404: { description: 'No such environment.' } },
      handle: ({ params, api }) => ({
        status: 200,
        body: api.environments.show(params.env ?? ''),
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/environments',
      operationId: 'createEnvironment',
      summary: 'Create an environment (admin).',
      tag: 'environments',
      access: { action: 'admin' },
      body: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: NAME_SCHEMA, description: { type: 'string', maxLength: 500 } },
      },
      responses: {
        201: { description: 'Created.', schema: ENVIRONMENT_SUMMARY },
        400: { description: 'Bad name or body.' },
        409: { description: 'It exists already.' },
      },
      handle: ({ body, api }) => {
        const input = body as { name: string; description?: string };
        const created = api.environments.create(
          input.name,
          input.description === undefined ? {} : { description: input.description },
        );
        return {
          status: 201,
          body: created,
          headers: { Location: `/api/v1/environments/${encodeURIComponent(created.name)}` },
        };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/environments/{env}',
      operationId: 'deleteEnvironment',
      summary: 'Delete an environment and its folder (admin).',
      tag: 'environments',
      access: { action: 'admin', envParam: 'env' },
      responses: {
        204: { description: 'Deleted.' },
        404: { description: 'No such environment.' },
        409: { description: 'The last environment cannot be deleted.' },
      },
      handle: ({ params, api }) => {
        api.environments.delete(params.env ?? '');
        return { status: 204 };
      },
    },
  ];
}
