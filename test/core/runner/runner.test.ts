import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError, ExitCode } from '../../../src/core/errors.js';
import type { RunEvent, RunEventOf } from '../../../src/core/events/run-events.js';
import { QueueFullError, runExitCode } from '../../../src/core/runner/run-errors.js';
import { RunService } from '../../../src/core/runner/run-service.js';
import { eventsOf, makeRig, type Rig } from './rig.js';
import type { Db } from '../../../src/core/store/database.js';
import { TEST_ON_POSTGRES } from '../../helpers/stores.js';

let rig: Rig;
beforeAll(async () => {
  rig = await makeRig({ tap: true });
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => {
  rig.model.requests.length = 0;
  rig.model.script([]);
});

/** Resolves when the run publishes an event of this type. */
function waitForEvent(runId: number, type: RunEvent['type']): Promise<RunEvent> {
  const seen = rig.events.find((e) => e.runId === runId && e.type === type);
  if (seen !== undefined) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const off = rig.bus.subscribeRun(runId, (e) => {
      if (e.type !== type) return;
      off();
      resolve(e);
    });
  });
}

describe('the run queue', () => {
  it('times a run out, aborting the model request in flight', async () => {
    rig.model.script([{ text: 'too late', delayMs: 10_000 }]);
    const runner = rig.runner();
    // Long enough for the request to be sent first on a loaded machine (the MCP servers start before it).
    const handle = await runner.submit({ agent: 'slow', environment: 'default', input: {}, timeoutMs: 2000 });
    const result = await handle.done;
    expect(result).toMatchObject({ status: 'timed_out', stopReason: 'timeout', error: { code: 'timeout' } });
    expect(runExitCode(result)).toBe(ExitCode.RUN_TIMED_OUT);
    await rig.model.waitIdle();
    expect(rig.model.requests[0]!.closedEarly).toBe(true);
    expect(rig.repo.get(handle.runId)!.status).toBe('timed_out');
  });

  it('cancels a run waiting on the model: the HTTP request is closed', async () => {
    rig.model.script([{ text: 'never', delayMs: 10_000 }]);
    const runner = rig.runner();
    const handle = await runner.submit({ agent: 'slow', environment: 'default', input: {} });
    await rig.model.waitForRequests(1);
    expect(runner.cancel(handle.runId, 'stop it')).toBe(true);
    const result = await handle.done;
    expect(result).toMatchObject({
      status: 'cancelled',
      stopReason: 'cancelled',
      error: { code: 'cancelled', message: 'stop it' },
    });
    expect(runExitCode(result)).toBe(ExitCode.RUN_CANCELLED);
    await rig.model.waitIdle();
    expect(rig.model.requests[0]!.closedEarly).toBe(true);
  });

  it('cancels a run inside an MCP tool call: the server receives notifications/cancelled for that request', async () => {
    rig.model.script([
      {
        toolCalls: [
          { id: 'c_long', name: 'everything__trigger-long-running-operation', arguments: { duration: 30, steps: 30 } },
        ],
      },
    ]);
    const runner = rig.runner({ plan: { tools: ['everything__trigger-long-running-operation'] } });
    const handle = await runner.submit({ agent: 'long', environment: 'default', input: {} });
    await waitForEvent(handle.runId, 'tool.started');
    // Cancel once the call is on the wire (a request not yet sent is dropped without telling the server).
    const isLongCall = (l: WireLine): boolean =>
      l.method === 'tools/call' && (l.params as { name: string }).name === 'trigger-long-running-operation';
    await waitForWire((lines) => lines.some(isLongCall));
    runner.cancel(handle.runId, 'user pressed c');
    const result = await handle.done;
    expect(result.status).toBe('cancelled');

    const finished = eventsOf(rig, handle.runId, 'tool.finished')[0] as RunEventOf<'tool.finished'>;
    expect(finished.data).toMatchObject({ callId: 'c_long', isError: true, error: 'user pressed c' });
    const wire = await waitForWire((lines) => lines.some((l) => l.method === 'notifications/cancelled'));
    const call = wire.find(isLongCall)!;
    const cancel = wire.find((l) => l.method === 'notifications/cancelled')!;
    expect((cancel.params as { requestId: unknown }).requestId).toBe(call.id);
  });

  it('refuses runs beyond the queue size with QueueFullError (exit code 14)', async () => {
    rig.model.script(() => ({ text: 'slow answer', delayMs: 400 }));
    const runner = rig.runner({ workers: 1, queueSize: 1, plan: { tools: [] } });
    const first = await runner.submit({ agent: 'a', environment: 'default', input: {} });
    const second = await runner.submit({ agent: 'a', environment: 'default', input: {} });
    expect(runner.runningCount).toBe(1);
    expect(runner.queuedCount).toBe(1);
    const error = await runner.submit({ agent: 'a', environment: 'default', input: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect((error as QueueFullError).exitCode).toBe(ExitCode.QUEUE_FULL);
    expect((await first.done).status).toBe('completed');
    expect((await second.done).status).toBe('completed');
    // The second waited for the first: it started only after the first finished.
    const firstEnd = Date.parse(eventsOf(rig, first.runId, 'run.finished')[0]!.ts);
    const secondStart = Date.parse(eventsOf(rig, second.runId, 'run.started')[0]!.ts);
    expect(secondStart).toBeGreaterThanOrEqual(firstEnd);
  });

  it('shuts down gracefully: queued runs cancelled, running ones finish within the grace period', async () => {
    rig.model.script(() => ({ text: 'answer', delayMs: 300 }));
    const runner = rig.runner({ workers: 1, plan: { tools: [] } });
    const running = await runner.submit({ agent: 'a', environment: 'default', input: {} });
    const queued = await runner.submit({ agent: 'a', environment: 'default', input: {} });
    await rig.model.waitForRequests(1);
    await runner.shutdown({ graceMs: 5000 });
    expect(await running.done).toMatchObject({ status: 'completed' });
    expect(await queued.done).toMatchObject({ status: 'cancelled', stopReason: 'shutdown' });
    await expect(runner.submit({ agent: 'a', environment: 'default', input: {} })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('shuts down gracefully: runs still going after the grace period are cancelled', async () => {
    rig.model.script(() => ({ text: 'answer', delayMs: 10_000 }));
    const runner = rig.runner({ plan: { tools: [] } });
    const running = await runner.submit({ agent: 'a', environment: 'default', input: {} });
    await rig.model.waitForRequests(1);
    await runner.shutdown({ graceMs: 100 });
    expect(await running.done).toMatchObject({ status: 'cancelled', stopReason: 'shutdown' });
    expect(rig.repo.get(running.runId)!.status).toBe('cancelled');
  });

  it('cancels a run when another process asks through the database', async () => {
    rig.model.script(() => ({ text: 'answer', delayMs: 10_000 }));
    const runner = rig.runner({ plan: { tools: [] } });
    const handle = await runner.submit({ agent: 'a', environment: 'default', input: {} });
    await rig.model.waitForRequests(1);
    // Another process: a RunService over the same database, with no runner of its own.
    const other = new RunService(rig.db, () => undefined, {
      pid: 1,
      startedAt: 0,
      alive: () => true,
      startTime: () => undefined,
    });
    const requested = other.cancel(handle.runId, 'cancelled over REST by key "ci"');
    expect(requested.outcome).toBe('requested');
    // While it waits, the row says who asked.
    expect(requested.run.error).toEqual({ code: 'cancel_requested', message: 'cancelled over REST by key "ci"' });
    expect(await handle.done).toMatchObject({
      status: 'cancelled',
      error: { message: 'cancelled over REST by key "ci"' },
    });
  });

  it('a run another process ended meanwhile (its lease ran out) is stopped here, and its end is not overwritten', async () => {
    rig.model.script(() => ({ text: 'answer', delayMs: 10_000 }));
    const runner = rig.runner({ plan: { tools: [] } });
    const handle = await runner.submit({ agent: 'a', environment: 'default', input: {} });
    await rig.model.waitForRequests(1);
    // Another server marks it interrupted, as it does when the lease of the process running it ran out.
    const ended = rig.repo.finishOrphans((r) => r.id === handle.runId, {
      status: 'interrupted',
      stopReason: 'interrupted',
      error: () => ({ code: 'interrupted', message: 'its lease ran out' }),
    });
    expect(ended).toEqual([handle.runId]);
    const result = await handle.done;
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/ended by another process meanwhile \(it is interrupted\)/);
    expect(rig.repo.get(handle.runId)).toMatchObject({ status: 'interrupted', stop_reason: 'interrupted' });
    const finished = rig.repo.events(handle.runId).filter((e) => e.type === 'run.finished');
    expect(finished.map((e) => (e.data as { status: string }).status)).toEqual(['interrupted']);
  });

  it('never writes the API key to events or the database', async () => {
    rig.model.script([{ toolCalls: [{ name: 'fs__list_directory', arguments: { path: rig.files } }] }, { text: 'ok' }]);
    const handle = await rig.runner().submit({ agent: 'a', environment: 'default', input: {} });
    await handle.done;
    expect(rig.model.requests[0]!.headers.authorization).toBe('Bearer sk-rig-secret-key');
    expect(JSON.stringify(rig.events)).not.toContain('sk-rig-secret-key');
    if (TEST_ON_POSTGRES) {
      // Every text the run wrote: its row and its events.
      const found = rig.db
        .prepare(
          `SELECT (SELECT COUNT(*) FROM run_events WHERE data_json LIKE ?) +
                  (SELECT COUNT(*) FROM agent_runs WHERE input_json || COALESCE(final_output, '') || COALESCE(error, '') LIKE ?) AS n`,
        )
        .get('%sk-rig-secret-key%', '%sk-rig-secret-key%') as { n: number };
      expect(found.n).toBe(0);
    } else {
      (rig.db as Db).pragma('wal_checkpoint(TRUNCATE)');
      expect(readFileSync(join(rig.dir, 'station.db')).includes('sk-rig-secret-key')).toBe(false);
    }
  });
});

interface WireLine {
  method?: string;
  id?: unknown;
  params?: unknown;
}

/** The JSON-RPC lines the client sent to server-everything, once `ready` holds. */
async function waitForWire(ready: (lines: WireLine[]) => boolean): Promise<WireLine[]> {
  return vi.waitFor(
    () => {
      const lines = readFileSync(rig.wireLog!, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as WireLine);
      if (!ready(lines)) throw new Error(`the wire log does not show it yet: ${lines.map((l) => l.method).join(', ')}`);
      return lines;
    },
    { timeout: 10_000, interval: 50 },
  );
}
