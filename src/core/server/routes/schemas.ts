import type { JsonSchema } from '../http-types.js';

/** JSON Schemas shared by route definitions (request bodies and documented responses). */

export const NAME_SCHEMA: JsonSchema = { type: 'string', minLength: 1, maxLength: 64 };

export const ENVIRONMENT_SUMMARY: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    path: { type: 'string' },
    description: { type: 'string' },
    agents: { type: 'integer' },
    servers: { type: 'integer' },
    tools: { type: 'integer' },
    lastSyncedAt: { type: ['string', 'null'] },
  },
};

export function listOf(item: JsonSchema): JsonSchema {
  return { type: 'array', items: item };
}

export const OBJECT: JsonSchema = { type: 'object' };
