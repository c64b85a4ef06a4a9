import { describe, expect, it } from 'vitest';
import { foldEvent, itemKey, type TraceItem } from '../../src/tui/state/trace-items.js';
import { scriptedRun } from './helpers/events.js';

function foldAll(events: ReturnType<typeof scriptedRun>): TraceItem[] {
  const items = new Map<string, TraceItem>();
  for (const e of events) items.set(itemKey(e), foldEvent(items.get(itemKey(e)), e));
  return [...items.values()];
}

describe('trace items', () => {
  it('one item per model call, per tool call and per lifecycle event', () => {
    const items = foldAll(scriptedRun(1, 2));
    expect(items.map((i) => `${i.kind}:${i.title}`)).toEqual([
      'run:run.queued',
      'run:run.started',
      'other:tools.ready',
      'model:model test-model',
      'tool:fs__read',
      'model:model test-model',
      'tool:fs__read',
      'model:model test-model',
      'run:run.finished completed',
    ]);
  });

  it('a model item carries latency, tokens and the tool calls it asked for', () => {
    const model = foldAll(scriptedRun(1, 2))[3]!;
    expect(model).toMatchObject({ step: 1, status: 'ok', durationMs: 12, tokensIn: 10, tokensOut: 5 });
    expect(model.note).toBe('1 tool call: fs__read');
    expect(model.result).toEqual([{ id: 'call_1', name: 'fs__read', arguments: { path: '/f1' } }]);
    expect(model.events.map((e) => e.type)).toEqual(['model.request', 'model.response']);
  });

  it('a tool item carries arguments, result, duration, and its error', () => {
    const items = foldAll(scriptedRun(1, 7));
    const ok = items.find((i) => i.kind === 'tool')!;
    expect(ok).toMatchObject({
      title: 'fs__read',
      args: { path: '/f1' },
      result: 'content of f1',
      durationMs: 3,
      status: 'ok',
      error: null,
    });
    const failed = items.filter((i) => i.kind === 'tool')[6]!;
    expect(failed).toMatchObject({ status: 'error', error: 'ENOENT: no such file' });
  });

  it('a call still going is pending; folding the halves in either order gives the same item', () => {
    const events = scriptedRun(1, 1);
    const started = events.find((e) => e.type === 'tool.started')!;
    const finished = events.find((e) => e.type === 'tool.finished')!;
    expect(foldEvent(undefined, started).status).toBe('pending');
    const forward = foldEvent(foldEvent(undefined, started), finished);
    const backward = foldEvent(foldEvent(undefined, finished), started);
    expect(backward).toEqual(forward);
  });

  it('run.finished summarises status, stop reason and counts', () => {
    const last = foldAll(scriptedRun(1, 2)).at(-1)!;
    expect(last.note).toBe('final_answer · 3 steps · 2 tool calls · All done.');
    expect(last.status).toBe('ok');
  });
});
