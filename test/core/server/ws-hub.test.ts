import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  isControlMessage,
  type RunEvent,
  type WsClientMessage,
  type WsControlMessage,
  type WsServerMessage,
  type WsSubscribeMessage,
} from '../../../src/core/index.js';
import { EventBus } from '../../../src/core/events/index.js';
import { RunFeed } from '../../../src/core/runner/run-feed.js';
import { RunRecorder } from '../../../src/core/runner/run-recorder.js';
import { wsExtension } from '../../../src/core/server/ws-extension.js';
import { WsHub } from '../../../src/core/server/ws-hub.js';
import { silentLogger } from '../../../src/core/server/index.js';
import { RunRepo } from '../../../src/core/store/run-repo.js';
import { startTestServer, type TestServer } from './server-helpers.js';

type Msg = WsServerMessage;
/** A subscribe message without its type, with an id to wait for. */
type Subscribe<T = WsSubscribeMessage> = T extends unknown ? Omit<T, 'type'> & { id: string } : never;

/** The last control message of this type, if any. */
function control<T extends WsControlMessage['type']>(
  messages: readonly Msg[],
  type: T,
): Extract<WsControlMessage, { type: T }> | undefined {
  return messages.findLast((m): m is Extract<WsControlMessage, { type: T }> => m.type === type);
}

/** A WebSocket client that collects messages and can wait for a condition. */
class Viewer {
  readonly messages: Msg[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString('utf8')) as WsServerMessage);
      for (const w of this.waiters) w();
    });
  }
  static async open(url: string, key: string): Promise<Viewer> {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws', { headers: { Authorization: `Bearer ${key}` } });
    const viewer = new Viewer(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await viewer.until((m) => m.some((x) => x.type === 'ws.welcome'));
    return viewer;
  }
  send(msg: WsClientMessage): void {
    this.ws.send(JSON.stringify(msg));
  }
  events(): RunEvent[] {
    return this.messages.filter((m): m is RunEvent => !isControlMessage(m));
  }
  until(predicate: (messages: Msg[]) => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out; last messages: ${this.messages
                .slice(-5)
                .map((m) => `${m.type}#${isControlMessage(m) ? '' : String(m.seq)}`)
                .join(', ')}`,
            ),
          ),
        timeoutMs,
      );
      const check = (): void => {
        if (predicate(this.messages)) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      this.waiters.push(check);
    });
  }
  async subscribe(msg: Subscribe): Promise<void> {
    this.send({ type: 'subscribe', ...msg });
    await this.until((m) => m.some((x) => (x.type === 'ws.subscribed' || x.type === 'ws.error') && x.id === msg.id));
  }
  close(): void {
    this.ws.terminate();
  }
}

describe('WebSocket /ws', () => {
  let t: TestServer;
  let bus: EventBus;
  let repo: RunRepo;
  let feed: RunFeed;
  let hub: WsHub;
  const viewers: Viewer[] = [];
  afterEach(async () => {
    for (const v of viewers.splice(0)) v.close();
    feed.stop();
    await t.stop();
  });

  /** A server whose hub hears this test's bus and, through the feed, the store (polled by hand). */
  async function start(options: { maxBufferedBytes?: number } = {}): Promise<void> {
    t = await startTestServer({
      extensions: (engine) => {
        bus = new EventBus();
        repo = new RunRepo(engine.db);
        feed = new RunFeed(engine.db, { bus, intervalMs: 60_000, listen: false });
        feed.start();
        hub = new WsHub({ events: feed, runs: engine.runs, log: silentLogger, ...options });
        return [wsExtension(hub)];
      },
    });
  }

  function newRun(environment: string): RunRecorder {
    const id = repo.insertQueued({
      agentName: 'a',
      environmentName: environment,
      input: {},
      model: 'm',
      pid: process.pid,
      now: Date.now(),
    });
    return new RunRecorder(repo, bus, id);
  }

  function queued(rec: RunRecorder, environment: string): void {
    rec.emit('run.queued', { agent: 'a', environment, input: {}, model: 'm' });
  }

  function step(rec: RunRecorder, n: number, content = `step ${String(n)}`): void {
    rec.emit('model.request', { step: n, final: false, model: 'm', messages: 1, tools: 0 });
    rec.emit('model.response', {
      step: n,
      model: 'm',
      content,
      toolCalls: [],
      finishReason: 'stop',
      usage: null,
      latencyMs: 1,
      attempts: 1,
    });
  }

  async function viewer(key: string): Promise<Viewer> {
    const v = await Viewer.open(t.url, key);
    viewers.push(v);
    return v;
  }

  it('refuses an upgrade without a valid key', async () => {
    await start();
    for (const headers of [{}, { Authorization: `Bearer ${t.keys.revoked}` }]) {
      const ws = new WebSocket(t.url.replace('http', 'ws') + '/ws', { headers });
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (req, res) => {
          req.destroy();
          resolve(res.statusCode ?? 0);
        });
        ws.on('open', () => resolve(101));
      });
      expect(status).toBe(401);
    }
  });

  it('sends the run events of the scope subscribed, exactly as recorded, filtered by the key grants', async () => {
    await start();
    const all = await viewer(t.keys.admin);
    const envViewer = await viewer(t.keys.viewer);
    const otherUser = await viewer(t.keys.userOther);
    await all.subscribe({ id: 'a', scope: 'all' });
    await envViewer.subscribe({ id: 'e', scope: 'all' });
    await otherUser.subscribe({ id: 'o', scope: 'environment', environment: 'other' });
    const denied = await viewer(t.keys.viewer);
    await denied.subscribe({ id: 'x', scope: 'environment', environment: 'other' });
    expect(denied.messages.at(-1)).toMatchObject({ type: 'ws.error', code: 'forbidden', id: 'x' });

    const d = newRun('default');
    const o = newRun('other');
    queued(d, 'default');
    queued(o, 'other');
    step(d, 1);
    step(o, 1);
    await all.until((m) => m.filter((x) => !x.type.startsWith('ws.')).length === 6);
    await envViewer.until((m) => m.filter((x) => !x.type.startsWith('ws.')).length === 3);
    await otherUser.until((m) => m.filter((x) => !x.type.startsWith('ws.')).length === 3);
    expect(envViewer.events().every((e) => e.runId === d.runId)).toBe(true);
    expect(otherUser.events().every((e) => e.runId === o.runId)).toBe(true);
    expect(envViewer.events().map((e) => e.seq)).toEqual([1, 2, 3]);
    // The same objects the store holds (and `stn agent run --json` prints).
    expect(envViewer.events()).toEqual(JSON.parse(JSON.stringify(repo.events(d.runId))));
  });

  it('a client reconnecting with its last seq gets what it missed from the store, then live events, no duplicates', async () => {
    await start();
    const rec = newRun('default');
    queued(rec, 'default');
    const first = await viewer(t.keys.viewer);
    await first.subscribe({ id: 'r', scope: 'run', runId: rec.runId });
    step(rec, 1);
    await first.until((m) => m.filter((x) => !x.type.startsWith('ws.')).length === 2);
    const lastSeq = first.events().at(-1)?.seq ?? 0;
    expect(lastSeq).toBe(3);
    first.close();
    step(rec, 2);
    step(rec, 3);
    const again = await viewer(t.keys.viewer);
    await again.subscribe({ id: 'r', scope: 'run', runId: rec.runId, afterSeq: lastSeq });
    step(rec, 4);
    await again.until(() => again.events().some((x) => x.type === 'model.response' && x.data.step === 4));
    expect(again.events().map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(again.messages.find((m) => m.type === 'ws.subscribed')).toMatchObject({ id: 'r', scope: 'run' });

    const missing = await viewer(t.keys.viewer);
    await missing.subscribe({ id: 'm', scope: 'run', runId: 99999 });
    expect(missing.messages.at(-1)).toMatchObject({ type: 'ws.error', code: 'not_found' });
    await missing.subscribe({ id: 'bad', scope: 'run', runId: rec.runId, afterSeq: -1 });
    expect(missing.messages.at(-1)).toMatchObject({ type: 'ws.error', code: 'invalid' });
    missing.ws.send('not json');
    await missing.until((m) => control(m, 'ws.error')?.code === 'bad_message');
  });

  it('resume on an "all" subscription replays the runs the client followed', async () => {
    await start();
    const rec = newRun('default');
    queued(rec, 'default');
    step(rec, 1);
    const v = await viewer(t.keys.admin);
    await v.subscribe({ id: 'all', scope: 'all', resume: { [String(rec.runId)]: 1 } });
    await v.until((m) => m.filter((x) => !x.type.startsWith('ws.')).length === 2);
    expect(v.events().map((e) => e.seq)).toEqual([2, 3]);
  });

  it('bounds a slow client: drops events with a notice instead of buffering them, and it can catch up', async () => {
    await start({ maxBufferedBytes: 64 * 1024 });
    const rec = newRun('default');
    queued(rec, 'default');
    const slow = await viewer(t.keys.admin);
    await slow.subscribe({ id: 'r', scope: 'run', runId: rec.runId });
    slow.ws.pause();
    const big = 'x'.repeat(32 * 1024);
    const steps = 400; // 800 events, ~13 MB: far more than the socket buffers hold
    for (let i = 1; i <= steps; i++) step(rec, i, big);
    const lastSeq = 1 + steps * 2;
    slow.ws.resume();
    await slow.until((m) => m.some((x) => x.type === 'ws.dropped'), 20_000);
    const notice = control(slow.messages, 'ws.dropped')!;
    expect(notice.dropped).toBeGreaterThan(0);
    expect(notice.runs).toEqual([{ runId: rec.runId, fromSeq: expect.any(Number) }]);
    const received = slow.events().map((e) => e.seq);
    expect(received.length).toBeLessThan(lastSeq);
    const fromSeq = notice.runs[0]!.fromSeq;
    expect(received.every((s) => s < fromSeq)).toBe(true);
    await slow.subscribe({ id: 'r2', scope: 'run', runId: rec.runId, afterSeq: fromSeq - 1 });
    await slow.until((m) => m.some((x) => x.type === 'ws.replayed' && x.id === 'r2'), 20_000);
    expect(slow.messages.filter((m) => m.type === 'ws.dropped')).toHaveLength(1);
    expect(slow.messages.at(-1)).toEqual({ type: 'ws.replayed', id: 'r2', runId: rec.runId, lastSeq });
    const seqs = slow.events().map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    // seq 1 (run.queued) was published before the subscription; everything after it arrived once, in order.
    expect(seqs).toEqual(Array.from({ length: lastSeq - 1 }, (_, i) => i + 2));
  });

  it('sends the runs of other processes read from the store, and those of this process once', async () => {
    await start();
    const v = await viewer(t.keys.admin);
    await v.subscribe({ id: 'all', scope: 'all' });
    // Another process: its own bus, and a pid that is not ours.
    const otherBus = new EventBus();
    const foreignId = repo.insertQueued({
      agentName: 'a',
      environmentName: 'default',
      input: {},
      model: 'm',
      pid: 999_999,
      now: Date.now(),
    });
    const foreign = new RunRecorder(repo, otherBus, foreignId);
    foreign.emit('run.queued', { agent: 'a', environment: 'default', input: {}, model: 'm' });
    step(foreign, 1);
    const own = newRun('default');
    queued(own, 'default');
    await v.until(() => v.events().some((x) => x.runId === own.runId));
    // 4 rows: the foreign run's 3 and our own run's 1 (delivered from the bus already).
    expect(feed.poll()).toBe(4);
    await v.until(() => v.events().filter((x) => x.runId === foreignId).length === 3);
    expect(
      v
        .events()
        .filter((e) => e.runId === foreignId)
        .map((e) => e.seq),
    ).toEqual([1, 2, 3]);
    // Our own run came once, from the bus.
    expect(
      v
        .events()
        .filter((e) => e.runId === own.runId)
        .map((e) => e.seq),
    ).toEqual([1]);
    expect(feed.poll()).toBe(0);
  });

  it('closes clients with 1001 when the server shuts down', async () => {
    await start();
    const v = await viewer(t.keys.viewer);
    const closed = new Promise<number>((resolve) => v.ws.once('close', (code: number) => resolve(code)));
    await t.server.close(1000);
    expect(await closed).toBe(1001);
    expect(hub.clientCount).toBe(0);
  });
});
