/**
 * The run events of a Station server, live, over its WebSocket (/ws): every run the key may see, each
 * event once and in order. After a lost connection it reconnects (the delay doubles up to a limit) and
 * resumes each run it follows from the last seq it received; when the server drops events of a slow
 * client (`ws.dropped`) it asks for them again. A heartbeat (a WebSocket ping every `heartbeatMs`) notices a
 * server that went silent without closing the socket: after three pings without an answer the socket is
 * dropped and the reconnecting starts. Connection changes are reported to the listeners, a loss with when
 * the next attempt is made.
 */
import type { RawData, WebSocket } from 'ws';
import { isControlMessage, type WsClientMessage, type WsServerMessage } from '../api/ws-messages.js';
import { errorMessage } from '../errors.js';
import type { RunEvent } from '../events/run-events.js';

export interface RunEventStreamOptions {
  /** Base URL of the server (http or https; the socket is at ws(s)://.../ws). */
  url: string;
  key: string;
  /** First reconnect delay (ms); it doubles up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /** How often the server is pinged (ms); three unanswered pings in a row count as a lost connection. */
  heartbeatMs?: number;
}

/** Unanswered heartbeat pings after which the connection counts as lost. */
const MISSED_PINGS = 3;

export type RunStreamUpdate =
  | { kind: 'event'; event: RunEvent }
  /**
   * The stream is up (subscribed) or down (with why). `resumed`: up again after a loss; runs started
   * meanwhile are unknown to the stream, so the owner may `follow` them.
   */
  | {
      kind: 'connection';
      ok: boolean;
      error: string | null;
      resumed: boolean;
      /** While down: in how many ms the next attempt to reconnect is made (null: not scheduled yet). */
      retryInMs: number | null;
    };

const ALL = 'all';
const RUN_PREFIX = 'run-';

export class RunEventStream {
  private readonly listeners = new Set<(update: RunStreamUpdate) => void>();
  /** Highest seq received per run: what a reconnect resumes from. */
  private readonly lastSeq = new Map<number, number>();
  private readonly wsUrl: string;
  private ws: WebSocket | undefined;
  private opening = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay: number;
  private connected = false;
  private everConnected = false;
  private closed = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private missedPings = 0;
  /** Why the connection went down, kept for the update that says when the next attempt is. */
  private lastError: string | null = null;

  constructor(private readonly options: RunEventStreamOptions) {
    this.wsUrl = `${options.url.replace(/\/+$/, '').replace(/^http/, 'ws')}/ws`;
    this.reconnectDelay = options.reconnectMs ?? 500;
  }

  /** Listens to events and connection changes; the first listener opens the connection. */
  subscribe(listener: (update: RunStreamUpdate) => void): () => void {
    this.listeners.add(listener);
    if (this.ws === undefined && !this.opening && this.reconnectTimer === undefined) void this.open();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Follows a run from `afterSeq` (its stored events first), unless the stream follows it already. */
  follow(runId: number, afterSeq = 0): void {
    if (this.lastSeq.has(runId)) return;
    this.lastSeq.set(runId, afterSeq);
    this.send({ type: 'subscribe', id: `${RUN_PREFIX}${String(runId)}`, scope: 'run', runId, afterSeq });
  }

  /** Stops remembering a finished run (a reconnect no longer resumes it). */
  forget(runId: number): void {
    this.lastSeq.delete(runId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = undefined;
    if (ws === undefined || ws.readyState === ws.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000, 'client closing');
    });
  }

  /** Opens the socket and subscribes to every run, resuming each followed run from its last seq. */
  private async open(): Promise<void> {
    if (this.closed) return;
    this.opening = true;
    let Socket: typeof import('ws').default;
    try {
      // `ws` loads here, not when core is imported: most users of core never open a socket.
      ({ default: Socket } = await import('ws'));
    } catch (error) {
      this.setConnected(false, `cannot load the WebSocket client: ${errorMessage(error)}`);
      return;
    } finally {
      this.opening = false;
    }
    if (this.isClosed()) return; // closed while `ws` loaded
    const ws = new Socket(this.wsUrl, { headers: { Authorization: `Bearer ${this.options.key}` } });
    this.ws = ws;
    ws.on('open', () => {
      this.reconnectDelay = this.options.reconnectMs ?? 500;
      const resume = Object.fromEntries([...this.lastSeq].map(([runId, seq]) => [String(runId), seq]));
      this.send({ type: 'subscribe', id: ALL, scope: 'all', resume });
      this.startHeartbeat(ws);
    });
    ws.on('pong', () => {
      this.missedPings = 0;
    });
    ws.on('message', (data: RawData) => this.onMessage(data));
    ws.on('unexpected-response', (req, res) => {
      req.destroy();
      this.setConnected(false, `the server refused the WebSocket (HTTP ${String(res.statusCode)})`);
    });
    // A 'close' always follows: it reports the loss with this reason and when the next attempt is.
    ws.on('error', (error) => {
      this.lastError = error.message;
    });
    ws.on('close', () => {
      if (this.ws === ws) this.ws = undefined;
      this.stopHeartbeat();
      if (this.closed) return;
      const delay = this.reconnectDelay;
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        void this.open();
      }, delay);
      this.reconnectTimer.unref();
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.options.maxReconnectMs ?? 10_000);
      this.connected = false;
      this.emit({
        kind: 'connection',
        ok: false,
        error: this.lastError ?? 'connection to the server lost',
        resumed: false,
        retryInMs: delay,
      });
    });
  }

  /** Pings the server; a socket that stays silent for MISSED_PINGS pings is dropped (then reconnected). */
  private startHeartbeat(ws: WebSocket): void {
    this.stopHeartbeat();
    this.missedPings = 0;
    const every = this.options.heartbeatMs ?? 400;
    this.heartbeat = setInterval(() => {
      if (ws.readyState !== ws.OPEN) return;
      if (this.missedPings >= MISSED_PINGS) {
        this.lastError = `the server stopped answering (no reply to ${String(MISSED_PINGS)} pings)`;
        ws.terminate();
        return;
      }
      this.missedPings += 1;
      ws.ping();
    }, every);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private isClosed(): boolean {
    return this.closed;
  }

  private onMessage(data: RawData): void {
    let msg: WsServerMessage;
    try {
      msg = JSON.parse(rawText(data)) as WsServerMessage;
    } catch {
      return; // The server sends JSON only; a broken frame carries nothing to act on.
    }
    if (typeof msg !== 'object' || typeof msg.type !== 'string') return;
    if (!isControlMessage(msg)) {
      this.onEvent(msg);
      return;
    }
    switch (msg.type) {
      case 'ws.subscribed': {
        if (msg.id !== ALL) return;
        const resumed = this.everConnected;
        this.everConnected = true;
        this.setConnected(true, null, resumed);
        return;
      }
      case 'ws.replayed':
        // The run is caught up; its live events come through the `all` subscription.
        if (msg.id.startsWith(RUN_PREFIX)) this.send({ type: 'unsubscribe', id: msg.id });
        return;
      case 'ws.dropped':
        // Too slow for the server: ask again for what was dropped.
        for (const { runId, fromSeq } of msg.runs) {
          this.lastSeq.set(runId, fromSeq - 1);
          this.send({
            type: 'subscribe',
            id: `${RUN_PREFIX}${String(runId)}`,
            scope: 'run',
            runId,
            afterSeq: fromSeq - 1,
          });
        }
        return;
      case 'ws.error':
        if (msg.id === ALL) this.setConnected(false, `the server refused the subscription: ${msg.message}`);
        return;
      default:
        return;
    }
  }

  private onEvent(event: RunEvent): void {
    const last = this.lastSeq.get(event.runId) ?? 0;
    if (event.seq <= last) return;
    this.lastSeq.set(event.runId, event.seq);
    this.emit({ kind: 'event', event });
  }

  private send(message: WsClientMessage): void {
    const ws = this.ws;
    if (ws !== undefined && ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  private setConnected(ok: boolean, error: string | null, resumed = false): void {
    this.lastError = ok ? null : error;
    if (this.connected === ok && ok) return;
    this.connected = ok;
    this.emit({ kind: 'connection', ok, error, resumed, retryInMs: null });
  }

  private emit(update: RunStreamUpdate): void {
    for (const listener of this.listeners) listener(update);
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
