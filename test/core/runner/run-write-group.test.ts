// The step writes of several runs made in one turn of the event loop are stored together at the end of that
// turn, each run's events published only once stored; a run whose write fails does not take the others down.
import Database from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events/event-bus.js';
import type { RunEvent } from '../../../src/core/events/run-events.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { RunRepo } from '../../../src/core/store/run-repo.js';
import { RunRecorder } from '../../../src/core/runner/run-recorder.js';
import { RunWriteGroup } from '../../../src/core/runner/run-write-group.js';
import { makeRig, type Rig } from './rig.js';

let rig: Rig;
beforeEach(async () => {
  rig = await makeRig();
});
afterEach(async () => {
  await rig.close();
});

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function openRun(group: RunWriteGroup): RunRecorder {
  return RunRecorder.open(
    rig.repo,
    rig.bus,
    { agentName: 'a', environmentName: 'default', input: {}, model: 'm', pid: process.pid, now: Date.now() },
    { group, queued: { agent: 'a', environment: 'default', input: {}, model: 'm' } },
  );
}

const types = (runId: number): string[] => rig.repo.events(runId).map((e) => `${String(e.seq)} ${e.type}`);
const published = (runId: number): string[] =>
  rig.events.filter((e) => e.runId === runId).map((e) => `${String(e.seq)} ${e.type}`);

describe('RunWriteGroup', () => {
  it("stores the runs' writes of one turn at its end, then publishes each run's events in order", async () => {
    const group = new RunWriteGroup(rig.repo);
    const runs = [openRun(group), openRun(group), openRun(group)];
    for (const run of runs) {
      run.stage('run.started', {
        agent: 'a',
        environment: 'default',
        model: 'm',
        maxSteps: 3,
        timeoutMs: 60_000,
        pid: 1,
        messages: [],
      });
      run.emitSoon(
        'model.request',
        { step: 1, final: false, model: 'm', messages: 1, tools: 0 },
        {
          steps: 1,
          toolCalls: 0,
          tokens: { input: 0, output: 0, total: 0 },
        },
      );
    }
    // Not yet: stored and published at the end of the turn.
    for (const run of runs) {
      expect(types(run.runId)).toEqual(['1 run.queued']);
      expect(published(run.runId)).toEqual(['1 run.queued']);
    }
    await nextTurn();
    for (const run of runs) {
      const expected = ['1 run.queued', '2 run.started', '3 model.request'];
      expect(types(run.runId)).toEqual(expected);
      expect(published(run.runId)).toEqual(expected);
      expect(rig.repo.get(run.runId)?.steps).toBe(1);
    }
  });

  it('a run whose events cannot be stored keeps them, and the other runs of the turn are stored', async () => {
    const group = new RunWriteGroup(rig.repo);
    const good = openRun(group);
    const queued = openRun(group);
    // A second recorder of the same run that starts its sequence again: its seq 1 is taken (run.queued).
    const clash = new RunRecorder(rig.repo, rig.bus, queued.runId, Date.now, 0, undefined, undefined, group);
    good.emitSoon('model.request', { step: 1, final: false, model: 'm', messages: 1, tools: 0 });
    clash.emitSoon('model.request', { step: 1, final: false, model: 'm', messages: 1, tools: 0 });
    await nextTurn();
    expect(types(good.runId)).toEqual(['1 run.queued', '2 model.request']);
    expect(published(good.runId)).toEqual(['1 run.queued', '2 model.request']);
    expect(types(queued.runId)).toEqual(['1 run.queued']);
    expect(published(queued.runId)).toEqual(['1 run.queued']);
    // The failure comes back at the clashing recorder's next write, with its events still staged.
    expect(() => {
      clash.flush();
    }).toThrow(/UNIQUE|unique/);
  });

  it("keeps the events of a turn whose write meets a lock past its patience, for each run's next write", async () => {
    const file = join(rig.dir, 'locked.db');
    const db = openDatabase(file, { busyTimeoutMs: 10 });
    const other = new Database(file);
    try {
      const repo = new RunRepo(db);
      const seen: RunEvent[] = [];
      const bus = new EventBus();
      bus.subscribe((event) => seen.push(event));
      const group = new RunWriteGroup(repo, 50);
      const runs = [0, 1].map(() =>
        RunRecorder.open(
          repo,
          bus,
          { agentName: 'a', environmentName: 'default', input: {}, model: 'm', pid: process.pid, now: Date.now() },
          { group, queued: { agent: 'a', environment: 'default', input: {}, model: 'm' } },
        ),
      );
      other.exec('BEGIN IMMEDIATE');
      for (const run of runs)
        run.emitSoon('model.request', { step: 1, final: false, model: 'm', messages: 1, tools: 0 });
      await nextTurn();
      for (const run of runs) {
        expect(repo.events(run.runId).map((e) => e.type)).toEqual(['run.queued']);
        expect(seen.filter((e) => e.runId === run.runId).map((e) => e.type)).toEqual(['run.queued']);
      }
      other.exec('COMMIT');
      // The next step's write is made at once (it would fail the run if it failed again).
      for (const run of runs)
        run.emitSoon('model.request', { step: 2, final: false, model: 'm', messages: 3, tools: 0 });
      for (const run of runs) {
        const all = ['run.queued', 'model.request', 'model.request'];
        expect(repo.events(run.runId).map((e) => e.type)).toEqual(all);
        expect(seen.filter((e) => e.runId === run.runId).map((e) => e.type)).toEqual(all);
      }
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      db.close();
    }
  });
});
