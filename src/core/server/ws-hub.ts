import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import type { RunEvent } from '../events/run-events.js';
import { canSeeEnvironment, type Principal } from '../security/roles.js';
import {
  isWsMessageProblem,
  parseWsClientMessage,
  type WsControlMessage,
  type WsSubscribeMessage,
  type WsSubscription,
} from '../api/ws-messages.js';
import type { Logger } from './logger.js';

/** Where the hub hears run events as they happen: those of every process (a RunFeed). */
export interface LiveRunEvents {
  subscribe(listener: (events: readonly RunEvent[]) => void): () => void;
}

/** Where the hub reads what a reconnecting client missed, and the environment of a run (RunService). */
export interface RunEventSource {
  eventPage(runId: number, query: { after: number; limit: number }): { events: RunEvent[] };
  find(runId: number): { environment: string } | undefined;
}

export interface WsHubOptions {
  events: LiveRunEvents;
  runs: RunEventSource;
  log: Logger;
  /** Bytes queued for one client above which events are dropped (with a notice) instead of queued. */
  maxBufferedBytes?: number;
  /** A client that stays over the limit this long is disconnected. */
  slowClientTimeoutMs?: number;
  /** Ping period; a client that misses a pong is disconnected. */
  heartbeatMs?: number;
}

interface Client {
  ws: WebSocket;
  principal: Principal;
  subs: Map<string, WsSubscription>;
  /** Highest seq sent per run: an event is sent at most once per connection. */
  lastSent: Map<number, number>;
  /** Runs whose stored events are being sent: their live events wait for the replay to catch up. */
  replaying: Set<number>;
  /** While over the buffer limit: first dropped seq per run, and how many were dropped. */
  dropping: { since: number; count: number; runs: Map<number, number> } | undefined;
  alive: boolean;
}

const DEFAULT_MAX_BUFFERED = 1024 * 1024;
const MAX_SUBSCRIPTIONS = 64;
const REPLAY_PAGE = 1000;

/** `ws` is required, not imported: an import makes Node scan each of its CommonJS files for the names it exports. */
function newWebSocketServer(): WebSocketServer {
  const { WebSocketServer: Server } = createRequire(import.meta.url)('ws') as typeof import('ws');
  return new Server({ noServer: true, maxPayload: 64 * 1024 });
}

/**
 * The WebSocket at /ws. After the upgrade is authenticated, a client subscribes to all runs, one run
 * or one environment, and receives the run events exactly as `stn agent run --json` prints them. A
 * `run` subscription with `afterSeq` first gets the missed events from the store, then live ones.
 * Slow clients never make the server buffer without bound: past `maxBufferedBytes` their events are
 * dropped and a `ws.dropped` notice says which runs to resubscribe from which seq.
 */
export class WsHub {
  /** Made at the first upgrade: a server nobody opens a WebSocket to never loads `ws`. */
  private wss: WebSocketServer | undefined;
  private readonly clients = new Set<Client>();
  private readonly runEnv = new Map<number, string>();
  private readonly unsubscribeEvents: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxBuffered: number;
  private readonly slowTimeout: number;

  constructor(private readonly options: WsHubOptions) {
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.slowTimeout = options.slowClientTimeoutMs ?? 30_000;
    this.unsubscribeEvents = options.events.subscribe((events) => {
      for (const event of events) this.onEvent(event);
    });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over an authenticated upgrade request for /ws. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, principal: Principal): void {
    this.wss ??= newWebSocketServer();
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, principal));
  }

  /** Closes every client (1001 going away) and stops listening to run events. */
  async close(): Promise<void> {
    this.unsubscribeEvents();
    clearInterval(this.heartbeat);
    const closing = [...this.clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            c.ws.terminate();
            resolve();
          }, 1000);
          c.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          c.ws.close(1001, 'server shutting down');
        }),
    );
    await Promise.all(closing);
    const wss = this.wss;
    if (wss !== undefined) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, principal: Principal): void {
    const client: Client = {
      ws,
      principal,
      subs: new Map(),
      lastSent: new Map(),
      replaying: new Set(),
      dropping: undefined,
      alive: true,
    };
    this.clients.add(client);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(client, data, isBinary));
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', (error) => this.options.log.debug('websocket error', { error: error.message }));
    this.sendControl(client, {
      type: 'ws.welcome',
      protocol: 1,
      key: { name: principal.name, role: principal.role, environments: principal.environments },
    });
    this.options.log.info('websocket connected', { keyName: principal.name, clients: this.clients.size });
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary frames are not accepted');
      msg = JSON.parse(rawText(data)) as unknown;
    } catch (error) {
      this.sendControl(client, {
        type: 'ws.error',
        code: 'bad_message',
        message: `expected a JSON text message: ${(error as Error).message}`,
      });
      return;
    }
    const message = parseWsClientMessage(msg);
    if (isWsMessageProblem(message)) {
      this.sendControl(client, { type: 'ws.error', ...message });
      return;
    }
    switch (message.type) {
      case 'ping':
        this.sendControl(client, { type: 'ws.pong' });
        return;
      case 'unsubscribe': {
        const { id } = message;
        if (!client.subs.delete(id)) {
          this.sendControl(client, { type: 'ws.error', code: 'not_found', message: `no subscription "${id}"`, id });
          return;
        }
        this.sendControl(client, { type: 'ws.unsubscribed', id });
        return;
      }
      case 'subscribe':
        this.subscribe(client, message);
        return;
    }
  }

  private subscribe(client: Client, msg: WsSubscribeMessage): void {
    const id = msg.id ?? `s${String(client.subs.size + 1)}`;
    const fail = (code: string, message: string): void =>
      this.sendControl(client, { type: 'ws.error', code, message, id });
    if (client.subs.size >= MAX_SUBSCRIPTIONS && !client.subs.has(id)) {
      fail('too_many', `at most ${String(MAX_SUBSCRIPTIONS)} subscriptions per connection`);
      return;
    }
    let sub: WsSubscription;
    const replay: { runId: number; afterSeq: number }[] = [];
    if (msg.scope === 'environment') {
      if (!canSeeEnvironment(client.principal, msg.environment)) {
        fail('forbidden', `the key has no access to environment "${msg.environment}"`);
        return;
      }
      sub = { id, scope: 'environment', environment: msg.environment };
    } else if (msg.scope === 'run') {
      const env = this.environmentOf(msg.runId);
      if (env === undefined) {
        fail('not_found', `run ${String(msg.runId)} does not exist`);
        return;
      }
      if (!canSeeEnvironment(client.principal, env)) {
        fail('forbidden', `the key has no access to environment "${env}"`);
        return;
      }
      sub = { id, scope: 'run', runId: msg.runId };
      if (msg.afterSeq !== undefined) replay.push({ runId: msg.runId, afterSeq: msg.afterSeq });
    } else {
      sub = { id, scope: 'all' };
    }
    // Runs the client already follows (all / environment scopes): "resume": {"<runId>": lastSeq}.
    for (const [runId, afterSeq] of Object.entries(msg.resume ?? {})) replay.push({ runId: Number(runId), afterSeq });
    client.subs.set(id, sub);
    const runs = replay.filter(({ runId }) => {
      const env = this.environmentOf(runId);
      return env !== undefined && canSeeEnvironment(client.principal, env) && matches(sub, runId, env);
    });
    this.sendControl(client, { type: 'ws.subscribed', id, scope: sub.scope, replaying: runs.map((r) => r.runId) });
    for (const { runId, afterSeq } of runs) void this.replay(client, id, runId, afterSeq);
    this.options.log.debug('websocket subscribed', {
      keyName: client.principal.name,
      scope: sub.scope,
      replaying: runs.length,
    });
  }

  /**
   * Sends a run's stored events after `afterSeq`, page by page, waiting for the client's buffer to
   * drain between sends. Live events of that run are held back meanwhile (they are in the store, so
   * the next page has them); the switch to live happens right after a read finds nothing new, in the
   * same tick, so nothing falls between the two.
   */
  private async replay(client: Client, id: string, runId: number, afterSeq: number): Promise<void> {
    client.replaying.add(runId);
    client.lastSent.set(runId, afterSeq);
    try {
      for (;;) {
        const { events: page } = this.options.runs.eventPage(runId, {
          after: client.lastSent.get(runId) ?? afterSeq,
          limit: REPLAY_PAGE,
        });
        if (page.length === 0) break;
        for (const event of page) {
          if (client.ws.bufferedAmount > this.maxBuffered && !(await this.drained(client))) return;
          if (client.ws.readyState !== client.ws.OPEN) return;
          client.lastSent.set(runId, event.seq);
          client.ws.send(JSON.stringify(event));
        }
      }
      client.replaying.delete(runId);
      this.sendControl(client, { type: 'ws.replayed', id, runId, lastSeq: client.lastSent.get(runId) ?? afterSeq });
    } catch (error) {
      client.replaying.delete(runId);
      this.options.log.error('websocket replay failed', { runId, error: (error as Error).message });
      this.sendControl(client, {
        type: 'ws.error',
        code: 'replay_failed',
        message: `could not read the events of run ${String(runId)}`,
        id,
      });
    }
  }

  /** Waits until a client's send buffer is under half the limit; false (and disconnects) if it never is. */
  private async drained(client: Client): Promise<boolean> {
    const since = Date.now();
    while (client.ws.readyState === client.ws.OPEN && client.ws.bufferedAmount > this.maxBuffered / 2) {
      if (Date.now() - since > this.slowTimeout) {
        this.options.log.warn('websocket client too slow: disconnecting', { keyName: client.principal.name });
        client.ws.terminate();
        this.clients.delete(client);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return client.ws.readyState === client.ws.OPEN;
  }

  private onEvent(event: RunEvent): void {
    if (this.clients.size === 0) {
      if (event.type === 'run.finished') this.runEnv.delete(event.runId);
      return;
    }
    const env = this.environmentOf(event.runId, event);
    if (env === undefined) return;
    let text: string | undefined;
    for (const client of this.clients) {
      if (!canSeeEnvironment(client.principal, env)) continue;
      let wanted = false;
      for (const sub of client.subs.values()) {
        if (matches(sub, event.runId, env)) {
          wanted = true;
          break;
        }
      }
      if (!wanted) continue;
      text ??= JSON.stringify(event);
      this.deliver(client, event, text);
    }
    if (event.type === 'run.finished') {
      this.runEnv.delete(event.runId);
      for (const client of this.clients) client.lastSent.delete(event.runId);
    }
  }

  private deliver(client: Client, event: RunEvent, text?: string): void {
    if (client.replaying.has(event.runId)) return;
    const last = client.lastSent.get(event.runId) ?? 0;
    if (event.seq <= last) return;
    if (client.ws.readyState !== client.ws.OPEN) return;
    if (client.dropping !== undefined || client.ws.bufferedAmount > this.maxBuffered) {
      this.drop(client, event);
      return;
    }
    client.lastSent.set(event.runId, event.seq);
    client.ws.send(text ?? JSON.stringify(event));
  }

  private drop(client: Client, event: RunEvent): void {
    const now = Date.now();
    const state = (client.dropping ??= { since: now, count: 0, runs: new Map() });
    state.count++;
    if (!state.runs.has(event.runId)) state.runs.set(event.runId, event.seq);
    if (state.count === 1) {
      this.options.log.warn('websocket client too slow: dropping events', {
        keyName: client.principal.name,
        buffered: client.ws.bufferedAmount,
      });
      this.watchDrain(client);
    }
    if (now - state.since > this.slowTimeout) {
      this.options.log.warn('websocket client too slow: disconnecting', {
        keyName: client.principal.name,
        dropped: state.count,
      });
      client.ws.terminate();
      this.clients.delete(client);
    }
  }

  /** Polls a lagging client's buffer; once it has drained, tells the client what it missed. */
  private watchDrain(client: Client): void {
    const timer = setInterval(() => {
      const state = client.dropping;
      if (state === undefined || client.ws.readyState !== client.ws.OPEN) {
        clearInterval(timer);
        return;
      }
      if (client.ws.bufferedAmount > this.maxBuffered / 2) {
        if (Date.now() - state.since > this.slowTimeout) {
          clearInterval(timer);
          client.ws.terminate();
          this.clients.delete(client);
        }
        return;
      }
      clearInterval(timer);
      client.dropping = undefined;
      const runs = [...state.runs.entries()].map(([runId, fromSeq]) => ({ runId, fromSeq }));
      // Later events of these runs would leave a gap: the client resubscribes with afterSeq = fromSeq - 1.
      for (const { runId } of runs) client.lastSent.set(runId, Number.MAX_SAFE_INTEGER);
      this.sendControl(client, {
        type: 'ws.dropped',
        dropped: state.count,
        runs,
        hint: 'You were too slow to receive these events: subscribe to each run again with afterSeq = fromSeq - 1.',
      });
    }, 50);
    timer.unref();
  }

  private sendControl(client: Client, msg: WsControlMessage): void {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(msg));
  }

  private environmentOf(runId: number, event?: RunEvent): string | undefined {
    const known = this.runEnv.get(runId);
    if (known !== undefined) return known;
    let env: string | undefined;
    if (event !== undefined && (event.type === 'run.queued' || event.type === 'run.started'))
      env = event.data.environment;
    env ??= this.options.runs.find(runId)?.environment;
    if (env !== undefined) this.runEnv.set(runId, env);
    return env;
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        this.clients.delete(client);
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}

function matches(sub: WsSubscription, runId: number, env: string): boolean {
  switch (sub.scope) {
    case 'all':
      return true;
    case 'environment':
      return sub.environment === env;
    case 'run':
      return sub.runId === runId;
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
