// RunFeed over real SQLite files: "another process" is a second Engine on the same Station home (its
// own database connection and event bus) writing runs with another pid.
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine, type RunEvent } from '../../../src/core/index.js';
import { readEncryptionKey } from '../../../src/core/security/encryption-key.js';
import { RunFeed, type RunFeedOptions } from '../../../src/core/runner/run-feed.js';
import { RunRecorder } from '../../../src/core/runner/run-recorder.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

const OTHER_PID = 999_999;

interface Fixture {
  home: TempHome;
  /** This process. */
  engine: Engine;
  /** Another process on the same home. */
  other: Engine;
}

let fixture: Fixture | undefined;
const feeds: RunFeed[] = [];

afterEach(async () => {
  for (const feed of feeds.splice(0)) feed.stop();
  if (fixture !== undefined) {
    await fixture.other.close();
    await fixture.engine.close();
    fixture.home.cleanup();
    fixture = undefined;
  }
});

function open(): Fixture {
  const home = makeInitializedHome();
  fixture = { home, engine: openEngine({ home: home.home }), other: openEngine({ home: home.home }) };
  return fixture;
}

/** A feed on `engine`'s database, with its bus unless told otherwise, collecting what it delivers. */
function follow(
  engine: Engine,
  options: RunFeedOptions & { withBus?: boolean } = {},
): { feed: RunFeed; events: RunEvent[]; batches: number } {
  const { withBus = true, ...rest } = options;
  const feed = new RunFeed(engine.db, { intervalMs: 60_000, ...(withBus ? { bus: engine.events } : {}), ...rest });
  feeds.push(feed);
  const seen = { feed, events: [] as RunEvent[], batches: 0 };
  feed.subscribe((events) => {
    seen.batches++;
    seen.events.push(...events);
  });
  feed.start();
  return seen;
}

/** A new queued run recorded through `engine` (its store and its bus), as a process with `pid` runs it. */
function newRun(engine: Engine, pid: number, lastSeq = 0, existing?: number): RunRecorder {
  const repo = engine.runs.repo;
  const id =
    existing ??
    repo.insertQueued({ agentName: 'a', environmentName: 'default', input: {}, model: 'm', pid, now: Date.now() });
  return new RunRecorder(repo, engine.events, id, Date.now, lastSeq);
}

function queued(rec: RunRecorder): void {
  rec.emit('run.queued', { agent: 'a', environment: 'default', input: {}, model: 'm' });
}

function step(rec: RunRecorder, n: number): void {
  rec.emit('model.request', { step: n, final: false, model: 'm', messages: 1, tools: 0 });
}

function finish(rec: RunRecorder): void {
  const tokens = { input: 0, output: 0, total: 0 };
  const data = {
    status: 'completed' as const,
    stopReason: 'final_answer' as const,
    output: 'ok',
    error: null,
    steps: 1,
    toolCalls: 0,
    tokens,
    durationMs: 1,
  };
  rec.finish(data, { ...data, error: null, durationMs: 1 });
}

function seqsOf(events: readonly RunEvent[], runId: number): number[] {
  return events.filter((e) => e.runId === runId).map((e) => e.seq);
}

function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

describe('RunFeed', () => {
  it('delivers the runs another process writes once each, in seq order, from the latest row at start', async () => {
    const { engine, other } = open();
    const before = newRun(other, OTHER_PID);
    queued(before);
    const seen = follow(engine, { intervalMs: 10 });
    const a = newRun(other, OTHER_PID);
    const b = newRun(other, OTHER_PID);
    queued(a);
    queued(b);
    for (let n = 1; n <= 3; n++) {
      step(a, n);
      step(b, n);
    }
    step(before, 1);
    finish(a);
    finish(b);
    await expect.poll(() => seen.events.filter((e) => e.type === 'run.finished').length).toBe(2);
    expect(seqsOf(seen.events, a.runId)).toEqual(oneTo(5));
    expect(seqsOf(seen.events, b.runId)).toEqual(oneTo(5));
    // A run that began before the feed: only what came after the cursor.
    expect(seqsOf(seen.events, before.runId)).toEqual([2]);
    // The same objects as stored.
    expect(seen.events.filter((e) => e.runId === a.runId)).toEqual(other.runs.repo.events(a.runId));
    expect(seen.feed.poll()).toBe(0);
    // Both finished runs are forgotten; the unfinished one is still followed.
    expect(seen.feed.trackedRuns).toBe(1);
  });

  it('delivers the runs of this process from the bus at once, and their stored rows add nothing', () => {
    const { engine } = open();
    const seen = follow(engine);
    const own = newRun(engine, process.pid);
    queued(own);
    step(own, 1);
    // Straight from the bus, before any poll.
    expect(seqsOf(seen.events, own.runId)).toEqual([1, 2]);
    step(own, 2);
    finish(own);
    expect(seen.feed.poll()).toBe(4);
    expect(seqsOf(seen.events, own.runId)).toEqual(oneTo(4));
    expect(seen.feed.trackedRuns).toBe(0);
    expect(seen.feed.poll()).toBe(0);
    expect(seen.events).toHaveLength(4);
  });

  it('fills a gap in a run of this process from the store, in order (events stored but not published)', () => {
    const { engine, other } = open();
    const seen = follow(engine);
    const own = newRun(engine, process.pid);
    queued(own);
    // Another connection appends seq 2 (as `stn runs cancel` from another terminal would): no bus here.
    newRun(other, OTHER_PID, 1, own.runId).emit('model.request', {
      step: 1,
      final: false,
      model: 'm',
      messages: 1,
      tools: 0,
    });
    newRun(engine, process.pid, 2, own.runId).emit('model.request', {
      step: 2,
      final: false,
      model: 'm',
      messages: 1,
      tools: 0,
    });
    expect(seqsOf(seen.events, own.runId)).toEqual([1, 2, 3]);
    expect(seen.feed.poll()).toBe(0);
    expect(seen.events).toHaveLength(3);
  });

  it('picks up a run of this process that began before the feed from its next stored event', () => {
    const { engine } = open();
    const own = newRun(engine, process.pid);
    queued(own);
    step(own, 1);
    const seen = follow(engine);
    step(own, 2);
    step(own, 3);
    expect(seqsOf(seen.events, own.runId)).toEqual([3, 4]);
    // The row of seq 4 is read now; it was delivered from the bus already.
    expect(seen.feed.poll()).toBe(1);
    expect(seen.events).toHaveLength(2);
  });

  it('reads a backlog larger than a batch over several polls, in order', () => {
    const { engine, other } = open();
    const seen = follow(engine, { batchSize: 10, withBus: false });
    const run = newRun(other, OTHER_PID);
    queued(run);
    for (let n = 1; n <= 33; n++) step(run, n);
    finish(run);
    const reads: number[] = [];
    for (let read = seen.feed.poll(); read > 0; read = seen.feed.poll()) reads.push(read);
    expect(reads).toEqual([10, 10, 10, 5]);
    expect(seen.batches).toBe(4);
    expect(seqsOf(seen.events, run.runId)).toEqual(oneTo(35));
  });

  it('forgets runs once finished: 10 000 runs followed to completion leave nothing tracked', () => {
    const { engine, other } = open();
    const seen = follow(engine);
    const runs = 10_000;
    other.db.transaction(() => {
      for (let i = 0; i < runs; i++) {
        const rec = newRun(other, OTHER_PID);
        queued(rec);
        finish(rec);
      }
    })();
    let polls = 0;
    while (seen.feed.poll() > 0) polls++;
    expect(polls).toBe(20); // 20 000 rows, 1000 a poll
    expect(seen.events).toHaveLength(2 * runs);
    expect(seen.feed.trackedRuns).toBe(0);
  });

  it('follows at most maxTrackedRuns runs at once, and forgetting one repeats none of its events', () => {
    const { engine, other } = open();
    const seen = follow(engine, { maxTrackedRuns: 100 });
    const foreign: RunRecorder[] = [];
    const own: RunRecorder[] = [];
    other.db.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        const rec = newRun(other, OTHER_PID);
        queued(rec);
        foreign.push(rec);
      }
    })();
    // This process's runs come from the bus, ahead of the store, while the foreign backlog waits.
    for (let i = 0; i < 1000; i++) {
      const rec = newRun(engine, process.pid);
      queued(rec);
      own.push(rec);
    }
    while (seen.feed.poll() > 0) expect(seen.feed.trackedRuns).toBeLessThanOrEqual(100);
    expect(seen.feed.trackedRuns).toBeLessThanOrEqual(100);
    for (const rec of [...foreign, ...own]) step(rec, 1);
    while (seen.feed.poll() > 0) expect(seen.feed.trackedRuns).toBeLessThanOrEqual(100);
    for (const rec of [...foreign, ...own]) expect(seqsOf(seen.events, rec.runId)).toEqual([1, 2]);
    expect(seen.events).toHaveLength(4000);
  });

  it('reports a failing store instead of throwing, and keeps going', () => {
    const { home } = open();
    const db = openDatabase(home.paths.database, { key: () => readEncryptionKey(home.paths, process.env) });
    const errors: unknown[] = [];
    const feed = new RunFeed(db, { intervalMs: 60_000, onError: (e) => errors.push(e) });
    feeds.push(feed);
    feed.start();
    db.close();
    expect(feed.poll()).toBe(0);
    expect(feed.poll()).toBe(0);
    expect(errors).toHaveLength(2);
    expect(String(errors[0])).toMatch(/not open/);
  });
});
