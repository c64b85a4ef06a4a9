/**
 * One supervised MCP server: connect (start, initialize, list tools) within a timeout, restart a crashed
 * server with backoff, and fail calls fast while it is down.
 */
import { basename } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  McpError as SdkMcpError,
  type CallToolResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig, McpTransportKind } from '../config/mcp-config.js';
import { McpError, NotFoundError, errorMessage } from '../errors.js';
import type { Redact } from './redactor.js';
import { redactUrl } from '../security/redact-url.js';
import { RESULT_TOO_LARGE, StdioTransport, type ResultTooLargeData } from './stdio-transport.js';

const CONNECTION_CLOSED: number = ErrorCode.ConnectionClosed;
const REQUEST_TIMEOUT: number = ErrorCode.RequestTimeout;
const METHOD_NOT_FOUND: number = ErrorCode.MethodNotFound;

export type ServerState = 'connecting' | 'ready' | 'failed' | 'restarting' | 'closed';

export interface ServerStatus {
  name: string;
  /** The transport in use: `sse` when an HTTP server only answered the old SSE protocol. */
  transport: McpTransportKind;
  state: ServerState;
  /** Why the server failed or is restarting (secrets masked). */
  error?: string;
  /** The last lines of the server's stderr (stdio servers; secrets masked). */
  stderrTail: string;
  toolCount: number;
  /** Milliseconds the last start took (to ready, or to failure). */
  startMs: number;
  pid?: number;
  restarts: number;
  /** name/version the server reported in initialize. */
  serverInfo?: { name: string; version: string };
}

export interface RestartPolicy {
  /** Restarts tried in a row before the server is marked failed. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server that stayed up this long has its attempt count reset. */
  stableMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000, stableMs: 30_000 };

/** What the pool tells its listeners (the sync spinner, the TUI, logs). */
export type PoolEvent =
  | { type: 'server-starting'; server: string }
  | { type: 'server-ready'; server: string; toolCount: number; ms: number }
  | { type: 'server-failed'; server: string; error: string; ms: number }
  | { type: 'server-exited'; server: string; reason: string }
  | { type: 'server-restarting'; server: string; attempt: number; delayMs: number }
  | { type: 'server-restarted'; server: string; toolCount: number }
  | { type: 'tools-changed'; server: string; toolCount: number };

export interface ConnectionDeps {
  redact: Redact;
  clientInfo: { name: string; version: string };
  restart: RestartPolicy;
  emit: (event: PoolEvent) => void;
  /** Close grace per step (stdin close, SIGTERM) for stdio servers. */
  graceMs: number;
  /** Largest answer a stdio server that sets no `max_result_bytes` may send (runner.max_mcp_result_bytes). */
  maxResultBytes: number;
  /** Watches a stdio server's process group until it has ended (ProcessGuard.track). */
  track?: ((pgid: number, info: { server: string; command: string }) => () => void) | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Milliseconds without an answer or a progress notification before the call fails. */
  timeoutMs: number;
  /** Where the timeout is set, named in the timeout error (e.g. `"call_timeout_ms" in template.json`). */
  timeoutSetting: string;
  onProgress?: (p: { progress: number; total?: number; message?: string }) => void;
}

/** How long a request other than a tool call may wait for its answer, and where that is set. */
export type RequestLimits = Pick<CallOptions, 'timeoutMs' | 'timeoutSetting'>;

export class ServerConnection {
  state: ServerState = 'connecting';
  tools: Tool[] = [];
  private client: Client | undefined;
  private transport: Transport | undefined;
  private transportKind: McpTransportKind;
  private error: string | undefined;
  private startMs = 0;
  private restarts = 0;
  private attempt = 0;
  private readySince = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private lastStderr = '';
  private serverInfo: { name: string; version: string } | undefined;

  constructor(
    readonly config: McpServerConfig,
    private readonly deps: ConnectionDeps,
  ) {
    this.transportKind = config.transport;
  }

  get name(): string {
    return this.config.name;
  }

  status(): ServerStatus {
    const stdio = this.transport instanceof StdioTransport ? this.transport : undefined;
    const tail = stdio?.stderrTail() ?? this.lastStderr;
    const pid = stdio !== undefined && !stdio.hasExited ? stdio.pid : undefined;
    return {
      name: this.name,
      transport: this.transportKind,
      state: this.state,
      ...(this.error === undefined ? {} : { error: this.error }),
      stderrTail: this.deps.redact(tail),
      toolCount: this.tools.length,
      startMs: this.startMs,
      ...(pid === undefined ? {} : { pid }),
      restarts: this.restarts,
      ...(this.serverInfo === undefined ? {} : { serverInfo: this.serverInfo }),
    };
  }

  /** Starts the server; never throws: a failure leaves state `failed` with the reason. */
  async start(): Promise<void> {
    this.deps.emit({ type: 'server-starting', server: this.name });
    try {
      await this.connect();
      this.deps.emit({ type: 'server-ready', server: this.name, toolCount: this.tools.length, ms: this.startMs });
    } catch (error) {
      if (this.isClosing()) return;
      this.state = 'failed';
      this.error = this.deps.redact(errorMessage(error));
      this.deps.emit({ type: 'server-failed', server: this.name, error: this.error, ms: this.startMs });
    }
  }

  /** Round trip time of an MCP ping, in milliseconds. */
  async ping(timeoutMs: number): Promise<number> {
    const client = this.requireReady();
    const t0 = performance.now();
    try {
      await client.ping({ timeout: timeoutMs });
    } catch (error) {
      throw this.callError('ping', error, timeoutMs);
    }
    return performance.now() - t0;
  }

  async callTool(tool: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    if (options.signal?.aborted === true) throw cancelled(this.name, tool, options.signal.reason);
    const client = this.requireReady();
    if (!this.tools.some((t) => t.name === tool)) {
      throw new NotFoundError(`MCP server "${this.name}" has no tool "${tool}"`, {
        hints: [`Its tools: ${this.tools.map((t) => t.name).join(', ') || '(none)'}.`],
      });
    }
    const onProgress = options.onProgress;
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: options.timeoutMs,
        resetTimeoutOnProgress: true,
        // A progress handler is always set: it is what makes the server send progress, which resets the timeout.
        onprogress: (p) => {
          onProgress?.({
            progress: p.progress,
            ...(p.total === undefined ? {} : { total: p.total }),
            ...(p.message === undefined ? {} : { message: p.message }),
          });
        },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      return result as CallToolResult;
    } catch (error) {
      if (isAborted(options.signal)) throw cancelled(this.name, tool, options.signal?.reason);
      if (error instanceof SdkMcpError && error.code === RESULT_TOO_LARGE) throw this.tooLarge(tool, error);
      if (error instanceof SdkMcpError && error.code !== CONNECTION_CLOSED && error.code !== REQUEST_TIMEOUT) {
        // The server answered with an error (bad arguments, unknown tool, ...): a result the model can read.
        return { isError: true, content: [{ type: 'text', text: this.deps.redact(error.message) }] };
      }
      throw this.callError(`tool "${tool}"`, error, options.timeoutMs, options.timeoutSetting);
    }
  }

  /** Whether the server said, when it started, that it offers resources (or prompts). */
  offers(kind: 'resources' | 'prompts'): boolean {
    return this.requireReady().getServerCapabilities()?.[kind] !== undefined;
  }

  /** Every resource and resource template the server lists (all pages). */
  async listResources(limits: RequestLimits): Promise<{ resources: Resource[]; templates: ResourceTemplate[] }> {
    const client = this.requireReady();
    const options = { timeout: limits.timeoutMs };
    try {
      const resources = await allPages(
        (cursor) => client.listResources(cursor, options),
        (p) => p.resources,
      );
      let templates: ResourceTemplate[] = [];
      try {
        templates = await allPages(
          (cursor) => client.listResourceTemplates(cursor, options),
          (p) => p.resourceTemplates,
        );
      } catch (error) {
        // Templates are optional: a server with resources may not know the method.
        if (!(error instanceof SdkMcpError && error.code === METHOD_NOT_FOUND)) throw error;
      }
      return { resources, templates };
    } catch (error) {
      throw this.callError('listing resources', error, limits.timeoutMs, limits.timeoutSetting);
    }
  }

  /** Every prompt the server lists (all pages). */
  async listPrompts(limits: RequestLimits): Promise<Prompt[]> {
    const client = this.requireReady();
    try {
      return await allPages(
        (cursor) => client.listPrompts(cursor, { timeout: limits.timeoutMs }),
        (p) => p.prompts,
      );
    } catch (error) {
      throw this.callError('listing prompts', error, limits.timeoutMs, limits.timeoutSetting);
    }
  }

  async readResource(uri: string, limits: RequestLimits): Promise<ReadResourceResult> {
    const client = this.requireReady();
    try {
      return await client.readResource({ uri }, { timeout: limits.timeoutMs });
    } catch (error) {
      throw this.callError(`reading ${uri}`, error, limits.timeoutMs, limits.timeoutSetting);
    }
  }

  /** Stops the server (and any restart in progress). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.state = 'closed';
    await this.disconnect();
  }

  /** Kills a stdio server's process group at once (process exit). */
  killNow(): void {
    if (this.transport instanceof StdioTransport) this.transport.killNow();
  }

  /** Read through a method: close() may have run while a start or restart was awaited. */
  private isClosing(): boolean {
    return this.closing;
  }

  private requireReady(): Client {
    if (this.state === 'ready' && this.client !== undefined) return this.client;
    const hints = this.stderrHint();
    if (this.state === 'restarting') {
      throw new McpError(`MCP server "${this.name}" is restarting: ${this.error ?? 'it stopped'}`, {
        code: 'mcp_server_unavailable',
        hints: ['Try again in a moment; `stn mcp check` shows its state and stderr.', ...hints],
      });
    }
    if (this.state === 'closed')
      throw new McpError(`MCP server "${this.name}" is closed`, { code: 'mcp_server_unavailable' });
    throw new McpError(`MCP server "${this.name}" is not available: ${this.error ?? this.state}`, {
      code: 'mcp_server_unavailable',
      hints: ['Run `stn mcp check` to see why it fails to start.', ...hints],
    });
  }

  private stderrHint(): string[] {
    const tail = this.status().stderrTail;
    return tail === '' ? [] : [`stderr of "${this.name}":\n${indent(lastLines(tail, 8))}`];
  }

  private async connect(): Promise<void> {
    const timeoutMs = this.config.timeoutMs;
    const t0 = performance.now();
    const deadline = Date.now() + timeoutMs;
    const remaining = (): number => Math.max(1, deadline - Date.now());
    const config = this.config;
    let client: Client;
    try {
      if (config.transport === 'stdio') {
        const track = this.deps.track;
        const info = { server: this.name, command: config.command };
        const transport = new StdioTransport({
          command: config.command,
          args: config.args,
          env: config.env,
          cwd: config.cwd,
          graceMs: this.deps.graceMs,
          maxMessageBytes: this.maxResult().bytes,
          ...(track === undefined ? {} : { track: (pgid: number) => track(pgid, info) }),
        });
        this.transport = transport;
        client = this.newClient();
        await client.connect(transport, { timeout: remaining() });
      } else if (config.transport === 'sse') {
        client = await this.connectSse(remaining());
      } else {
        client = await this.connectHttp(remaining);
      }
      this.client = client;
      this.tools = await this.listAllTools(client, remaining);
    } catch (error) {
      this.startMs = Math.round(performance.now() - t0);
      const reason = await this.startFailure(error, timeoutMs);
      await this.disconnect();
      throw reason;
    }
    this.startMs = Math.round(performance.now() - t0);
    const version = client.getServerVersion();
    if (version !== undefined) this.serverInfo = { name: version.name, version: version.version };
    this.state = 'ready';
    this.error = undefined;
    this.readySince = Date.now();
    client.onclose = () => {
      if (this.client === client) this.onUnexpectedClose();
    };
  }

  private newClient(): Client {
    const client = new Client(this.deps.clientInfo, {
      capabilities: {},
      listChanged: {
        tools: {
          onChanged: (error, tools) => {
            if (error === null && tools !== null) {
              this.tools = tools;
              this.deps.emit({ type: 'tools-changed', server: this.name, toolCount: tools.length });
            }
          },
        },
      },
    });
    client.onerror = () => {
      // Transport hiccups surface through the requests that fail; nothing to do here.
    };
    return client;
  }

  private async connectHttp(remaining: () => number): Promise<Client> {
    const config = this.config as Extract<McpServerConfig, { transport: 'http' | 'sse' }>;
    const client = this.newClient();
    const transport = new StreamableHTTPClientTransport(new URL(config.url), {
      requestInit: { headers: config.headers },
    });
    this.transport = transport;
    try {
      await client.connect(transport, { timeout: remaining() });
      this.transportKind = 'http';
      return client;
    } catch (error) {
      // An old server that only speaks HTTP+SSE answers the streamable POST with 400, 404 or 405: try SSE.
      // (401/403 are answers from a streamable server: falling back would hide them.)
      if (!(error instanceof StreamableHTTPError) || ![400, 404, 405].includes(error.code ?? 0)) throw error;
      await transport.close();
      return this.connectSse(remaining());
    }
  }

  private async connectSse(timeoutMs: number): Promise<Client> {
    const config = this.config as Extract<McpServerConfig, { transport: 'http' | 'sse' }>;
    const client = this.newClient();
    // The SSE transport is deprecated, and still what servers written before streamable HTTP speak.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const transport = new SSEClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
    this.transport = transport;
    await client.connect(transport, { timeout: timeoutMs });
    this.transportKind = 'sse';
    return client;
  }

  private async listAllTools(client: Client, remaining: () => number): Promise<Tool[]> {
    if (client.getServerCapabilities()?.tools === undefined) return [];
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: remaining() });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }

  /** A clear reason for a failed start: exit code, timeout, HTTP status, missing command. */
  private async startFailure(error: unknown, timeoutMs: number): Promise<Error> {
    const transport = this.transport;
    if (transport instanceof StdioTransport && !transport.hasExited && isConnectionClosed(error)) {
      // The process closed its pipes: give it a moment to report its exit code.
      await new Promise((r) => setTimeout(r, 50));
    }
    const where = this.config.transport === 'stdio' ? '' : ` at ${redactUrl(this.config.url)}`;
    let message: string;
    if (transport instanceof StdioTransport && transport.hasExited && transport.pid !== undefined) {
      message = `exited ${exitText(transport)} before it finished starting`;
    } else if (error instanceof SdkMcpError && error.code === REQUEST_TIMEOUT) {
      message = `did not finish starting within ${String(timeoutMs)} ms (raise "timeout_ms" in ${this.config.file} if it is slow to start)`;
    } else if (error instanceof SdkMcpError && error.code === RESULT_TOO_LARGE) {
      const method = (error.data as Partial<ResultTooLargeData> | undefined)?.method ?? 'a request';
      message = `answered ${method} with more than ${String(this.maxResult().bytes)} bytes (${this.maxResult().setting})`;
    } else if (error instanceof StreamableHTTPError || error instanceof SseError) {
      message = `HTTP ${String(error.code ?? 'error')}${where}: ${errorMessage(error)}`;
    } else if (error instanceof TypeError && error.message === 'fetch failed') {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      message = `cannot connect${where}: ${cause?.code ?? cause?.message ?? 'fetch failed'}`;
    } else {
      message = errorMessage(error);
    }
    // A typo in the server's entry (`agrs`) is the likeliest cause: name it with the failure.
    const typos = this.config.warnings ?? [];
    if (typos.length > 0) message += `; check the config: ${typos.join('; ')}`;
    return new Error(this.deps.redact(message), { cause: error });
  }

  private onUnexpectedClose(): void {
    if (this.closing) return;
    const transport = this.transport;
    const reason =
      transport instanceof StdioTransport && transport.hasExited
        ? `it exited ${exitText(transport)}`
        : 'the connection closed';
    if (transport instanceof StdioTransport) this.lastStderr = transport.stderrTail();
    this.client = undefined;
    this.deps.emit({ type: 'server-exited', server: this.name, reason });
    if (Date.now() - this.readySince > this.deps.restart.stableMs) this.attempt = 0;
    void this.disconnect().then(() => {
      this.scheduleRestart(reason);
    });
  }

  private scheduleRestart(reason: string): void {
    if (this.closing) return;
    this.attempt++;
    const policy = this.deps.restart;
    if (this.attempt > policy.maxAttempts) {
      this.state = 'failed';
      this.error = this.deps.redact(`${reason}; gave up after ${String(policy.maxAttempts)} restarts`);
      return;
    }
    const delayMs = Math.min(policy.baseDelayMs * 2 ** (this.attempt - 1), policy.maxDelayMs);
    this.state = 'restarting';
    this.error = this.deps.redact(
      `${reason}; restart ${String(this.attempt)} of ${String(policy.maxAttempts)} in ${String(delayMs)} ms`,
    );
    this.deps.emit({ type: 'server-restarting', server: this.name, attempt: this.attempt, delayMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart(reason);
    }, delayMs);
    this.restartTimer.unref();
  }

  private async restart(previous: string): Promise<void> {
    if (this.closing) return;
    try {
      await this.connect();
      this.restarts++;
      this.deps.emit({ type: 'server-restarted', server: this.name, toolCount: this.tools.length });
    } catch (error) {
      if (this.isClosing()) return;
      this.scheduleRestart(`${previous}; restart failed: ${errorMessage(error)}`);
    }
  }

  private async disconnect(): Promise<void> {
    const transport = this.transport;
    const client = this.client;
    this.client = undefined;
    if (transport instanceof StdioTransport) this.lastStderr = transport.stderrTail();
    try {
      if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
        await transport.terminateSession().catch(() => undefined);
      }
      if (client !== undefined) await client.close();
      if (transport !== undefined) await transport.close();
    } catch (error) {
      // Closing a transport that already failed may throw again; the process is ended either way.
      this.error ??= this.deps.redact(errorMessage(error));
    }
  }

  /** The largest answer this server may send, and where that is set. */
  private maxResult(): { bytes: number; setting: string } {
    const own = this.config.maxResultBytes;
    if (own !== undefined) return { bytes: own, setting: `"max_result_bytes" in ${basename(this.config.file)}` };
    return { bytes: this.deps.maxResultBytes, setting: 'runner.max_mcp_result_bytes in config.yaml' };
  }

  /** A tool result over the limit: the transport dropped it and answered the call with RESULT_TOO_LARGE. */
  private tooLarge(tool: string, error: SdkMcpError): McpError {
    const data = error.data as Partial<ResultTooLargeData> | undefined;
    const { bytes, setting } = this.maxResult();
    const limit = data?.limit ?? bytes;
    return new McpError(
      `MCP server "${this.name}": tool "${tool}" sent a tool result larger than ${String(limit)} bytes (${setting})`,
      {
        code: 'mcp_result_too_large',
        cause: error,
        details: { limit, ...(data?.bytes === undefined ? {} : { bytes: data.bytes }) },
        hints: [`Ask the tool for less (a smaller range, a filter, a page), or raise ${setting}.`],
      },
    );
  }

  private callError(what: string, error: unknown, timeoutMs: number, timeoutSetting?: string): McpError {
    const hints = this.stderrHint();
    if (error instanceof SdkMcpError && error.code === REQUEST_TIMEOUT) {
      const setting = timeoutSetting === undefined ? '' : ` (${timeoutSetting})`;
      return new McpError(
        `MCP server "${this.name}": ${what} got no answer or progress for ${String(timeoutMs)} ms${setting}`,
        {
          code: 'mcp_timeout',
          cause: error,
          hints: [
            ...(timeoutSetting === undefined
              ? []
              : [`Raise ${timeoutSetting}, or have the tool send progress notifications while it works.`]),
            ...hints,
          ],
        },
      );
    }
    if (isConnectionClosed(error)) {
      const transport = this.transport;
      const how =
        transport instanceof StdioTransport && transport.hasExited
          ? `exited ${exitText(transport)}`
          : 'closed the connection';
      return new McpError(`MCP server "${this.name}" ${how} during ${what}`, {
        code: 'mcp_server_unavailable',
        cause: error,
        hints,
      });
    }
    return new McpError(`MCP server "${this.name}": ${what} failed: ${this.deps.redact(errorMessage(error))}`, {
      code: 'mcp_call_failed',
      cause: error,
      hints,
    });
  }
}

/** Every page of a paginated MCP list (`nextCursor`), in order. */
async function allPages<P extends { nextCursor?: string | undefined }, T>(
  list: (params: { cursor?: string }) => Promise<P>,
  items: (page: P) => readonly T[],
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? {} : { cursor });
    out.push(...items(page));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

function cancelled(server: string, tool: string, reason: unknown): McpError {
  return new McpError(`call of tool "${tool}" on MCP server "${server}" was cancelled`, {
    code: 'mcp_cancelled',
    cause: reason,
  });
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function isConnectionClosed(error: unknown): boolean {
  return (
    (error instanceof SdkMcpError && error.code === CONNECTION_CLOSED) ||
    (error instanceof Error && /^Not connected/.test(error.message))
  );
}

function exitText(t: StdioTransport): string {
  if (t.exitSignal !== null) return `on signal ${t.exitSignal}`;
  return `with code ${String(t.exitCode ?? 'unknown')}`;
}

export function lastLines(text: string, n: number): string {
  return text.split('\n').slice(-n).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
