import { describe, expect, it } from 'vitest';
import { Coalescer, mergeUpdates, type Timers, type UpdateBatch } from '../../src/tui/hooks/coalescer.js';
import { scriptedRun } from './helpers/events.js';

function manualTimers(): Timers & { fire(): void; pending: number } {
  let fn: (() => void) | undefined;
  return {
    setTimeout: (f) => {
      fn = f;
      return 1;
    },
    clearTimeout: () => {
      fn = undefined;
    },
    fire: () => {
      const f = fn;
      fn = undefined;
      f?.();
    },
    get pending() {
      return fn === undefined ? 0 : 1;
    },
  };
}

describe('coalescer', () => {
  it('a burst of updates becomes one batch, in order', () => {
    const timers = manualTimers();
    const batches: UpdateBatch[] = [];
    const c = new Coalescer((b) => batches.push(b), 50, timers);
    const events = scriptedRun(1, 50);
    for (const e of events) c.push({ kind: 'events', events: [e] });
    expect(batches).toHaveLength(0);
    expect(timers.pending).toBe(1);
    timers.fire();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.events.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    c.push({ kind: 'events', events: [events[0]!] });
    timers.fire();
    expect(batches).toHaveLength(2);
  });

  it('keeps the last version of each run and the last connection change', () => {
    const run = { id: 1, status: 'queued' } as never;
    const later = { id: 1, status: 'running' } as never;
    const batch = mergeUpdates([
      { kind: 'runs', runs: [run] },
      { kind: 'connection', ok: false, error: 'down' },
      { kind: 'runs', runs: [later] },
    ]);
    expect(batch.runs).toEqual([later]);
    expect(batch.connection).toEqual({ ok: false, error: 'down', retryAt: null });
  });

  it('stop drops what is pending', () => {
    const timers = manualTimers();
    const batches: UpdateBatch[] = [];
    const c = new Coalescer((b) => batches.push(b), 50, timers);
    c.push({ kind: 'events', events: [] });
    c.stop();
    timers.fire();
    expect(batches).toHaveLength(0);
  });
});
