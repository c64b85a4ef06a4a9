import type { IncomingMessage } from 'node:http';
import type { StationApi } from '../api/application.js';
import type { ApiResponses } from '../api/views.js';
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
  /** The caller (undefined only on public and optional routes: read `caller` there). */
  principal: Principal;
  /** The caller when a key was given (public routes: never; optional routes: when the request has one). */
  caller: Principal | undefined;
  requestId: string;
  /**
   * The operations of the caller (each authorizes, calls the service and audits), audited with this
   * request's door, id and remote address. Made on first use.
   */
  api: StationApi;
  /** The server's log with this request's id on every line. */
  log: Logger;
  /** The parsed JSON body, validated against the route's `body` schema. */
  body: unknown;
}

export interface Reply<Body = unknown> {
  status: number;
  body?: Body;
  headers?: Record<string, string>;
  /** The body as JSON text already (sent as is, as JSON): for answers read as JSON from the database. */
  json?: string;
  /** Sent as is instead of JSON (e.g. Prometheus text, an archive's bytes). */
  text?: string | Buffer;
  contentType?: string;
}

/** What every route has, whatever its operation. */
interface RouteBase {
  method: HttpMethod;
  /** OpenAPI-style template: `/api/v1/environments/{env}`. */
  path: string;
  summary: string;
  tag: string;
  /**
   * 'public': no key (/health). 'optional': answers without a key, and says more to a valid key (/ready: a
   * bare status for load balancers and probes, details for the environments the key is granted). Every
   * other route needs a key.
   */
  access: RouteAccess | 'public' | 'optional';
  query?: readonly QueryParam[];
  /** JSON Schema of the request body; requests are validated against it (400 with field errors). */
  body?: JsonSchema;
  /** Status -> description (and optional JSON Schema of the response). */
  responses: Record<number, { description: string; schema?: JsonSchema }>;
}

/** A route of one operation: its handler answers with that operation's response type (core's wire contract). */
export type RouteDefFor<Op extends keyof ApiResponses> = RouteBase & {
  operationId: Op;
  handle(ctx: RequestContext): Promise<Reply<ApiResponses[Op]>> | Reply<ApiResponses[Op]>;
};

/** A REST route: one of the operations of ApiResponses (a route without a typed answer does not compile). */
export type RouteDef = { [Op in keyof ApiResponses]: RouteDefFor<Op> }[keyof ApiResponses];
