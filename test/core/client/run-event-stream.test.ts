// The run-event stream against a scripted WebSocket server (the protocol's server side is tested with
// the real hub in test/core/server/ws-hub.test.ts): resume by seq, duplicates, ws.dropped, reconnect.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  RunEventStream,
  type RunEvent,
  type RunStreamUpdate,
  type WsClientMessage,
  type WsServerMessage,
} from '../../../src/core/index.js';

/** A /ws endpoint that records what clients send and lets the test answer. */
class ScriptedServer {
  readonly received: WsClientMessage[] = [];
  readonly authorizations: (string | undefined)[] = [];
  socket: WebSocket | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (ws, req) => {
      this.socket = ws;
      this.authorizations.push(req.headers.authorization);
      ws.on('message', (data: Buffer) => {
        this.received.push(JSON.parse(data.toString('utf8')) as WsClientMessage);
        this.wake();
      });
      this.wake();
    });
  }

  /** `autoPong: false`: a server that never answers pings (it went silent without closing the socket). */
  static async start(options: { autoPong?: boolean } = {}): Promise<ScriptedServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws', autoPong: options.autoPong ?? true });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new ScriptedServer(wss);
  }

  get url(): string {
    return `http://127.0.0.1:${String((this.wss.address() as AddressInfo).port)}`;
  }

  send(message: WsServerMessage): void {
    this.socket?.send(JSON.stringify(message));
  }

  wake(): void {
    for (const w of this.waiters) w();
  }

  async until(check: () => boolean, what: string): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

function event(runId: number, seq: number): RunEvent {
  return {
    type: 'tool.progress',
    runId,
    seq,
    ts: new Date(0).toISOString(),
    data: { step: 1, callId: 'c', tool: 't', progress: seq },
  } as unknown as RunEvent;
}

describe('RunEventStream', () => {
  let server: ScriptedServer;
  let stream: RunEventStream;
  afterEach(async () => {
    await stream.close();
    await server.close();
  });

  it('subscribes with the key, hands out each event once, re-asks for what the server dropped, resumes after a loss', async () => {
    server = await ScriptedServer.start();
    stream = new RunEventStream({ url: server.url, key: 'stn_key', reconnectMs: 20 });
    const updates: RunStreamUpdate[] = [];
    stream.subscribe((u) => {
      updates.push(u);
      server.wake();
    });
    const seqs = (runId: number): number[] =>
      updates.flatMap((u) => (u.kind === 'event' && u.event.runId === runId ? [u.event.seq] : []));
    const connections = (): { ok: boolean; resumed: boolean }[] =>
      updates.flatMap((u) => (u.kind === 'connection' ? [{ ok: u.ok, resumed: u.resumed }] : []));

    await server.until(() => server.received.length === 1, 'the subscription');
    expect(server.authorizations).toEqual(['Bearer stn_key']);
    expect(server.received[0]).toEqual({ type: 'subscribe', id: 'all', scope: 'all', resume: {} });
    server.send({ type: 'ws.subscribed', id: 'all', scope: 'all', replaying: [] });
    await server.until(() => connections().length === 1, 'connected');
    expect(connections()).toEqual([{ ok: true, resumed: false }]);

    for (const seq of [1, 2, 2, 1]) server.send(event(7, seq));
    await server.until(() => seqs(7).length === 2, 'two events');

    // Too slow: the server dropped run 7 from seq 3 on; the stream asks for it again from seq 2.
    server.send({ type: 'ws.dropped', dropped: 4, runs: [{ runId: 7, fromSeq: 3 }], hint: 'resubscribe' });
    await server.until(() => server.received.length === 2, 'the resubscription');
    expect(server.received[1]).toEqual({ type: 'subscribe', id: 'run-7', scope: 'run', runId: 7, afterSeq: 2 });
    server.send(event(7, 3));
    server.send({ type: 'ws.replayed', id: 'run-7', runId: 7, lastSeq: 3 });
    // Caught up: the `all` subscription carries its live events again, so the run one is dropped.
    await server.until(() => server.received.length === 3, 'the unsubscription');
    expect(server.received[2]).toEqual({ type: 'unsubscribe', id: 'run-7' });
    expect(seqs(7)).toEqual([1, 2, 3]);

    // A lost connection: reported, then a reconnect that resumes run 7 after seq 3.
    server.socket?.terminate();
    await server.until(() => server.received.length === 4, 'the resumed subscription');
    expect(server.received[3]).toEqual({ type: 'subscribe', id: 'all', scope: 'all', resume: { 7: 3 } });
    server.send({ type: 'ws.subscribed', id: 'all', scope: 'all', replaying: [7] });
    await server.until(() => connections().at(-1)?.ok === true, 'reconnected');
    expect(connections()).toEqual([
      { ok: true, resumed: false },
      { ok: false, resumed: false },
      { ok: true, resumed: true },
    ]);

    // A run started while the connection was down: followed from its first event; a finished run is forgotten.
    stream.follow(9);
    stream.follow(7);
    stream.forget(7);
    await server.until(() => server.received.length === 5, 'the follow');
    expect(server.received[4]).toEqual({ type: 'subscribe', id: 'run-9', scope: 'run', runId: 9, afterSeq: 0 });
    server.socket?.terminate();
    await server.until(() => server.received.length === 6, 'the next resumed subscription');
    expect(server.received[5]).toEqual({ type: 'subscribe', id: 'all', scope: 'all', resume: { 9: 0 } });
  });

  it('reports a refused upgrade as a lost connection', async () => {
    server = await ScriptedServer.start();
    server.wss.options.verifyClient = (_info, done) => done(false, 401);
    stream = new RunEventStream({ url: server.url, key: 'bad', reconnectMs: 60_000 });
    const updates: RunStreamUpdate[] = [];
    stream.subscribe((u) => {
      updates.push(u);
      server.wake();
    });
    await server.until(() => updates.length > 0, 'the refusal');
    expect(updates[0]).toEqual({
      kind: 'connection',
      ok: false,
      error: 'the server refused the WebSocket (HTTP 401)',
      resumed: false,
      retryInMs: null,
    });
  });

  it('a server that stops answering pings counts as lost after three of them; the loss says when it retries', async () => {
    server = await ScriptedServer.start({ autoPong: false });
    stream = new RunEventStream({ url: server.url, key: 'k', reconnectMs: 60_000, heartbeatMs: 50 });
    const updates: RunStreamUpdate[] = [];
    stream.subscribe((u) => {
      updates.push(u);
      server.wake();
    });
    await server.until(() => server.received.length === 1, 'the subscription');
    server.send({ type: 'ws.subscribed', id: 'all', scope: 'all', replaying: [] });
    await server.until(() => updates.some((u) => u.kind === 'connection' && !u.ok), 'the loss');
    expect(updates.filter((u) => u.kind === 'connection')).toEqual([
      { kind: 'connection', ok: true, error: null, resumed: false, retryInMs: null },
      {
        kind: 'connection',
        ok: false,
        error: 'the server stopped answering (no reply to 3 pings)',
        resumed: false,
        retryInMs: 60_000,
      },
    ]);
  });
});
