/**
 * The stdio transport for MCP servers run as child processes. Unlike the SDK's, it starts each server in
 * its own process group (so `npx` and whatever it spawns are ended together), keeps the tail of stderr
 * for error reports, records how the process ended, and bounds the size of a message: an answer larger
 * than `maxMessageBytes` is dropped as it streams in and the request it answers fails at once with an
 * error (code RESULT_TOO_LARGE) instead of waiting for its timeout.
 */
import type { ChildProcess } from 'node:child_process';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { LineReader, type OversizedLine } from './line-reader.js';
import { TailBuffer } from './tail-buffer.js';
import { childProcess } from '../os/builtins-on-use.js';

/** The MCP SDK's own stdio reader gives up at 10 MiB: the default limit of a message from a server. */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** JSON-RPC error code of the error a request gets when its answer is over the limit (Station's own). */
export const RESULT_TOO_LARGE = -32050;

/** The `data` of a RESULT_TOO_LARGE error. */
export interface ResultTooLargeData {
  limit: number;
  /** Bytes read when the request was failed (the whole answer, or as much as had arrived). */
  bytes: number;
  method: string;
}

export interface StdioTransportOptions {
  command: string;
  args: readonly string[];
  /** Added to a minimal inherited environment (HOME, PATH, USER, ...): other variables are not passed. */
  env: Readonly<Record<string, string>>;
  cwd: string;
  /** Characters of stderr kept for reports. */
  stderrLimit?: number;
  /** How long close() waits after closing stdin before SIGTERM, then before SIGKILL. */
  graceMs?: number;
  /** Called with each chunk of stderr as it arrives. */
  onStderr?: (chunk: string) => void;
  /** Largest message (one line of JSON) read from the server; default DEFAULT_MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
  /**
   * Called with the process group as soon as it is spawned (so that it is ended even if Station is killed
   * with SIGKILL: ProcessGuard.track); the function it returns is called once the whole group has ended (or been
   * sent SIGKILL).
   */
  track?: (pgid: number) => () => void;
}

/** Requests in flight remembered at most (their methods name what was too large). */
const MAX_PENDING = 10_000;

const POSIX = process.platform !== 'win32';

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly reader: LineReader;
  /** Requests sent and not yet answered: id -> method. */
  private readonly pending = new Map<RequestId, string>();
  /** The request failed early because of the oversized line being read, if any. */
  private failedEarly: RequestId | undefined;
  private readonly stderr: TailBuffer;
  private exited: Promise<void> | undefined;
  private closedReported = false;
  private untrack: (() => void) | undefined;
  /** Exit code, or null when ended by a signal or still running. */
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  /** Set once the process has ended. */
  hasExited = false;

  constructor(private readonly options: StdioTransportOptions) {
    this.stderr = new TailBuffer(options.stderrLimit ?? 4000);
    this.reader = new LineReader(
      options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      (line) => {
        this.readLine(line);
      },
      (line) => {
        this.oversized(line);
      },
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the server wrote to stderr. */
  stderrTail(): string {
    return this.stderr.text();
  }

  start(): Promise<void> {
    if (this.child !== undefined) throw new Error('StdioTransport already started');
    return new Promise((resolve, reject) => {
      const child = childProcess().spawn(this.options.command, [...this.options.args], {
        env: { ...getDefaultEnvironment(), ...this.options.env },
        cwd: this.options.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        // Own process group: ending the group ends the server and anything it started (npx -> node).
        detached: POSIX,
        windowsHide: true,
      });
      this.child = child;
      if (POSIX && child.pid !== undefined) this.untrack = this.options.track?.(child.pid);
      let spawned = false;
      this.exited = new Promise((done) => {
        child.once('exit', (code, signal) => {
          this.exitCode = code;
          this.exitSignal = signal;
          this.hasExited = true;
          if (!this.groupAlive()) this.release();
          done();
        });
        child.once('error', () => {
          if (!spawned) {
            this.hasExited = true;
            done();
          }
        });
      });
      child.once('spawn', () => {
        spawned = true;
        resolve();
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (!spawned) {
          reject(spawnError(this.options.command, this.options.cwd, error));
          return;
        }
        this.onerror?.(error);
      });
      child.once('close', () => {
        this.reportClosed();
      });
      child.stdin.on('error', (error) => {
        // EPIPE when the server has gone: the exit is reported through onclose.
        if ((error as NodeJS.ErrnoException).code !== 'EPIPE') this.onerror?.(error);
      });
      child.stdout.on('data', (chunk: Buffer) => {
        this.reader.push(chunk);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        this.stderr.append(chunk);
        this.options.onStderr?.(chunk);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (stdin == null || stdin.destroyed || this.hasExited) {
        reject(new Error('Not connected: the server process has ended'));
        return;
      }
      this.track(message);
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Ends the server: close stdin, then SIGTERM, then SIGKILL to its whole process group. */
  async close(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const grace = this.options.graceMs ?? 1000;
    if (!this.hasExited) {
      child.stdin?.end();
      await this.waitExit(grace);
    }
    if (!this.hasExited || this.groupAlive()) {
      this.signal('SIGTERM');
      await this.waitExit(grace);
    }
    if (!this.hasExited || this.groupAlive()) {
      this.signal('SIGKILL');
      await this.waitExit(grace);
    }
    // The group has ended, or has been sent SIGKILL, which nothing can ignore.
    this.release();
    this.reader.clear();
    this.pending.clear();
    // Leftover grandchildren may hold the pipes open; they are gone now, so close them ourselves.
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
    this.reportClosed();
  }

  /** Kills the process group at once (for process exit, where nothing can be awaited). */
  killNow(): void {
    if (this.child !== undefined && (!this.hasExited || this.groupAlive())) this.signal('SIGKILL');
    this.release();
  }

  /** The group has ended, or been sent SIGKILL: it needs watching no more. */
  private release(): void {
    const untrack = this.untrack;
    this.untrack = undefined;
    untrack?.();
  }

  private readLine(line: string): void {
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      this.stderr.append(`[stdout, not MCP] ${errorLine(error)}\n`);
      return;
    }
    if (isResponse(message)) this.pending.delete(message.id);
    this.onmessage?.(message);
  }

  /**
   * A message over the limit: the request it answers fails as soon as its id is known (at once when the id
   * comes first, as in Python servers; at the end of the line when it comes last, as in the TypeScript SDK).
   */
  private oversized(line: OversizedLine): void {
    const limit = this.reader.maxLineBytes;
    if (!line.done) {
      const id = this.pendingId(HEAD_ID.exec(line.head)?.[1]);
      if (id !== undefined) {
        this.failedEarly = id;
        this.failTooLarge(id, line.bytes);
      }
      return;
    }
    const early = this.failedEarly;
    this.failedEarly = undefined;
    const id = early ?? this.pendingId(TAIL_ID.exec(line.tail)?.[1]);
    const what = id === undefined ? 'a message' : `the answer to ${this.pending.get(id) ?? 'a request'}`;
    this.stderr.append(
      `[stdout] dropped ${what} of ${String(line.bytes)} bytes: larger than the limit of ${String(limit)} bytes\n`,
    );
    if (id !== undefined && early === undefined) this.failTooLarge(id, line.bytes);
  }

  /** Answers request `id` in the server's place with a RESULT_TOO_LARGE error. */
  private failTooLarge(id: RequestId, bytes: number): void {
    const method = this.pending.get(id) ?? 'request';
    this.pending.delete(id);
    const limit = this.reader.maxLineBytes;
    const what = method === 'tools/call' ? 'tool result' : `answer to ${method}`;
    const data: ResultTooLargeData = { limit, bytes, method };
    this.onmessage?.({
      jsonrpc: '2.0',
      id,
      error: { code: RESULT_TOO_LARGE, message: `${what} larger than ${String(limit)} bytes`, data },
    });
  }

  /** The id of a request in flight written as `raw` JSON, if it is one. */
  private pendingId(raw: string | undefined): RequestId | undefined {
    if (raw === undefined) return undefined;
    let id: unknown;
    try {
      id = JSON.parse(raw);
    } catch {
      return undefined;
    }
    return (typeof id === 'string' || typeof id === 'number') && this.pending.has(id) ? id : undefined;
  }

  /** Remembers the requests sent (to know what an oversized answer answers) and forgets cancelled ones. */
  private track(message: JSONRPCMessage): void {
    if (!('method' in message)) return;
    if ('id' in message) {
      if (this.pending.size >= MAX_PENDING) {
        const oldest = this.pending.keys().next();
        if (oldest.done !== true) this.pending.delete(oldest.value);
      }
      this.pending.set(message.id, message.method);
    } else if (message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') this.pending.delete(requestId);
    }
  }

  private reportClosed(): void {
    if (this.closedReported) return;
    this.closedReported = true;
    this.onclose?.();
  }

  private waitExit(ms: number): Promise<void> {
    const exited = this.exited ?? Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      void exited.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      if (POSIX) process.kill(-pid, sig);
      else this.child?.kill(sig);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Whether any process of the server's group is still running. */
  private groupAlive(): boolean {
    const pid = this.child?.pid;
    if (!POSIX || pid === undefined) return false;
    try {
      process.kill(-pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

/** A JSON-RPC id at the start of a message: `{"id":3,` or `{"jsonrpc":"2.0","id":3,`. */
const HEAD_ID = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*,/;
/** A JSON-RPC id as the last member of a message: `,"id":3}` (how the TypeScript SDK writes answers). */
const TAIL_ID = /[,{]\s*"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*\}\s*$/;

function isResponse(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return !('method' in message) && 'id' in message && message.id !== undefined;
}

function spawnError(command: string, cwd: string, error: NodeJS.ErrnoException): Error {
  if (error.code === 'ENOENT') {
    return new Error(`cannot start "${command}": command not found (or the working folder ${cwd} does not exist)`, {
      cause: error,
    });
  }
  if (error.code === 'EACCES') return new Error(`cannot start "${command}": permission denied`, { cause: error });
  return new Error(`cannot start "${command}": ${error.message}`, { cause: error });
}

function errorLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
