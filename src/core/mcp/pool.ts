/**
 * The MCP client pool of one environment: every server started concurrently, each supervised (restart
 * with backoff), tools discovered, calls with cancellation and a timeout that progress resets, and
 * close() that ends every child process. Loaded lazily (it pulls in the MCP SDK).
 */
import { basename } from 'node:path';
import type { McpServerConfig } from '../config/mcp-config.js';
import { DEFAULT_CONFIG } from '../config/station-config.js';
import { McpError, NotFoundError, errorMessage } from '../errors.js';
import { ProcessGuard } from './process-guard.js';
import {
  maskAnswer,
  type OfferStatus,
  type PromptInfo,
  type ResourceContents,
  type ResourceInfo,
  type ResourceTemplateInfo,
  type ServerPrompts,
  type ServerResources,
} from './offerings.js';
import { makeRedactor, type Redact, type Secret } from './redactor.js';
import type { PoolEvent, RestartPolicy, ServerConnection, ServerState, ServerStatus } from './server-connection.js';
import { qualifiedToolName } from './tool-names.js';

/** The connection module: it brings the MCP SDK's client. */
type ConnectionModule = typeof import('./server-connection.js');

export type { PoolEvent, RestartPolicy, ServerState, ServerStatus };

export interface DiscoveredTool {
  server: string;
  name: string;
  qualifiedName: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ToolCallResult {
  isError: boolean;
  /** Text content joined, for the model (other content summarised in brackets). */
  text: string;
  /** Raw MCP content items. */
  content: unknown[];
  structuredContent?: unknown;
}

export interface ToolCallOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((p: { progress: number; total?: number; message?: string }) => void) | undefined;
}

export interface McpPoolOptions {
  /** Secret values masked in errors and stderr tails. */
  secrets?: readonly Secret[];
  clientInfo?: { name: string; version: string };
  restart?: Partial<RestartPolicy>;
  /**
   * Milliseconds a tool call may go without an answer or a progress notification before it fails, for
   * servers that set no `call_timeout_ms` (config.yaml's runner.tool_timeout_seconds; default 60 s).
   */
  callTimeoutMs?: number;
  /**
   * Largest answer (one JSON-RPC message) a stdio server that sets no `max_result_bytes` may send; a larger
   * tool result fails the call at once (config.yaml's runner.max_mcp_result_bytes; default 10 MiB).
   */
  maxResultBytes?: number;
  /** Grace per step when ending a stdio server (stdin close, then SIGTERM, then SIGKILL). */
  closeGraceMs?: number;
  onEvent?: (event: PoolEvent) => void;
  /**
   * Process hooks so that children never outlive this process: on exit they are killed, and on
   * SIGINT/SIGTERM/SIGHUP they are ended before the signal takes its default effect. Pass a shared
   * ProcessGuard to watch many pools with one set of hooks, or false for none. Default: a guard of its own.
   * The guard also tracks each stdio server's process group, so that it is ended even after kill -9.
   */
  guard?: ProcessGuard | false;
}

export const DEFAULT_CALL_TIMEOUT_MS = DEFAULT_CONFIG.runner.toolTimeoutSeconds * 1000;

export class McpPool {
  private readonly connections: Map<string, ServerConnection>;
  private readonly redact: Redact;
  private guard: ProcessGuard | undefined;
  private closed: Promise<void> | undefined;
  /** Tool calls under way, so that a retired pool closes only when they are done. */
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    servers: readonly McpServerConfig[],
    private readonly options: McpPoolOptions,
    guard: ProcessGuard | undefined,
    /** Absent when there is no server (so none to connect to). */
    connections: ConnectionModule | undefined,
  ) {
    this.guard = guard;
    this.redact = makeRedactor(options.secrets ?? []);
    const emit = (event: PoolEvent): void => options.onEvent?.(event);
    this.connections = new Map();
    if (connections === undefined) return;
    const { ServerConnection, DEFAULT_RESTART } = connections;
    for (const s of servers) {
      this.connections.set(
        s.name,
        new ServerConnection(s, {
          redact: this.redact,
          clientInfo: options.clientInfo ?? { name: 'station', version: '0.1.0' },
          restart: { ...DEFAULT_RESTART, ...options.restart },
          emit,
          graceMs: options.closeGraceMs ?? 1000,
          maxResultBytes: options.maxResultBytes ?? DEFAULT_CONFIG.runner.maxMcpResultBytes,
          ...(guard === undefined ? {} : { track: (pgid, info) => guard.track(pgid, info) }),
        }),
      );
    }
  }

  /**
   * Starts every enabled server at once and resolves when each is ready or has failed (a failed server
   * does not fail the pool: see status()).
   */
  static async start(servers: readonly McpServerConfig[], options: McpPoolOptions = {}): Promise<McpPool> {
    const guard =
      options.guard !== false && servers.some((s) => s.transport === 'stdio')
        ? (options.guard ?? new ProcessGuard())
        : undefined;
    const enabled = servers.filter((s) => !s.disabled);
    // The MCP SDK loads only for a pool with a server to connect to (not for an environment without any).
    const connections = enabled.length === 0 ? undefined : await import('./server-connection.js');
    const pool = new McpPool(enabled, options, guard, connections);
    guard?.add(pool);
    await Promise.all([...pool.connections.values()].map((c) => c.start()));
    return pool;
  }

  /** Tools of every ready server, sorted by qualified name. */
  tools(): DiscoveredTool[] {
    const out: DiscoveredTool[] = [];
    for (const c of this.connections.values()) {
      if (c.state !== 'ready') continue;
      for (const t of c.tools) {
        out.push({
          server: c.name,
          name: t.name,
          qualifiedName: qualifiedToolName(c.name, t.name),
          description: t.description ?? '',
          inputSchema: t.inputSchema,
        });
      }
    }
    return out.sort((a, b) => a.qualifiedName.localeCompare(b.qualifiedName));
  }

  /** The state of every server, in config order. */
  status(): ServerStatus[] {
    return [...this.connections.values()].map((c) => c.status());
  }

  /** Round-trip time of an MCP ping to a server, in milliseconds. */
  ping(server: string, timeoutMs = 5000): Promise<number> {
    return this.connection(server).ping(timeoutMs);
  }

  /**
   * Calls a tool. A server that answers with an error (bad arguments, a failing tool) gives a result with
   * `isError: true`; a server that is down, a timeout without progress, or a cancelled signal throws
   * McpError (codes `mcp_server_unavailable`, `mcp_timeout`, `mcp_cancelled`, `mcp_result_too_large`). Aborting the signal
   * sends MCP `notifications/cancelled` to the server. The timeout is the server's `call_timeout_ms`,
   * else the pool's `callTimeoutMs`; each progress notification restarts it.
   */
  async callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    opts: ToolCallOptions = {},
  ): Promise<ToolCallResult> {
    const connection = this.connection(server);
    this.active++;
    let result: Awaited<ReturnType<ServerConnection['callTool']>>;
    try {
      result = await connection.callTool(tool, args, {
        ...this.callTimeout(connection.config),
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
        ...(opts.onProgress === undefined ? {} : { onProgress: opts.onProgress }),
      });
    } finally {
      this.active--;
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
    const content = Array.isArray(result.content) ? (result.content as unknown[]) : [];
    let text = content
      .map(contentText)
      .filter((t) => t !== '')
      .join('\n');
    if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
    return {
      isError: result.isError === true,
      text,
      content,
      ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
    };
  }

  /**
   * A tool's answer as it may be shown to a user who called the tool by hand: every text with this pool's
   * secrets masked (base64 payloads left whole).
   */
  mask<T>(value: T): T {
    return maskAnswer(value, this.redact);
  }

  /**
   * The resources and resource templates of every server (or one), each on its own: a server that does not
   * offer resources is `unsupported`; one that is down or fails to answer is `failed`, with the reason.
   */
  async resources(server?: string): Promise<ServerResources[]> {
    return this.eachServer(server, 'resources', { resources: [], templates: [] }, async (c) => {
      const listed = await c.listResources(this.callTimeout(c.config));
      return {
        resources: listed.resources.map((r): ResourceInfo => ({
          uri: r.uri,
          name: r.name,
          ...described(r),
          mimeType: r.mimeType ?? null,
        })),
        templates: listed.templates.map((t): ResourceTemplateInfo => ({
          uriTemplate: t.uriTemplate,
          name: t.name,
          ...described(t),
          mimeType: t.mimeType ?? null,
        })),
      };
    });
  }

  /** The prompts of every server (or one), each on its own (see resources()). */
  async prompts(server?: string): Promise<ServerPrompts[]> {
    return this.eachServer(server, 'prompts', { prompts: [] }, async (c) => {
      const prompts = await c.listPrompts(this.callTimeout(c.config));
      return {
        prompts: prompts.map((p): PromptInfo => ({
          name: p.name,
          ...described(p),
          arguments: (p.arguments ?? []).map((a) => ({
            name: a.name,
            description: a.description ?? '',
            required: a.required === true,
          })),
        })),
      };
    });
  }

  /** The contents of a resource of a server (secrets masked in text, blobs whole). */
  async readResource(server: string, uri: string): Promise<ResourceContents[]> {
    const connection = this.connection(server);
    const result = await connection.readResource(uri, this.callTimeout(connection.config));
    return this.mask(
      result.contents.map((c) => ({
        uri: c.uri,
        mimeType: c.mimeType ?? null,
        ...('text' in c && typeof c.text === 'string' ? { text: c.text } : {}),
        ...('blob' in c && typeof c.blob === 'string' ? { blob: c.blob } : {}),
      })),
    );
  }

  /** Ends every server and child process. Safe to call more than once. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.connections.values()].map((c) => c.close()));
      this.guard?.delete(this);
      this.guard = undefined;
    })();
    return this.closed;
  }

  /**
   * Closes the pool once no tool call is under way (a pool replaced after its config changed finishes the
   * calls it started), or after `maxWaitMs` at the latest.
   */
  async closeWhenIdle(maxWaitMs = 60_000): Promise<void> {
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, maxWaitMs);
        timer.unref();
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await this.close();
  }

  /** Kills every stdio server's process group at once (for process exit, where nothing can be awaited). */
  killNow(): void {
    for (const c of this.connections.values()) c.killNow();
  }

  /** The tool-call timeout of a server, and the setting it comes from (named in the timeout error). */
  private callTimeout(config: McpServerConfig): { timeoutMs: number; timeoutSetting: string } {
    if (config.callTimeoutMs !== undefined) {
      return { timeoutMs: config.callTimeoutMs, timeoutSetting: `"call_timeout_ms" in ${basename(config.file)}` };
    }
    return {
      timeoutMs: this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      timeoutSetting: 'runner.tool_timeout_seconds in config.yaml',
    };
  }

  /** Lists something of every server (or one) concurrently; each server's outcome stands on its own. */
  private async eachServer<T extends object>(
    server: string | undefined,
    kind: 'resources' | 'prompts',
    empty: T,
    list: (c: ServerConnection) => Promise<T>,
  ): Promise<({ server: string; status: OfferStatus; error?: string } & T)[]> {
    const connections = server === undefined ? [...this.connections.values()] : [this.connection(server)];
    return Promise.all(
      connections.map(async (c) => {
        try {
          if (!c.offers(kind)) return { server: c.name, status: 'unsupported' as const, ...empty };
          return this.mask({ server: c.name, status: 'ok' as const, ...(await list(c)) });
        } catch (error) {
          return { server: c.name, status: 'failed' as const, error: this.redact(errorMessage(error)), ...empty };
        }
      }),
    );
  }

  private connection(server: string): ServerConnection {
    if (this.closed !== undefined) throw new McpError('the MCP pool is closed', { code: 'mcp_server_unavailable' });
    const c = this.connections.get(server);
    if (c === undefined) {
      throw new NotFoundError(`no MCP server "${server}" in this environment`, {
        hints: [`Servers: ${[...this.connections.keys()].join(', ') || '(none)'}.`],
      });
    }
    return c;
  }
}

/** Title and description of a listed item, with a stable shape (null and '' when the server gives none). */
function described(item: { title?: string | undefined; description?: string | undefined }): {
  title: string | null;
  description: string;
} {
  return { title: item.title ?? null, description: item.description ?? '' };
}

/** The text of one MCP content item; other kinds are summarised so the model knows they exist. */
function contentText(item: unknown): string {
  if (typeof item !== 'object' || item === null) return '';
  const c = item as {
    type?: unknown;
    text?: unknown;
    mimeType?: unknown;
    data?: unknown;
    uri?: unknown;
    resource?: unknown;
    name?: unknown;
  };
  switch (c.type) {
    case 'text':
      return typeof c.text === 'string' ? c.text : '';
    case 'image':
    case 'audio': {
      const size = typeof c.data === 'string' ? Math.floor((c.data.length * 3) / 4) : 0;
      return `[${c.type} ${typeof c.mimeType === 'string' ? c.mimeType : ''}, ${String(size)} bytes]`;
    }
    case 'resource': {
      const r = (c.resource ?? {}) as { uri?: unknown; text?: unknown };
      const uri = typeof r.uri === 'string' ? r.uri : '';
      return typeof r.text === 'string' ? `[resource ${uri}]\n${r.text}` : `[resource ${uri}]`;
    }
    case 'resource_link':
      return `[resource link ${typeof c.uri === 'string' ? c.uri : ''}${typeof c.name === 'string' ? ` (${c.name})` : ''}]`;
    default:
      return '';
  }
}
