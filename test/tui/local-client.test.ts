import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Application, localPrincipal } from '../../src/core/index.js';
import { LocalClient } from '../../src/tui/client/local-client.js';
import type { ClientUpdate, RunEventView, RunView } from '../../src/tui/client/station-client.js';
import { holdDatabaseLock, releaseAllLocks } from '../helpers/db-lock.js';
import { toolLoop } from '../helpers/model-server.js';
import { recordBigRun } from './helpers/big-run.js';
import { makeStation, type TuiStation } from './helpers/station.js';

function collect(station: TuiStation): { events: RunEventView[]; runs: RunView[]; stop: () => void } {
  const events: RunEventView[] = [];
  const runs: RunView[] = [];
  const stop = station.client.subscribe((u: ClientUpdate) => {
    if (u.kind === 'events') events.push(...u.events);
    if (u.kind === 'runs') runs.push(...u.runs);
  });
  return { events, runs, stop };
}

function typesOf(events: readonly RunEventView[], runId: number): string[] {
  return events.filter((e) => e.runId === runId).map((e) => e.type);
}

describe('local client (engine in this process, event store followed with a cursor)', { timeout: 90_000 }, () => {
  let station: TuiStation | undefined;
  afterEach(async () => {
    await releaseAllLocks();
    await station?.close();
    station = undefined;
  });

  it('hands out each event of a run once, in order, whether it came from the bus or the store', async () => {
    station = await makeStation();
    station.model.script(
      toolLoop({ tool: 'filesystem__list_directory', args: { path: station.files }, steps: 2, finalText: 'done' }),
    );
    const seen = collect(station);
    const run = await station.client.startRun('default', 'lister', { path: station.files });
    await expect.poll(() => typesOf(seen.events, run.id), { timeout: 20_000 }).toContain('run.finished');
    // The store has the same events; polling it again hands out nothing new.
    station.client.poll();
    station.client.poll();
    const seqs = seen.events.filter((e) => e.runId === run.id).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seqs.length).toBe(station.engine.runs.repo.lastSeq(run.id));
    expect(seen.runs.filter((r) => r.id === run.id).at(-1)?.status).toBe('completed');
    seen.stop();
  });

  it('follows runs written by another process through the store, with their rows', async () => {
    station = await makeStation();
    station.model.script(
      toolLoop({ tool: 'filesystem__list_directory', args: { path: station.files }, steps: 1, finalText: 'ok' }),
    );
    const seen = collect(station);
    const other = await station.otherProcess().runner();
    const handle = await other.submit({ agent: 'lister', environment: 'default', input: { path: station.files } });
    await handle.done;
    await expect.poll(() => typesOf(seen.events, handle.runId), { timeout: 20_000 }).toContain('run.finished');
    const seqs = seen.events.filter((e) => e.runId === handle.runId).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const statuses = seen.runs.filter((r) => r.id === handle.runId).map((r) => r.status);
    expect(statuses.at(-1)).toBe('completed');
    seen.stop();
  });

  it('starts and cancels runs through the application layer: audited as the local user', async () => {
    station = await makeStation();
    // The model takes its time: the run is still going when it is cancelled.
    station.model.script([{ delayMs: 60_000, text: 'too late' }]);
    const seen = collect(station);
    const run = await station.client.startRun('default', 'lister', { path: station.files });
    await expect.poll(() => station?.model.inFlight, { timeout: 20_000, message: 'the model request' }).toBe(1);
    await station.client.cancelRun(run.id);
    await expect
      .poll(() => seen.events.some((e) => e.runId === run.id && e.type === 'run.finished'), { timeout: 20_000 })
      .toBe(true);
    expect(seen.runs.filter((r) => r.id === run.id).at(-1)?.status).toBe('cancelled');
    const actor = localPrincipal(station.engine.env).name;
    expect(actor).toMatch(/^local:./);
    const audit = station.engine.keys
      .auditLog(10)
      .map(({ actor, action, target }) => ({ actor, action, target }))
      .reverse();
    expect(audit).toEqual([
      { actor, action: 'run.start', target: String(run.id) },
      { actor, action: 'run.cancel', target: String(run.id) },
    ]);
    seen.stop();
  });

  it('pages a run: the tail, the page before, the page after, with older/newer flags', async () => {
    station = await makeStation();
    const { runId, events } = recordBigRun(station.engine, 100);
    const tail = await station.client.runEvents(runId, { tail: true, limit: 50 });
    expect(tail.events.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => events - 49 + i));
    expect(tail).toMatchObject({ hasOlder: true, hasNewer: false });
    const before = await station.client.runEvents(runId, { before: events - 49, limit: 50 });
    expect(before.events.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => events - 99 + i));
    const first = await station.client.runEvents(runId, { before: 10, limit: 50 });
    expect(first.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(first.hasOlder).toBe(false);
    const after = await station.client.runEvents(runId, { after: 10, limit: 5 });
    expect(after.events.map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
    expect(after).toMatchObject({ hasOlder: true, hasNewer: true });
    await expect(station.client.runEvents(999_999, { tail: true, limit: 5 })).rejects.toThrow(
      'run 999999 does not exist',
    );
  });

  it('keeps reading while another process holds the database write lock, also when opened under it', async () => {
    station = await makeStation();
    const { runId, events } = recordBigRun(station.engine, 5);
    const lock = await holdDatabaseLock(station.home.paths.database);
    // A file changed while the index cannot be written: served from the file.
    writeFileSync(
      join(station.home.paths.environments, 'default', 'agents', 'late.prompt'),
      '---\nmetadata:\n  name: late\n  description: Came while locked.\n---\nHi\n',
    );
    const opened = new LocalClient(new Application(station.otherProcess()), { pollMs: 50 });
    try {
      for (const client of [station.client, opened]) {
        expect((await client.environments()).map((e) => e.name)).toEqual(['default']);
        expect((await client.agents('default')).map((a) => a.name)).toEqual([
          'file-explorer',
          'hello',
          'late',
          'lister',
        ]);
        expect((await client.agent('default', 'late')).description).toBe('Came while locked.');
        expect((await client.runs({})).map((r) => r.id)).toEqual([runId]);
        expect((await client.run(runId)).status).toBe('completed');
        expect((await client.runEvents(runId, { tail: true, limit: 5 })).events.at(-1)?.seq).toBe(events);
      }
    } finally {
      await opened.close();
      await lock.release();
    }
  });
});
