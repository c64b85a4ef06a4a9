import type { HttpMethod, JsonSchema, RouteDef } from './http-types.js';

/** An operation served outside the router (WebSocket upgrade, MCP endpoint), documented all the same. */
export interface ExtraOperation {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  responses: Record<number, { description: string }>;
}

export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'exitCode', 'hints', 'requestId'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        exitCode: { type: 'integer', description: 'The exit code the same failure has on the command line.' },
        hints: { type: 'array', items: { type: 'string' } },
        details: {
          type: 'object',
          properties: {
            issues: {
              type: 'array',
              items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
        requestId: { type: 'string' },
      },
    },
  },
};

const COMMON_ERRORS: Record<number, string> = {
  401: 'Missing, invalid or revoked API key.',
  403: "The key's role or environment grants do not allow this.",
};

/** The OpenAPI 3.1 document of the API, built from the same route table the server dispatches on. */
export function buildOpenApi(
  routes: readonly RouteDef[],
  extra: readonly ExtraOperation[],
  version: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    // Errors every keyed route may answer; an optional-key route only refuses a bad key.
    const common =
      route.access === 'public' ? [] : route.access === 'optional' ? [401] : Object.keys(COMMON_ERRORS).map(Number);
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.responses)) {
      const code = Number(status);
      const schema = r.schema ?? (code >= 400 ? { $ref: '#/components/schemas/Error' } : undefined);
      responses[status] = {
        description: r.description,
        ...(schema === undefined ? {} : { content: { 'application/json': { schema } } }),
      };
    }
    for (const status of common) {
      const description = COMMON_ERRORS[status];
      if (description !== undefined) {
        responses[status] ??= {
          description,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
    }
    const parameters = [
      ...pathParams(route.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...(route.query ?? []).map((q) => ({
        name: q.name,
        in: 'query',
        required: false,
        description: q.description,
        schema: { type: q.type, ...(q.enum === undefined ? {} : { enum: q.enum }) },
      })),
    ];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body === undefined
        ? {}
        : { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } }),
      responses,
      ...(route.access === 'public'
        ? { security: [] }
        : route.access === 'optional'
          ? { security: [{}, { bearer: [] }] }
          : { 'x-station-access': route.access }),
    };
  }
  for (const op of extra) {
    (paths[op.path] ??= {})[op.method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description === undefined ? {} : { description: op.description }),
      tags: [op.tag],
      responses: Object.fromEntries(Object.entries(op.responses).map(([s, r]) => [s, { description: r.description }])),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Station API',
      version,
      description:
        'Run and inspect AI agents that use MCP tools. Every path except /health and /ready needs "Authorization: Bearer <key>" (stn key create); /ready gives details only to a key.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A Station API key (stn key create NAME --role ROLE).' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}

export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] ?? '');
}
