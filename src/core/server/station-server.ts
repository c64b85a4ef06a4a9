import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { Application, type StationApi } from '../api/application.js';
import type { AuditOrigin } from '../api/audit-origin.js';
import { ANONYMOUS } from '../api/principal.js';
import type { Engine } from '../engine.js';
import { AuthError, ExitCode, PortInUseError, StationError, errorMessage, isStationError } from '../errors.js';
import { authorize, type Principal } from '../security/roles.js';
import { readJsonBody } from './body.js';
import { BodyValidator } from './body-schema.js';
import { toHttpError } from './http-errors.js';
import type { Reply, RouteDef } from './http-types.js';
import { createJsonLogger, type Logger } from './logger.js';
import { type McpServerStateSample, ServerMetrics } from './metrics.js';
import { readPackageVersion } from './version.js';
import { buildOpenApi, type ExtraOperation } from './openapi.js';
import { Router } from './router.js';
import { auditRoutes } from './routes/audit-routes.js';
import { environmentRoutes } from './routes/environment-routes.js';
import { scheduleRoutes } from './routes/schedule-routes.js';
import { secretRoutes } from './routes/secret-routes.js';
import { bundleRoutes } from './routes/bundle-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';
import type { ServerContext } from './server-context.js';

export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
}

/** A piece of the server that adds routes, endpoints outside the router, readiness checks and teardown. */
export interface ServerExtension {
  routes?(ctx: ServerContext): RouteDef[];
  /** Operations served outside the router, for the OpenAPI document. */
  operations?: readonly ExtraOperation[];
  /**
   * Handles a request for a path it owns, that no route has (after authentication; `origin` is the request's,
   * for the audit rows of what it does); returns false to pass.
   */
  handle?(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal,
    requestId: string,
    origin: Partial<AuditOrigin>,
  ): Promise<boolean>;
  /**
   * Serves a public page (GET or HEAD) at a path no route has, before any key is asked for: the web UI's
   * files, which hold no data. Returns false to pass.
   */
  page?(req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
  /** Handles an HTTP upgrade (WebSocket) for a path it owns; returns false to pass. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, principal: Principal): boolean;
  /** Readiness checks; `caller` (when a key was given) limits the details to what it may see. */
  ready?(caller: Principal | undefined): Promise<Record<string, unknown> & { ok: boolean }>;
  /** Called when the server starts closing (before connections are ended). */
  close?(): Promise<void>;
}

export interface StationServerOptions {
  engine: Engine;
  /** The application layer the routes call (one per process); default one over `engine` without live pools. */
  app?: Application;
  host?: string;
  port?: number;
  tls?: TlsOptions;
  logger?: Logger;
  clock?: () => number;
  /** Runs waiting for a worker, for the queue-size metric. */
  queueSize?: () => number;
  /** The live MCP servers' states, for the server-state gauge. */
  mcpServerStates?: () => readonly McpServerStateSample[];
  extensions?: readonly ServerExtension[];
}

export interface ListeningAddress {
  host: string;
  port: number;
  url: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** A path of plain segments (no dot segment, no escape, no empty segment): the same once normalised by URL. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/?$/;

/**
 * A request target's path and query, as `new URL(target, base)` reads them; a plain path (most requests)
 * is taken as it is, without building a URL.
 */
export function requestTarget(target: string): { pathname: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path !== '' && PLAIN_PATH.test(path) && !target.includes('#')) {
    return { pathname: path, query: new URLSearchParams(q === -1 ? '' : target.slice(q + 1)) };
  }
  const url = new URL(target, 'http://station.local');
  return { pathname: url.pathname, query: url.searchParams };
}

/**
 * Station's HTTP server: REST under /api/v1, /health, /ready, /metrics, and what extensions add
 * (the WebSocket at /ws, MCP at /mcp). Every path except /health and /ready needs an API key (/ready gives details only to a key).
 */
export class StationServer {
  readonly metrics: ServerMetrics;
  readonly log: Logger;
  readonly router: Router;
  readonly context: ServerContext;
  private readonly server: Server;
  private readonly validator = new BodyValidator();
  private readonly extensions: readonly ServerExtension[];
  private readonly sockets = new Set<Socket>();
  private readonly app: Application;
  private openApiDoc: Record<string, unknown> | undefined;
  private address: ListeningAddress | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: StationServerOptions) {
    const clock = options.clock ?? Date.now;
    this.log = options.logger ?? createJsonLogger();
    const engine = options.engine;
    this.metrics = new ServerMetrics({
      agents: () => engine.agents.count(),
      mcpServers: () => engine.mcpServers.recordedCount(),
      runsByStatus: () => engine.runs.countByStatus(),
      queueSize: options.queueSize ?? (() => 0),
      ...(options.mcpServerStates === undefined ? {} : { mcpServerStates: options.mcpServerStates }),
    });
    this.extensions = options.extensions ?? [];
    const app = options.app ?? new Application(options.engine, { clock });
    this.app = app;
    this.context = {
      metrics: this.metrics,
      log: this.log,
      version: readPackageVersion(),
      startedAt: clock(),
      clock,
    };
    const routes: RouteDef[] = [
      ...systemRoutes(this.context, (caller) => this.readiness(caller)),
      ...environmentRoutes(this.context),
      ...secretRoutes(),
      ...scheduleRoutes(),
      ...bundleRoutes(),
      ...auditRoutes(this.context),
      ...webhookRoutes(),
      ...this.extensions.flatMap((e) => e.routes?.(this.context) ?? []),
    ];
    routes.push({
      method: 'GET',
      path: '/api/v1/openapi.json',
      operationId: 'openapi',
      summary: 'This OpenAPI document.',
      tag: 'operations',
      access: { action: 'read' },
      responses: { 200: { description: 'The OpenAPI 3.1 document.' } },
      handle: () => ({ status: 200, body: this.openApi() }),
    });
    this.router = new Router(routes);
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.onRequest(req, res);
    this.server =
      options.tls === undefined
        ? createHttpServer(handler)
        : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler);
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (error, socket) => {
      this.log.debug('client error', { error: errorMessage(error) });
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
  }

  /** The OpenAPI document of every route this server dispatches. */
  openApi(): Record<string, unknown> {
    this.openApiDoc ??= buildOpenApi(
      this.router.routes,
      this.extensions.flatMap((e) => e.operations ?? []),
      this.context.version,
    );
    return this.openApiDoc;
  }

  async listen(): Promise<ListeningAddress> {
    const host = this.options.host ?? this.options.engine.config.server.host;
    const port = this.options.port ?? this.options.engine.config.server.port;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        if (error.code === 'EADDRINUSE') {
          reject(new PortInUseError(host, port, { cause: error }));
          return;
        }
        // An address this machine does not have, or a port it may not open, is the user's to fix.
        const userMistake = ['EADDRNOTAVAIL', 'EACCES', 'ENOTFOUND', 'EAI_AGAIN'].includes(error.code ?? '');
        reject(
          new StationError(
            'listen',
            `cannot listen on ${host}:${String(port)}: ${error.code ?? error.message}`,
            userMistake ? ExitCode.INVALID : ExitCode.ERROR,
            {
              cause: error,
              hints: userMistake
                ? ['Pass --host with an address of this machine (127.0.0.1, 0.0.0.0) and --port 1024 or above.']
                : [],
            },
          ),
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const info = this.server.address() as AddressInfo;
    const scheme = this.options.tls === undefined ? 'http' : 'https';
    const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
    this.address = { host: info.address, port: info.port, url: `${scheme}://${shownHost}:${String(info.port)}` };
    this.log.info('listening', { url: this.address.url, tls: this.options.tls !== undefined });
    return this.address;
  }

  get url(): string {
    if (this.address === undefined) throw new Error('server is not listening');
    return this.address.url;
  }

  /**
   * Stops accepting connections, runs `drain` (the runs finishing) while WebSocket viewers still watch,
   * lets extensions end their sessions, waits up to `graceMs` for requests in flight, then ends the
   * connections that remain.
   */
  close(graceMs = 10_000, drain?: () => Promise<void>): Promise<void> {
    this.closing ??= this.doClose(graceMs, drain);
    return this.closing;
  }

  private async doClose(graceMs: number, drain: (() => Promise<void>) | undefined): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
    });
    this.server.closeIdleConnections();
    if (drain !== undefined) {
      try {
        await drain();
      } catch (error) {
        this.log.warn('drain failed', { error: errorMessage(error) });
      }
    }
    for (const ext of this.extensions) {
      try {
        await ext.close?.();
      } catch (error) {
        this.log.warn('extension close failed', { error: errorMessage(error) });
      }
    }
    this.server.closeIdleConnections();
    const timer = setTimeout(() => {
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
    this.log.info('server closed');
  }

  private async readiness(caller: Principal | undefined): Promise<{ ok: boolean; checks: Record<string, unknown> }> {
    const checks: Record<string, unknown> = {};
    let ok = true;
    try {
      this.metrics.timeQuery('ready', () => this.options.engine.db.prepare('SELECT 1').get());
      checks.database = { ok: true };
    } catch (error) {
      ok = false;
      checks.database = { ok: false, error: errorMessage(error) };
    }
    for (const [i, ext] of this.extensions.entries()) {
      if (ext.ready === undefined) continue;
      try {
        const { ok: extOk, ...rest } = await ext.ready(caller);
        Object.assign(checks, rest);
        if (!extOk) ok = false;
      } catch (error) {
        ok = false;
        checks[`extension${String(i)}`] = { ok: false, error: errorMessage(error) };
      }
    }
    return { ok, checks };
  }

  /** The request's principal; a refused key (missing, unknown, revoked, expired) is audited as `auth.failed`. */
  private authenticate(req: IncomingMessage, pathname: string, origin: Partial<AuditOrigin>): Principal {
    try {
      return this.options.engine.keys.authenticate(req.headers.authorization);
    } catch (error) {
      this.app.as(ANONYMOUS, origin).audit.authFailed(`${req.method ?? 'GET'} ${pathname}`, error);
      throw error;
    }
  }

  /** The principal a WebSocket ticket was given to; a refused ticket is audited like a refused key. */
  private redeemTicket(
    req: IncomingMessage,
    pathname: string,
    ticket: string,
    origin: Partial<AuditOrigin>,
  ): Principal {
    try {
      return this.app.redeemWsTicket(ticket);
    } catch (error) {
      this.app.as(ANONYMOUS, origin).audit.authFailed(`${req.method ?? 'GET'} ${pathname}`, error);
      throw error;
    }
  }

  /**
   * A browser page may open the WebSocket only from this server's own origin, its public URL's, or one in
   * server.allowed_origins: a page elsewhere must not ride on a ticket or key it got hold of. Clients that
   * are not browsers send no Origin.
   */
  private checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin?.toLowerCase();
    if (origin === undefined) return;
    const scheme = this.options.tls === undefined ? 'http' : 'https';
    const allowed = new Set(this.options.engine.config.server.allowedOrigins);
    if (req.headers.host !== undefined) allowed.add(`${scheme}://${req.headers.host.toLowerCase()}`);
    const publicUrl = this.options.engine.config.server.publicUrl;
    if (publicUrl !== null) allowed.add(new URL(publicUrl).origin.toLowerCase());
    if (allowed.has(origin)) return;
    throw new AuthError(`a page from ${origin} may not open this server's WebSocket`, {
      code: 'forbidden',
      hints: [`Add it to server.allowed_origins in config.yaml if it is yours: allowed_origins: [${origin}]`],
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const method = req.method ?? 'GET';
    const { pathname, query } = requestTarget(req.url ?? '/');
    // Every audit row written while this request is handled names its door, request id and remote address:
    // the request's handle on the application layer carries them.
    const remoteAddress = req.socket.remoteAddress;
    const origin: Partial<AuditOrigin> = {
      door: 'rest',
      requestId,
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
    };
    const app = this.app;
    const serverLog = this.log;
    let principal: Principal | undefined;
    let api: StationApi | undefined;
    let log: Logger | undefined;
    let status = 500;
    try {
      const match = this.router.match(method, pathname);
      if (match.kind === 'none' && (method === 'GET' || method === 'HEAD')) {
        for (const ext of this.extensions) {
          if (ext.page?.(req, res, pathname) === true) {
            status = res.statusCode;
            return;
          }
        }
      }
      const access = match.kind === 'found' ? match.route.access : undefined;
      if (access === 'optional') {
        // A key is not needed here, but a key that is given must be valid (a typo should not pass unnoticed).
        if (req.headers.authorization !== undefined) principal = this.authenticate(req, pathname, origin);
      } else if (access !== 'public') {
        principal = this.authenticate(req, pathname, origin);
      }
      if (principal !== undefined && match.kind !== 'found') {
        for (const ext of this.extensions) {
          if (ext.handle !== undefined && (await ext.handle(req, res, principal, requestId, origin))) {
            status = res.statusCode;
            return;
          }
        }
      }
      if (match.kind === 'none') {
        throw new StationError('no_route', `no route ${method} ${pathname}`, ExitCode.NOT_FOUND, {
          hints: ['See the routes in GET /api/v1/openapi.json.'],
        });
      }
      if (match.kind === 'method') {
        res.setHeader('Allow', match.allowed.join(', '));
        throw new StationError(
          'method_not_allowed',
          `${method} is not allowed on ${pathname} (allowed: ${match.allowed.join(', ')})`,
          ExitCode.USAGE,
        );
      }
      const { route, params } = match;
      if (typeof route.access === 'object') {
        if (principal === undefined) throw new AuthError('missing API key', { code: 'unauthorized' });
        const envParam = route.access.envParam;
        const environment = envParam === undefined ? undefined : params[envParam];
        try {
          authorize(principal, route.access.action, environment);
        } catch (error) {
          app.as(principal, origin).audit.denied(route.access.action, environment ?? `${method} ${pathname}`, error);
          throw error;
        }
      }
      let body: unknown;
      if (route.body !== undefined) {
        body = await readJsonBody(req);
        this.validator.check(route.body, body ?? null);
      } else {
        req.resume();
      }
      const caller = principal;
      const handled = route.handle({
        req,
        params,
        query,
        principal: caller as Principal,
        caller,
        requestId,
        get api() {
          return (api ??= app.as(caller ?? ANONYMOUS, origin));
        },
        get log() {
          return (log ??= serverLog.child({ requestId }));
        },
        body,
      });
      // A handler that answers at once is sent at once (no turn through the microtask queue).
      const reply = handled instanceof Promise ? await handled : handled;
      status = reply.status;
      send(res, reply);
    } catch (error) {
      const mapped = toHttpError(error, requestId);
      status = mapped.status;
      if (status >= 500)
        serverLog.error('request failed', {
          requestId,
          error: errorMessage(error),
          stack: error instanceof Error && !isStationError(error) ? error.stack : undefined,
        });
      if (isStationError(error) && error.exitCode === ExitCode.DATABASE) this.metrics.databaseErrors.inc();
      if (!res.headersSent) send(res, { status: mapped.status, body: mapped.body, headers: mapped.headers });
      else res.end();
    } finally {
      const ms = performance.now() - started;
      this.metrics.countRequest(method, status);
      const fields = {
        requestId,
        method,
        path: pathname,
        status,
        ms: Math.round(ms * 10) / 10,
        ...(principal === undefined ? {} : { keyName: principal.name, role: principal.role }),
      };
      if (status >= 500) serverLog.warn('request', fields);
      else serverLog.info('request', fields);
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let principal: Principal;
    try {
      const remoteAddress = req.socket.remoteAddress;
      const origin = { door: 'ws', ...(remoteAddress === undefined ? {} : { remoteAddress }) } as const;
      this.checkOrigin(req);
      // Browsers cannot set headers on a WebSocket: they bring a ticket (POST /api/v1/ws-tickets) instead.
      const { pathname, query } = requestTarget(req.url ?? '/');
      const ticket = query.get('ticket');
      principal =
        ticket === null ? this.authenticate(req, pathname, origin) : this.redeemTicket(req, pathname, ticket, origin);
    } catch (error) {
      const mapped = toHttpError(error, randomUUID());
      this.log.warn('upgrade refused', { path: (req.url ?? '').split('?')[0], status: mapped.status });
      rejectUpgrade(socket, mapped.status, mapped.body);
      return;
    }
    for (const ext of this.extensions) {
      if (ext.upgrade?.(req, socket, head, principal) === true) return;
    }
    rejectUpgrade(socket, 404, {
      error: { code: 'no_route', message: 'no WebSocket endpoint here', hints: ['Connect to /ws.'] },
    });
  }
}

function send(res: ServerResponse, reply: Reply): void {
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8' });
    res.end(reply.text);
    return;
  }
  if ((reply.body === undefined && reply.json === undefined) || reply.status === 204) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  const json = reply.json === undefined ? JSON.stringify(reply.body) : jsonBytes(reply.json);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': typeof json === 'string' ? Buffer.byteLength(json) : json.length,
  });
  res.end(json);
}

/**
 * The bytes of the last few JSON texts answered as they are (Reply.json): a list kept while the database does
 * not change is the same text each time, encoded once. Texts are compared as they come (the same string is
 * found at once).
 */
const encodedJson: { text: string; bytes: Buffer }[] = [];
const ENCODED_JSON_KEPT = 4;

function jsonBytes(text: string): Buffer {
  for (const kept of encodedJson) if (kept.text === text) return kept.bytes;
  const bytes = Buffer.from(text);
  encodedJson.unshift({ text, bytes });
  if (encodedJson.length > ENCODED_JSON_KEPT) encodedJson.pop();
  return bytes;
}

function rejectUpgrade(socket: Duplex, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  const reason =
    status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Error';
  socket.end(
    `HTTP/1.1 ${String(status)} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${String(Buffer.byteLength(json))}\r\nConnection: close\r\n\r\n${json}`,
  );
}
