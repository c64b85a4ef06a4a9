import type { SetSecretBody } from '../../api/views.js';
import type { RouteDef } from '../http-types.js';
import { listOf, OBJECT } from './schemas.js';

const ENVIRONMENT_QUERY = {
  name: 'environment',
  type: 'string',
  description: 'The environment the secret belongs to; absent: a global secret.',
} as const;

/**
 * The secret store (admin keys): names listed, values set and removed, never read back; there is no route
 * that returns a value.
 */
export function secretRoutes(): RouteDef[] {
  const scopeOf = (environment: string | null | undefined): { environment?: string } =>
    environment === undefined || environment === null || environment === '' ? {} : { environment };
  return [
    {
      method: 'GET',
      path: '/api/v1/secrets',
      operationId: 'listSecrets',
      summary:
        'Secrets: names, scopes and dates, never values (admin). With ?environment: its own and the global ones.',
      tag: 'secrets',
      access: { action: 'admin' },
      query: [{ ...ENVIRONMENT_QUERY, description: 'Only the secrets this environment sees.' }],
      responses: {
        200: { description: 'The secrets.', schema: listOf(OBJECT) },
        404: { description: 'No such environment.' },
      },
      handle: ({ query, api }) => ({
        status: 200,
        body: api.secrets.list(scopeOf(query.get('environment'))),
      }),
    },
    {
      method: 'PUT',
      path: '/api/v1/secrets/{name}',
      operationId: 'setSecret',
      summary: 'Store a secret, encrypted at rest (admin; write-only: the value is never returned).',
      tag: 'secrets',
      access: { action: 'admin' },
      body: {
        type: 'object',
        required: ['value'],
        additionalProperties: false,
        properties: {
          value: { type: 'string', minLength: 1 },
          environment: { type: 'string', minLength: 1 },
        },
      },
      responses: {
        200: { description: 'Replaced.', schema: OBJECT },
        201: { description: 'Created.', schema: OBJECT },
        400: { description: 'Bad name or body.' },
        404: { description: 'No such environment.' },
      },
      handle: ({ params, body, api }) => {
        const input = body as SetSecretBody;
        const result = api.secrets.set(params.name ?? '', input.value, scopeOf(input.environment));
        return { status: result.created ? 201 : 200, body: result.secret };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/secrets/{name}',
      operationId: 'deleteSecret',
      summary: 'Remove a secret (admin).',
      tag: 'secrets',
      access: { action: 'admin' },
      query: [ENVIRONMENT_QUERY],
      responses: { 204: { description: 'Removed.' }, 404: { description: 'No such secret or environment.' } },
      handle: ({ params, query, api }) => {
        api.secrets.remove(params.name ?? '', scopeOf(query.get('environment')));
        return { status: 204 };
      },
    },
  ];
}
