import type { IncomingMessage } from 'node:http';
import type { Action, Principal } from '../security/roles.js';
import type { Logger } from './logger.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON Schema fragment, as used in the OpenAPI document and for request validation. */
export type JsonSchema = Record<string, unknown>;

export interface QueryParam {
  name: string;
  type: 'string' | 'integer';
  description: string;
  enum?: readonly string[];
}

/**
 * Who may call a route: `action` is checked against the key's role, and when `envParam` (a path
 * parameter) or `envFrom` (derived from the request) names an environment, against its grants too.
 */
export interface RouteAccess {
  action: Action;
  envParam?: string;
}

export interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The caller (undefined only on public routes). */
  principal: Principal;
  requestId: string;
  log: Logger;
  /** The parsed JSON body, validated against the route's `body` schema. */
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of JSON (e.g. Prometheus text). */
  text?: string;
  contentType?: string;
}

export interface RouteDef {
  method: HttpMethod;
  /** OpenAPI-style template: `/api/v1/environments/{env}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** 'public' only for /health: every other route needs a key. */
  access: RouteAccess | 'public';
  query?: readonly QueryParam[];
  /** JSON Schema of the request body; requests are validated against it (400 with field errors). */
  body?: JsonSchema;
  /** Status -> description (and optional JSON Schema of the response). */
  responses: Record<number, { description: string; schema?: JsonSchema }>;
  handle(ctx: RequestContext): Promise<Reply> | Reply;
}
