import type { AddWebhookBody } from '../../api/views.js';
import { ValidationError } from '../../errors.js';
import type { RouteDef } from '../http-types.js';
import { listOf, OBJECT } from './schemas.js';

function idOf(text: string | undefined): number {
  const id = /^\d+$/.test(text ?? '') ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ValidationError(`webhook id must be a positive integer, got ${JSON.stringify(text ?? '')}`, [
      { field: 'id', message: 'expected a positive integer' },
    ]);
  }
  return id;
}

/** Webhooks (admin keys): list, add (the signing secret returned once), remove, send a sample. */
export function webhookRoutes(): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/webhooks',
      operationId: 'listWebhooks',
      summary: 'Webhooks: URL, filters and format, never their secrets (admin).',
      tag: 'webhooks',
      access: { action: 'admin' },
      responses: { 200: { description: 'The webhooks.', schema: listOf(OBJECT) } },
      handle: ({ api }) => ({ status: 200, body: api.webhooks.list() }),
    },
    {
      method: 'POST',
      path: '/api/v1/webhooks',
      operationId: 'addWebhook',
      summary: 'Add a webhook (admin): 201 with {webhook, secret}; the signing secret is returned only here.',
      tag: 'webhooks',
      access: { action: 'admin' },
      body: {
        type: 'object',
        required: ['url'],
        additionalProperties: false,
        properties: {
          url: { type: 'string', minLength: 1 },
          environment: { type: 'string', minLength: 1 },
          agent: { type: 'string', minLength: 1 },
          events: { type: 'array', items: { type: 'string', minLength: 1 } },
          format: { type: 'string', enum: ['json', 'slack'] },
        },
      },
      responses: {
        201: { description: 'Added.', schema: OBJECT },
        400: { description: 'Bad URL, event or format.' },
        404: { description: 'No such environment.' },
      },
      handle: ({ body, api }) => {
        const input = body as AddWebhookBody;
        return { status: 201, body: api.webhooks.add(input) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/webhooks/{id}',
      operationId: 'deleteWebhook',
      summary: 'Remove a webhook with its deliveries and secret (admin).',
      tag: 'webhooks',
      access: { action: 'admin' },
      responses: { 204: { description: 'Removed.' }, 404: { description: 'No such webhook.' } },
      handle: ({ params, api }) => {
        api.webhooks.remove(idOf(params.id));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/webhooks/{id}/test',
      operationId: 'testWebhook',
      summary: "Send a sample delivery now (one attempt) and return it with the receiver's answer (admin).",
      tag: 'webhooks',
      access: { action: 'admin' },
      responses: {
        200: { description: 'The delivery, delivered or not.', schema: OBJECT },
        404: { description: 'No such webhook.' },
      },
      handle: async ({ params, api }) => ({
        status: 200,
        body: await api.webhooks.test(idOf(params.id)),
      }),
    },
  ];
}
