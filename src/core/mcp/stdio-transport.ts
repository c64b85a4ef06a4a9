/**
 * The stdio transport for MCP servers run as child processes. Unlike the SDK's, it starts each server in
 * its own process group (so `npx` and whatever it spawns are ended together), keeps the tail of stderr
 * for error reports, and records how the process ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { TailBuffer } from './tail-buffer.js';

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
  /**
   * Called with the process group as soon as it is spawned (so that it is ended even if Station is killed
   * with SIGKILL: ProcessGuard.track); the function it returns is called once the whole group has ended (or been
   * sent SIGKILL).
   */
  track?: (pgid: number) => () => void;
}

const POSIX = process.platform !== 'win32';

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
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
      const child = spawn(this.options.command, [...this.options.args], {
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
        try {
          this.buffer.append(chunk);
        } catch (error) {
          this.onerror?.(error as Error);
          return;
        }
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.stderr.append(`[stdout, not MCP] ${errorLine(error)}\n`);
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message);
        }
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
    this.buffer.clear();
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
