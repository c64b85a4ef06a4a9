// retry_on_interrupt: a run whose process died is marked interrupted and, when its agent allows, queued again as a
// new run (retry_of, run.queued with retryOf) that a serving runner claims; never more than the agent allows.
import { hostname } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunService } from '../../../src/core/runner/run-service.js';
import { RunRepo, type RunRow } from '../../../src/core/store/run-repo.js';
import { TEST_ON_POSTGRES } from '../../helpers/stores.js';
import { makeRig, type Rig } from './rig.js';

let rig: Rig;
beforeAll(async () => {
  rig = await makeRig();
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => {
  rig.model.requests.length = 0;
});

const request = { agent: 'a', environment: 'default', input: { userInput: 'again' } };

/** Another process that finds runs of a dead process (SQLite: its pid; PostgreSQL: its lease ran out). */
function survivor(retries: number): RunService {
  const probe = {
    pid: 1,
    host: TEST_ON_POSTGRES ? hostname() : undefined,
    startedAt: 0,
    alive: () => false,
    startTime: () => undefined,
  };
  return new RunService(
    rig.db,
    () => undefined,
    probe,
    undefined,
    () => retries,
  );
}

/** The runs recorded after `id`. */
function runsAfter(id: number): RunRow[] {
  return rig.db.prepare('SELECT * FROM agent_runs WHERE id > ? ORDER BY id').all(id) as RunRow[];
}

/** A run left running by a "dead" process (a short lease, never renewed). */
async function runLeftBehind(): Promise<number> {
  const dead = rig.runner({ pid: 999_001, repo: new RunRepo(rig.db, 1), plan: { tools: [] } });
  const handle = await dead.submit(request);
  await rig.model.waitForRequests(1);
  return handle.runId;
}

describe('retry_on_interrupt', () => {
  it('an interrupted run is queued again once, claimed and run by a serving runner; the retry names the run', async () => {
    let calls = 0;
    rig.model.script(async () => {
      calls += 1;
      if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 5000));
      return { text: 'second time lucky' };
    });
    const id = await runLeftBehind();
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the 1 ms lease
    const service = survivor(1);
    expect(service.markInterrupted()).toEqual([id]);
    const retry = runsAfter(id)[0];
    expect(retry).toMatchObject({ status: 'queued', pid: null, host: null, retry_of: id });
    expect(service.repo.events(retry!.id)[0]).toMatchObject({
      seq: 1,
      type: 'run.queued',
      data: { retryOf: id, input: { userInput: 'again' } },
    });
    // Not an orphan while it waits; marking again retries nothing more.
    expect(service.markInterrupted()).toEqual([]);
    expect(service.repo.queueRetry(service.repo.get(id)!, Date.now())).toBeUndefined();

    const serving = rig.runner({ pid: 999_002, plan: { tools: [] } });
    serving.joinSharedQueue(20);
    await expect.poll(() => service.repo.get(retry!.id)?.status, { timeout: 10_000 }).toBe('completed');
    expect(service.repo.get(retry!.id)).toMatchObject({ pid: 999_002, final_output: 'second time lucky' });
    expect(service.repo.get(id)).toMatchObject({ status: 'interrupted' });
    expect(service.repo.retriesBefore(service.repo.get(retry!.id)!)).toBe(1);
  });

  it('no retry when the agent does not opt in, or its retries are used up', async () => {
    rig.model.script(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      return { text: 'late' };
    });
    const id = await runLeftBehind();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(survivor(0).markInterrupted()).toEqual([id]);
    expect(runsAfter(id)).toEqual([]);

    // With one retry allowed, a retry that is interrupted in turn gets none.
    const retryId = rig.repo.queueRetry(rig.repo.get(id)!, Date.now())!;
    const dying = new RunRepo(rig.db, 1);
    expect(dying.claimOne(retryId, 999_003, Date.now())).toBe(true);
    expect(dying.markRunning(retryId, Date.now(), 999_003)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(survivor(1).markInterrupted()).toEqual([retryId]);
    expect(runsAfter(retryId)).toEqual([]);
    expect(rig.repo.get(retryId)).toMatchObject({ status: 'interrupted', retry_of: id });
  });
});
