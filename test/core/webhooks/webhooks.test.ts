// Webhooks end to end in one process: a real HTTP receiver on 127.0.0.1 checks every signature, answers the
// first attempts with 500 and then 429 + Retry-After, and sees the retries; a restart in the middle of a retry
// sequence (a new engine on the same home) sends the queued delivery; private addresses are refused after DNS
// resolution; the Slack format; the webhook's secret never appears in a payload.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, verifySignature, type Engine, type WebhookPayload } from '../../../src/core/index.js';
import { RunRecorder } from '../../../src/core/runner/run-recorder.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  signatureOk: boolean;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Resolves when `n` requests have arrived. */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A receiver that answers each request with the next scripted reply (200 when the script is used up). */
async function startReceiver(
  secret: () => string,
  script: { status: number; headers?: Record<string, string> }[] = [],
): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const timestamp = String(req.headers['x-station-timestamp']);
      const signature = String(req.headers['x-station-signature']);
      received.push({ headers: req.headers, body, signatureOk: verifySignature(secret(), timestamp, body, signature) });
      const reply = script[received.length - 1] ?? { status: 200 };
      res.writeHead(reply.status, reply.headers ?? {}).end('ok');
      for (const w of waiters.filter((x) => received.length >= x.n)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${String(address.port)}/hook`,
    received,
    waitFor: (n) => (received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const CONFIG =
  'webhooks:\n  allow_private: true\n  timeout_seconds: 5\n  max_attempts: 4\nserver:\n  public_url: https://station.example.com/\n';

let temp: TempHome | undefined;
const engines: Engine[] = [];
const receivers: Receiver[] = [];

afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const r of receivers.splice(0)) await r.close();
  temp?.cleanup();
  temp = undefined;
});

function home(config = CONFIG): TempHome {
  temp = makeInitializedHome();
  writeFileSync(join(temp.home, 'config.yaml'), config);
  return temp;
}

function open(t: TempHome, tuning: { flushMs?: number; retryBaseMs?: number } = {}): Engine {
  const engine = openEngine({
    home: t.home,
    env: t.env,
    webhooks: { retryBaseMs: 50, retryMaxMs: 200, pollMs: 50, flushMs: 3000, ...tuning },
  });
  engines.push(engine);
  return engine;
}

/** Records a run that ends with `status` through the engine's recorder and bus, as the runner does. */
function finishRun(engine: Engine, status: 'completed' | 'failed', agent = 'nightly'): number {
  const recorder = RunRecorder.open(engine.runs.repo, engine.events, {
    agentName: agent,
    environmentName: 'default',
    input: {},
    model: 'm',
    pid: process.pid,
    now: Date.now(),
  });
  const data = {
    status,
    stopReason: status === 'completed' ? ('final_answer' as const) : ('error' as const),
    output: status === 'completed' ? 'all good' : null,
    error: status === 'failed' ? { code: 'model', message: 'the model failed' } : null,
    steps: 1,
    toolCalls: 0,
    tokens: { input: 1, output: 1, total: 2 },
    durationMs: 1234,
  };
  recorder.finish(data, { ...data, error: data.error === null ? null : JSON.stringify(data.error) });
  return recorder.runId;
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('webhooks', () => {
  it('signs each delivery, retries 500 and 429 (honouring Retry-After), and records every attempt', async () => {
    const t = home();
    const engine = open(t);
    let secret = '';
    const receiver = await startReceiver(
      () => secret,
      [{ status: 500 }, { status: 429, headers: { 'Retry-After': '1' } }],
    );
    receivers.push(receiver);
    const added = engine.webhooks.add({ url: receiver.url });
    secret = added.secret;
    expect(engine.webhooks.list()).toEqual([added.webhook]);
    engine.webhooks.startWorker();
    const runId = finishRun(engine, 'completed');
    await receiver.waitFor(3);
    await waitUntil(() => engine.webhooks.deliveries()[0]?.status === 'delivered', 'the delivery');

    expect(receiver.received.map((r) => r.signatureOk)).toEqual([true, true, true]);
    const first = receiver.received[0];
    expect(first?.headers['x-station-event']).toBe('run.finished');
    expect(first?.headers['content-type']).toBe('application/json');
    const ids = new Set(receiver.received.map((r) => r.headers['x-station-delivery']));
    expect(ids.size).toBe(1);
    const payload = JSON.parse(first?.body ?? '{}') as WebhookPayload;
    expect(payload).toMatchObject({
      event: 'run.finished',
      webhook: added.webhook.id,
      run: { id: runId, agent: 'nightly', environment: 'default', status: 'completed', durationMs: 1234 },
      data: { runId, type: 'run.finished', data: { status: 'completed', output: 'all good' } },
    });
    for (const r of receiver.received) expect(r.body).not.toContain(secret);

    const [delivery] = engine.webhooks.deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, statusCode: 200, runId });
    expect(delivery?.attemptLog.map((a) => a.statusCode)).toEqual([500, 429, 200]);
    // The 429's Retry-After (1 s) was honoured as asked, not replaced by the backoff.
    expect(delivery?.attemptLog[1]?.retryInMs).toBe(1000);
    expect(delivery?.attemptLog[0]?.retryInMs).toBeGreaterThan(0);
    // The secret is in the secret store, never in the webhooks table.
    const rows = JSON.stringify(engine.db.prepare('SELECT * FROM webhooks').all());
    expect(rows).not.toContain(secret);
    expect(engine.secrets.list()).toEqual([]);
  });

  it('a delivery queued and failing in one engine is sent by the next engine on the same home (restart)', async () => {
    const t = home();
    let secret = '';
    const receiver = await startReceiver(() => secret, [{ status: 503 }]);
    receivers.push(receiver);
    // The first process sends nothing more as it closes (flushMs 0) and its retry is due only after 0.5-1 s:
    // it stops between two attempts.
    const first = open(t, { flushMs: 0, retryBaseMs: 1000 });
    secret = first.webhooks.add({ url: receiver.url, events: ['run.failed'] }).secret;
    first.webhooks.startWorker();
    finishRun(first, 'completed'); // not wanted: only failed runs
    const runId = finishRun(first, 'failed');
    await receiver.waitFor(1);
    await waitUntil(() => first.webhooks.deliveries()[0]?.attempts === 1, 'the first attempt');
    await first.webhooks.stopWorker();
    engines.splice(engines.indexOf(first), 1);
    await first.close();
    expect(receiver.received).toHaveLength(1);

    const second = open(t);
    expect(second.webhooks.deliveries()).toMatchObject([{ status: 'pending', attempts: 1, runId }]);
    second.webhooks.startWorker();
    await receiver.waitFor(2);
    await waitUntil(() => second.webhooks.deliveries()[0]?.status === 'delivered', 'the retry');
    expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
    expect(second.webhooks.deliveries()).toHaveLength(1);
    expect(second.webhooks.deliveries()[0]?.attemptLog.map((a) => a.statusCode)).toEqual([503, 200]);
  });

  it('gives up after max_attempts and marks the delivery failed; redeliver queues it again', async () => {
    const t = home();
    let secret = '';
    const receiver = await startReceiver(
      () => secret,
      [{ status: 500 }, { status: 502 }, { status: 500 }, { status: 500 }],
    );
    receivers.push(receiver);
    const engine = open(t);
    secret = engine.webhooks.add({ url: receiver.url }).secret;
    engine.webhooks.startWorker();
    finishRun(engine, 'failed');
    await waitUntil(() => engine.webhooks.deliveries({ failed: true }).length === 1, 'the failure');
    expect(receiver.received).toHaveLength(4);
    const [failed] = engine.webhooks.deliveries({ failed: true });
    expect(failed?.attemptLog.map((a) => a.statusCode)).toEqual([500, 502, 500, 500]);
    const again = engine.webhooks.redeliver(failed?.id ?? 0);
    expect(again.id).toBe(failed?.id);
    await waitUntil(() => engine.webhooks.deliveries()[0]?.status === 'delivered', 'the redelivery');
    expect(receiver.received).toHaveLength(5);
    expect(receiver.received[4]?.headers['x-station-delivery']).toBe(String(failed?.id));
  });

  it('refuses loopback and private targets unless config.yaml allows them, checked after DNS resolution', async () => {
    const t = home('webhooks:\n  timeout_seconds: 2\n');
    const engine = open(t);
    const receiver = await startReceiver(() => '');
    receivers.push(receiver);
    // A literal private address is refused when it is added...
    expect(() => engine.webhooks.add({ url: receiver.url })).toThrow(/loopback, link-local or private/);
    expect(() => engine.webhooks.add({ url: 'http://169.254.169.254/latest' })).toThrow(/private/);
    // ...a name is resolved at delivery time: localhost is 127.0.0.1.
    const port = new URL(receiver.url).port;
    const hook = engine.webhooks.add({ url: `http://localhost:${port}/hook` });
    const delivery = await engine.webhooks.test(hook.webhook.id);
    expect(delivery).toMatchObject({ status: 'failed', statusCode: null, attempts: 1 });
    expect(delivery.error).toMatch(/resolves to (127\.0\.0\.1|::1).*allow_private/);
    expect(receiver.received).toHaveLength(0);
  });

  it('sends a Slack-compatible text with agent, status, duration and a link to the run', async () => {
    const t = home();
    const engine = open(t);
    let secret = '';
    const receiver = await startReceiver(() => secret);
    receivers.push(receiver);
    secret = engine.webhooks.add({ url: receiver.url, format: 'slack', agent: 'nightly' }).secret;
    finishRun(engine, 'failed', 'other-agent'); // filtered out by agent
    const runId = finishRun(engine, 'failed');
    // No worker: this process sends what it queued when it ends (as a CLI `stn agent run` does).
    await engine.webhooks.flush();
    expect(receiver.received).toHaveLength(1);
    const body = JSON.parse(receiver.received[0]?.body ?? '{}') as { text: string };
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('*nightly*');
    expect(body.text).toContain('failed in 1.2 s');
    expect(body.text).toContain(`<https://station.example.com/api/v1/runs/${String(runId)}|run ${String(runId)}>`);
    expect(receiver.received[0]?.signatureOk).toBe(true);
    expect(receiver.received[0]?.body).not.toContain(secret);
  });

  it('a test delivery is signed and marked as a test', async () => {
    const t = home();
    const engine = open(t);
    let secret = '';
    const receiver = await startReceiver(() => secret);
    receivers.push(receiver);
    const added = engine.webhooks.add({ url: receiver.url });
    secret = added.secret;
    const delivery = await engine.webhooks.test(added.webhook.id);
    expect(delivery).toMatchObject({ status: 'delivered', statusCode: 200, event: 'webhook.test', runId: null });
    expect(receiver.received[0]?.headers['x-station-event']).toBe('webhook.test');
    expect(receiver.received[0]?.signatureOk).toBe(true);
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ test: true, run: { id: 0 } });
    engine.webhooks.remove(added.webhook.id);
    expect(engine.webhooks.list()).toEqual([]);
    expect(engine.webhooks.deliveries()).toEqual([]);
    expect(engine.secrets.internalValue('station.webhook.1')).toBeUndefined();
  });
});
