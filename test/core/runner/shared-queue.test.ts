// The shared run queue of several servers on one PostgreSQL store (issue 19): runners with their own
// connections and pids, as servers are, over one schema. A run submitted to any of them runs on exactly one
// (claimed with FOR UPDATE SKIP LOCKED), each bounds its own concurrency, and whoever submitted it sees its
// events and its end wherever it ran. Always on PostgreSQL (SQLite has no shared queue).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events/event-bus.js';
import type { RunEvent } from '../../../src/core/events/run-events.js';
import { QueueFullError } from '../../../src/core/runner/run-errors.js';
import { RunService } from '../../../src/core/runner/run-service.js';
import type { Runner, RunnerOptions } from '../../../src/core/runner/runner.js';
import { openPostgres } from '../../../src/core/store/open-store.js';
import { RunRepo } from '../../../src/core/store/run-repo.js';
import type { StoreDb } from '../../../src/core/store/store-db.js';
import { makePgSchema, type TestSchema } from '../../helpers/stores.js';
import { makeRig, type Rig } from './rig.js';

let rig: Rig;
let schema: TestSchema;
const connections: StoreDb[] = [];
const started: Runner[] = [];

beforeAll(async () => {
  rig = await makeRig();
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => {
  schema = makePgSchema();
  rig.model.requests.length = 0;
});
afterEach(async () => {
  for (const runner of started.splice(0)) await runner.shutdown({ graceMs: 0 });
  for (const db of connections.splice(0)) db.close();
  schema.drop();
});

function connect(): StoreDb {
  const db = openPostgres(schema.url);
  connections.push(db);
  return db;
}

/** A "server": its own connection, bus and pid, in the shared queue. */
function server(pid: number, options: Partial<RunnerOptions> = {}, join = true): Runner {
  const runner = rig.runner({
    repo: new RunRepo(connect()),
    bus: new EventBus(),
    pid,
    workers: 1,
    plan: { tools: [] },
    ...options,
  });
  started.push(runner);
  if (join) runner.joinSharedQueue(50);
  return runner;
}

const request = { agent: 'a', environment: 'default', input: {} };

/** The pid each stored run.started event names, by run. */
function startedBy(repo: RunRepo, runId: number): number[] {
  return repo
    .events(runId)
    .filter((e) => e.type === 'run.started')
    .map((e) => (e.data as { pid: number }).pid);
}

describe('the shared run queue on PostgreSQL', () => {
  it('a run submitted to one server runs on exactly one; each bounds its own concurrency; the submitter sees it all', async () => {
    rig.model.script(() => ({ text: 'done', delayMs: 300 }));
    const a = server(1001);
    server(1002);
    server(1003);
    const seen = new Map<number, RunEvent[]>();
    const handles = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const events: RunEvent[] = [];
        const handle = await a.submit(request, { onEvent: (e) => events.push(e) });
        seen.set(handle.runId, events);
        return handle;
      }),
    );
    const results = await Promise.all(handles.map((h) => h.done));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('completed'));
    expect(results.map((r) => r.output)).toEqual(Array(6).fill('done'));

    const repo = new RunRepo(connect());
    const byPid = new Map<number, { start: number; end: number }[]>();
    for (const { runId } of handles) {
      // Started once, by one server, and recorded as it told its submitter.
      const pids = startedBy(repo, runId);
      expect(pids).toHaveLength(1);
      const row = repo.get(runId)!;
      expect(row).toMatchObject({ status: 'completed', pid: pids[0] });
      const stored = repo.events(runId);
      expect(seen.get(runId)!.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
      // Whoever claimed it continued after its run.queued: one gap-free sequence.
      expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(stored.slice(0, 2).map((e) => e.type)).toEqual(['run.queued', 'run.started']);
      const spans = byPid.get(pids[0]!) ?? [];
      spans.push({ start: row.started_at!, end: row.finished_at! });
      byPid.set(pids[0]!, spans);
    }
    // A alone (one worker) would take six turns: the others claimed runs from the queue.
    expect(byPid.size).toBeGreaterThanOrEqual(2);
    // One worker each: no server ran two runs at once.
    for (const spans of byPid.values()) {
      spans.sort((x, y) => x.start - y.start);
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    }
  });

  it('a run no server has claimed waits: never judged orphaned, cancelled at once by the submitter or any process', async () => {
    rig.model.script(() => ({ text: 'slow', delayMs: 1500 }));
    const a = server(2001);
    const busy = await a.submit(request);
    const mine = await a.submit(request);
    const theirs = await a.submit(request);
    await rig.model.waitForRequests(1);
    const other = new RunService(connect(), () => undefined, {
      pid: 2999,
      host: 'elsewhere',
      startedAt: 0,
      alive: () => false,
      startTime: () => undefined,
    });
    // Queued with no process: not an orphan on a shared store.
    expect(other.repo.get(mine.runId)).toMatchObject({ status: 'queued', pid: null, host: null });
    expect(other.markInterrupted()).toEqual([]);
    // The submitter cancels its own; another process ends one it did not submit, and the submitter learns it.
    expect(a.cancel(mine.runId, 'not needed')).toBe(true);
    expect(other.cancel(theirs.runId, 'cancelled over REST').outcome).toBe('cancelled');
    expect(await mine.done).toMatchObject({ status: 'cancelled', error: { message: 'not needed' } });
    expect(await theirs.done).toMatchObject({ status: 'cancelled', error: { message: 'cancelled over REST' } });
    expect(await busy.done).toMatchObject({ status: 'completed' });
    expect(startedBy(other.repo, mine.runId)).toEqual([]);
    expect(startedBy(other.repo, theirs.runId)).toEqual([]);
  });

  it('bounds the shared queue with queue_size: a submission past it is refused', async () => {
    rig.model.script(() => ({ text: 'slow', delayMs: 1000 }));
    const a = server(3001, { queueSize: 2 });
    const running = await a.submit(request);
    await rig.model.waitForRequests(1);
    const waiting = [await a.submit(request), await a.submit(request)];
    await expect(a.submit(request)).rejects.toBeInstanceOf(QueueFullError);
    for (const h of [running, ...waiting]) expect((await h.done).status).toBe('completed');
  });

  it('a server that shuts down leaves the runs waiting in the queue to the others, and tells its waiters', async () => {
    rig.model.script(() => ({ text: 'slow', delayMs: 800 }));
    const a = server(4001);
    const running = await a.submit(request);
    await rig.model.waitForRequests(1);
    const left = await a.submit(request);
    await a.shutdown({ graceMs: 5000 });
    expect(await running.done).toMatchObject({ status: 'completed' });
    expect(await left.done).toMatchObject({ status: 'queued', error: { code: 'handed_over' } });
    // A server that joins later runs it.
    const repo = new RunRepo(connect());
    server(4002);
    await expect.poll(() => repo.get(left.runId)?.status, { timeout: 10_000, interval: 50 }).toBe('completed');
    expect(startedBy(repo, left.runId)).toEqual([4002]);
  });
});
