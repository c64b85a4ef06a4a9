// Several `stn serve` processes on one PostgreSQL store (issue 19): the built binary, two servers on one home's
// environments folder and one PostgreSQL schema, the test model server and the real filesystem MCP server. A run
// started on one server is listed by the other, and a WebSocket viewer of the other sees its events live, in seq
// order, each once; a server killed with SIGKILL leaves no run that lies.
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../src/core/client/api-client.js';
import { RunEventStream } from '../../src/core/client/run-event-stream.js';
import type { RunEvent } from '../../src/core/events/run-events.js';
import { latestSchemaVersion } from '../../src/core/store/database.js';
import { runStn } from '../helpers/cli.js';
import { startModelServer, toolMessages, type ModelServer } from '../helpers/model-server.js';
import { makePgSchema, type TestSchema } from '../helpers/stores.js';
import { makeRunHome, serveStn, stopServers, type RunHome, type StnProcess } from './run-home.js';

let model: ModelServer;
let home: RunHome;
let schema: TestSchema;
let env: NodeJS.ProcessEnv;
const servers: StnProcess[] = [];
const streams: RunEventStream[] = [];

beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(async () => {
  home = makeRunHome();
  schema = makePgSchema();
  env = home.envFor(model.url, { STATION_DATABASE_URL: schema.url });
  model.requests.length = 0;
  // Three tool calls to the real filesystem server, each after a pause, then the answer.
  model.script(async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 150));
    return toolMessages(request).length < 3
      ? { toolCalls: [{ name: 'filesystem__list_directory', arguments: { path: home.files } }] }
      : { text: 'One file: readme.txt.' };
  });
  const init = await runStn(['db', 'migrate', '--json'], { env });
  expect(init.code).toBe(0);
  expect(JSON.parse(init.stdout)).toMatchObject({ engine: 'postgres', schemaVersion: latestSchemaVersion() });
});
afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  await stopServers(servers);
  home.cleanup();
  schema.drop();
});

/** Starts `stn serve` on this test's store; its base URL once it listens. */
function serve(): Promise<{ url: string; server: StnProcess }> {
  return serveStn(env, servers);
}

/** Every run event server `url` streams over its WebSocket, collected from when it is subscribed. */
async function watch(url: string, key: string): Promise<RunEvent[]> {
  const stream = new RunEventStream({ url, key });
  streams.push(stream);
  const seen: RunEvent[] = [];
  let up = false;
  stream.subscribe((update) => {
    if (update.kind === 'event') seen.push(update.event);
    else up = update.ok;
  });
  await vi.waitFor(() => expect(up).toBe(true), { timeout: 10_000 });
  return seen;
}

async function adminKey(): Promise<string> {
  const created = await runStn(['key', 'create', 'ops', '--role', 'admin', '--json'], { env });
  expect(created.code).toBe(0);
  return (JSON.parse(created.stdout) as { key: string }).key;
}

// Each test waits on its servers for up to 30-40 s a step (fire times, leases, deliveries): 7-16 s on an idle
// machine, more than the default 30 s per test under CI's load, so a test's time limit covers its waits.
describe('several servers on one PostgreSQL store', { timeout: 120_000 }, () => {
  it('a run started on B is listed by A, and A streams its events live, in order, once each', async () => {
    const key = await adminKey();
    const a = await serve();
    const b = await serve();
    const clientA = new ApiClient({ url: a.url, key });
    const clientB = new ApiClient({ url: b.url, key });

    const seen = await watch(a.url, key);

    const started = await clientB.startRun('default', 'reader', { input: { userInput: 'What is there?' } });
    const id = started.id;
    await vi.waitFor(() => expect(seen.some((e) => e.runId === id && e.type === 'run.finished')).toBe(true), {
      timeout: 30_000,
      interval: 50,
    });
    const events = seen.filter((e) => e.runId === id);
    // Every event, each once, in seq order, through the server that does not run it.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'tool.finished')).toHaveLength(3);
    const stored = await clientA.listRunEvents(id, { limit: 1000, after: 0 });
    expect(stored.events.map((e) => e.seq)).toEqual(events.map((e) => e.seq));

    // Both servers list it, finished, with the pid of the server that ran it.
    const listedA = await clientA.listRuns({ limit: 10 });
    const listedB = await clientB.listRuns({ limit: 10 });
    expect(listedA.find((r) => r.id === id)).toMatchObject({ status: 'completed' });
    expect(listedB.find((r) => r.id === id)).toMatchObject({ status: 'completed' });
    const started2 = events.find((e) => e.type === 'run.started') as { data?: { pid?: number } } | undefined;
    expect(started2?.data?.pid).toBe(b.server.child.pid);
  });

  it('three servers share one run queue: runs started on A run once each, on the servers with a free worker', async () => {
    // One worker per server: A alone would run them one after the other.
    writeFileSync(home.paths.config, readFileSync(home.paths.config, 'utf8').replace(/workers: \d+/, 'workers: 1'));
    model.script(async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { text: 'Nothing to list.' };
    });
    const key = await adminKey();
    const [a, b, c] = [await serve(), await serve(), await serve()];
    const pids = new Set([a, b, c].map((s) => s.server.child.pid));
    const client = new ApiClient({ url: a.url, key });
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await client.startRun('default', 'reader', { input: { userInput: `run ${String(i)}` } })).id);
    }
    const clientC = new ApiClient({ url: c.url, key });
    await vi.waitFor(
      async () => {
        const listed = await clientC.listRuns({ limit: 20 });
        expect(ids.map((id) => listed.find((r) => r.id === id)?.status)).toEqual(Array(6).fill('completed'));
      },
      { timeout: 60_000, interval: 200 },
    );
    const ranOn = new Set<number>();
    for (const id of ids) {
      const { events } = await clientC.listRunEvents(id, { limit: 1000, after: 0 });
      const starts = events.filter((e) => e.type === 'run.started') as { data: { pid: number } }[];
      // Started once, by one of the three servers.
      expect(starts).toHaveLength(1);
      expect(pids.has(starts[0]!.data.pid)).toBe(true);
      ranOn.add(starts[0]!.data.pid);
    }
    expect(ranOn.size).toBeGreaterThanOrEqual(2);
  });

  it('a server killed with SIGKILL: the other marks its run interrupted once the lease runs out, and viewers see it', async () => {
    // A lease of 2 s: renewed every 0.67 s, swept as often.
    writeFileSync(
      home.paths.config,
      readFileSync(home.paths.config, 'utf8').replace(/lease_seconds: \d+/, 'lease_seconds: 2'),
    );
    const key = await adminKey();
    const a = await serve();
    const b = await serve();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    model.script(async (request) => {
      if (toolMessages(request).length === 0) {
        return { toolCalls: [{ name: 'filesystem__list_directory', arguments: { path: home.files } }] };
      }
      await held;
      return { text: 'never' };
    });
    const seen = await watch(a.url, key);

    const { id } = await new ApiClient({ url: b.url, key }).startRun('default', 'reader', {
      input: { userInput: 'What is there?' },
    });
    await vi.waitFor(() => expect(seen.some((e) => e.runId === id && e.type === 'tool.finished')).toBe(true), {
      timeout: 30_000,
      interval: 50,
    });
    await model.waitForRequests(2, 30_000);
    b.server.child.kill('SIGKILL');
    await b.server.exited;
    const killedAt = Date.now();
    await vi.waitFor(() => expect(seen.some((e) => e.runId === id && e.type === 'run.finished')).toBe(true), {
      timeout: 20_000,
      interval: 50,
    });
    const tookMs = Date.now() - killedAt;
    release();
    const events = seen.filter((e) => e.runId === id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const finished = events.at(-1) as { type: string; data: { status: string; error: { message: string } } };
    expect(finished.data.status).toBe('interrupted');
    expect(finished.data.error.message).toMatch(/stopped before the run finished: its lease ran out/);
    const row = await new ApiClient({ url: a.url, key }).getRun(id, { events: false });
    expect(row).toMatchObject({ status: 'interrupted', stopReason: 'interrupted' });
    // The lease (2 s) and a sweep (every 0.67 s), with room for a loaded machine.
    expect(tookMs).toBeLessThan(15_000);
  });

  it('retry_on_interrupt: the run of a killed server is marked interrupted and run again, once, by a survivor', async () => {
    writeFileSync(
      home.paths.config,
      readFileSync(home.paths.config, 'utf8').replace(/lease_seconds: \d+/, 'lease_seconds: 2'),
    );
    const agentFile = join(home.paths.home, 'environments', 'default', 'agents', 'reader.prompt');
    writeFileSync(
      agentFile,
      readFileSync(agentFile, 'utf8').replace('max_steps: 4', 'max_steps: 4\nretry_on_interrupt: true'),
    );
    const key = await adminKey();
    const a = await serve();
    const b = await serve();
    // The first model call of the first run hangs (its server is killed meanwhile); every later call answers.
    let calls = 0;
    model.script(async () => {
      calls += 1;
      if (calls === 1) await new Promise(() => undefined);
      return { text: 'Answered on the second try.' };
    });
    const { id } = await new ApiClient({ url: b.url, key }).startRun('default', 'reader', {
      input: { userInput: 'What is there?' },
    });
    await model.waitForRequests(1, 30_000);
    const clientA = new ApiClient({ url: a.url, key });
    const first = await clientA.getRun(id, { events: false });
    expect(first).toMatchObject({ status: 'running' });
    b.server.child.kill('SIGKILL');
    await b.server.exited;
    let retryId = 0;
    await vi.waitFor(
      async () => {
        const runs = await clientA.listRuns({ limit: 10 });
        const retry = runs.find((r) => r.id > id);
        expect(retry).toMatchObject({ status: 'completed' });
        retryId = retry!.id;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(await clientA.getRun(id, { events: false })).toMatchObject({ status: 'interrupted' });
    const { events } = await clientA.listRunEvents(retryId, { limit: 1000, after: 0 });
    const queued = events[0] as { type: string; data: { retryOf?: number; input: unknown } };
    expect(queued).toMatchObject({ type: 'run.queued', data: { retryOf: id, input: { userInput: 'What is there?' } } });
    const starts = events.filter((e) => e.type === 'run.started') as { data: { pid: number } }[];
    expect(starts.map((e) => e.data.pid)).toEqual([a.server.child.pid]);
    expect((await clientA.listRuns({ limit: 10 })).filter((r) => r.id > id)).toHaveLength(1);
  });

  it('schedules fire once across servers, every finished run is delivered; a killed server hands its work over', async () => {
    writeFileSync(
      home.paths.config,
      readFileSync(home.paths.config, 'utf8')
        .replace(/lease_seconds: \d+/, 'lease_seconds: 2')
        .replace('allow_private: false', 'allow_private: true'),
    );
    home.writeAgent(
      'tick',
      '---\nmetadata:\n  name: tick\nschedule:\n  cron: "*/2 * * * * *"\n  timezone: UTC\n  catch_up: none\n---\nTick.\n',
    );
    model.script(() => ({ text: 'tock' }));
    const deliveries: number[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        deliveries.push((JSON.parse(body) as { run: { id: number } }).run.id);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as { port: number }).port;
      const added = await runStn(
        ['webhook', 'add', `http://127.0.0.1:${String(port)}/hook`, '--events', 'run.finished'],
        {
          env,
        },
      );
      expect(added.code, added.stderr).toBe(0);
      const key = await adminKey();
      const [a, b] = [await serve(), await serve()];
      await serve();
      const client = new ApiClient({ url: a.url, key });
      const scheduled = async () => (await client.listRuns({ limit: 100 })).filter((r) => r.agent === 'tick');
      await vi.waitFor(async () => expect((await scheduled()).length).toBeGreaterThanOrEqual(3), {
        timeout: 30_000,
        interval: 200,
      });
      b.server.child.kill('SIGKILL');
      await b.server.exited;
      const killedAt = Date.now();
      // Fires go on with two servers: three more fire times after the kill.
      await vi.waitFor(
        async () => {
          const after = (await scheduled()).filter((r) => Date.parse(r.scheduledAt!) > killedAt + 1000);
          expect(after.filter((r) => r.status === 'completed').length).toBeGreaterThanOrEqual(3);
        },
        { timeout: 40_000, interval: 200 },
      );
      const runs = await scheduled();
      // One run per fire time, across the three servers.
      const times = runs.map((r) => r.scheduledAt);
      expect(new Set(times).size).toBe(times.length);
      // Every run that finished is delivered, each once (a run B was sending when it died is sent again at most
      // once more by the server that takes the delivery over: at-least-once, so duplicates are counted).
      const finished = runs.filter((r) => r.status === 'completed').map((r) => r.id);
      await vi.waitFor(() => expect(finished.every((id) => deliveries.includes(id))).toBe(true), {
        timeout: 30_000,
        interval: 200,
      });
      const twice = deliveries.filter((id, i) => deliveries.indexOf(id) !== i);
      expect(twice.length).toBeLessThanOrEqual(1);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
