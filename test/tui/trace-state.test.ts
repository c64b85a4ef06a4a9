import { describe, expect, it } from 'vitest';
import {
  initialTraceState,
  traceNeeds,
  traceReducer,
  type TraceAction,
  type TraceState,
} from '../../src/tui/state/trace-state.js';
import type { RunEventView } from '../../src/tui/client/station-client.js';
import { pageOf, scriptedRun } from './helpers/events.js';

const H = 10;
const apply = (s: TraceState, ...actions: TraceAction[]): TraceState => actions.reduce(traceReducer, s);

describe('trace state', () => {
  it('opens at the tail of a run, follows, and appends live events', () => {
    const all = scriptedRun(5, 3, { finished: false });
    let s = initialTraceState(5);
    expect(traceNeeds(s, H)).toBe('tail');
    s = apply(
      s,
      { type: 'loading', what: 'tail' },
      { type: 'page', runId: 5, what: 'tail', page: pageOf(all.slice(0, 6), all), height: H },
    );
    expect(s.items.length).toBe(5);
    expect(s.follow).toBe(true);
    expect(s.cursor).toBe(4);
    s = apply(s, { type: 'live', events: all.slice(6), height: H });
    expect(s.maxSeq).toBe(all.length);
    expect(s.cursor).toBe(s.items.length - 1);
    expect(traceNeeds(s, H)).toBeNull();
  });

  it('ignores live events of other runs, duplicates, and events before the first page', () => {
    const all = scriptedRun(5, 1);
    const loaded = apply(initialTraceState(5), {
      type: 'page',
      runId: 5,
      what: 'tail',
      page: pageOf(all, all),
      height: H,
    });
    expect(apply(loaded, { type: 'live', events: scriptedRun(6, 1), height: H })).toBe(loaded);
    expect(apply(loaded, { type: 'live', events: all.slice(2), height: H })).toBe(loaded);
    expect(apply(initialTraceState(5), { type: 'live', events: all, height: H }).items).toHaveLength(0);
  });

  it('a gap in live events marks newer events to fetch instead of showing a hole', () => {
    const all = scriptedRun(5, 5);
    let s = apply(initialTraceState(5), {
      type: 'page',
      runId: 5,
      what: 'tail',
      page: pageOf(all.slice(0, 5), all),
      height: H,
    });
    s = apply(s, { type: 'live', events: all.slice(8, 10), height: H });
    expect(s.hasNewer).toBe(true);
    expect(s.maxSeq).toBe(5);
    expect(traceNeeds(s, H)).toBe('tail');
  });

  it('scrolling up leaves follow mode; going to the end resumes it', () => {
    const all = scriptedRun(5, 10, { finished: false });
    let s = apply(initialTraceState(5), {
      type: 'page',
      runId: 5,
      what: 'tail',
      page: pageOf(all.slice(0, 20), all),
      height: H,
    });
    const cursor = s.cursor;
    s = apply(s, { type: 'move', delta: -3, height: H });
    expect(s.follow).toBe(false);
    s = apply(s, { type: 'live', events: all.slice(20, 24), height: H });
    expect(s.cursor).toBe(cursor - 3);
    expect(s.items.length).toBeGreaterThan(cursor + 1);
    s = apply(s, { type: 'bottom', height: H });
    expect(s.follow).toBe(true);
    expect(s.cursor).toBe(s.items.length - 1);
    s = apply(s, { type: 'follow', on: false, height: H });
    expect(s.follow).toBe(false);
  });

  it('holds at most maxItems: following drops the oldest and pages them back in when scrolled to', () => {
    const all = scriptedRun(9, 500);
    const max = 100;
    let s = initialTraceState(9, max);
    s = apply(s, { type: 'page', runId: 9, what: 'tail', page: pageOf(all.slice(-300), all), height: H });
    expect(s.items.length).toBeLessThanOrEqual(max);
    expect(s.hasOlder).toBe(true);
    const firstKey = s.items[0]!.key;
    // Scrolled up to the first item held.
    s = apply(s, { type: 'move', delta: -s.cursor, height: H });
    expect(traceNeeds(s, H)).toBe('older');
    const older = all.filter((e) => e.seq < s.minSeq).slice(-50);
    s = apply(s, { type: 'page', runId: 9, what: 'older', page: pageOf(older, all), height: H });
    expect(s.items.length).toBeLessThanOrEqual(max);
    // The cursor stays on the item it was on, now further down.
    expect(s.items[s.cursor]!.key).toBe(firstKey);
    expect(s.hasNewer).toBe(true);
    expect(s.follow).toBe(false);
    // Keys stay consistent with positions after the prepend and the trim.
    for (const [key, index] of s.keys) expect(s.items[index]!.key).toBe(key);
  });

  it('pages newer events in when scrolled back down, then follows again at the end', () => {
    const all = scriptedRun(9, 100);
    const max = 60;
    let s = initialTraceState(9, max);
    s = apply(s, { type: 'page', runId: 9, what: 'tail', page: pageOf(all.slice(-100), all), height: H });
    s = apply(s, { type: 'move', delta: -s.cursor, height: H });
    s = apply(s, {
      type: 'page',
      runId: 9,
      what: 'older',
      page: pageOf(all.filter((e) => e.seq < s.minSeq).slice(-100), all),
      height: H,
    });
    expect(s.hasNewer).toBe(true);
    s = apply(s, { type: 'bottom', height: H });
    expect(traceNeeds(s, H)).toBe('tail');
    s = apply(s, { type: 'page', runId: 9, what: 'tail', page: pageOf(all.slice(-100), all), height: H });
    expect(s.hasNewer).toBe(false);
    expect(s.items.at(-1)!.title).toBe('run.finished completed');
  });

  it('Home on a long run asks for the first page by seq (not page by page back) and End for the last', () => {
    const all = scriptedRun(9, 2500);
    let s = initialTraceState(9);
    s = apply(s, { type: 'page', runId: 9, what: 'tail', page: pageOf(all.slice(-300), all), height: H });
    expect(s.hasOlder).toBe(true);
    s = apply(s, { type: 'top' });
    expect(traceNeeds(s, H)).toBe('head');
    // Keys pressed while the head is on its way do not turn it into paging back.
    s = apply(s, { type: 'loading', what: 'head' }, { type: 'move', delta: 1, height: H });
    expect(traceNeeds(s, H)).toBeNull();
    s = apply(s, { type: 'page', runId: 9, what: 'head', page: pageOf(all.slice(0, 300), all), height: H });
    expect(s.items[0]!.title).toBe('run.queued');
    expect(s.cursor).toBe(0);
    expect(s.offset).toBe(0);
    expect(s.follow).toBe(false);
    expect([s.minSeq, s.maxSeq, s.hasOlder, s.hasNewer]).toEqual([1, 300, false, true]);
    for (const [key, index] of s.keys) expect(s.items[index]!.key).toBe(key);
    expect(traceNeeds(s, H)).toBeNull();
    // At the head already: Home again asks for nothing.
    expect(traceNeeds(apply(s, { type: 'top' }), H)).toBeNull();

    s = apply(s, { type: 'bottom', height: H });
    expect(traceNeeds(s, H)).toBe('tail');
    s = apply(s, { type: 'page', runId: 9, what: 'tail', page: pageOf(all.slice(-300), all), height: H });
    expect(s.items.at(-1)!.title).toBe('run.finished completed');
    expect(s.follow).toBe(true);
  });

  it('End pressed while the head page is on its way: the late head page is dropped, the tail is asked for', () => {
    const all = scriptedRun(9, 500);
    let s = apply(initialTraceState(9), {
      type: 'page',
      runId: 9,
      what: 'tail',
      page: pageOf(all.slice(-300), all),
      height: H,
    });
    const window = s.items;
    s = apply(s, { type: 'top' }, { type: 'loading', what: 'head' }, { type: 'bottom', height: H });
    s = apply(s, { type: 'page', runId: 9, what: 'head', page: pageOf(all.slice(0, 300), all), height: H });
    expect(s.items).toBe(window);
    expect(s.loading).toBeNull();
    expect(s.follow).toBe(true);
    expect(traceNeeds(s, H)).toBeNull();
  });

  it('a model call and its tool call split across pages meet in one item', () => {
    const all = scriptedRun(3, 2);
    const toolStarted = all.findIndex((e) => e.type === 'tool.started');
    let s = apply(initialTraceState(3), {
      type: 'page',
      runId: 3,
      what: 'tail',
      page: pageOf(all.slice(toolStarted + 1), all),
      height: H,
    });
    const toolItems = s.items.filter((i) => i.kind === 'tool').length;
    s = apply(s, {
      type: 'page',
      runId: 3,
      what: 'older',
      page: pageOf(all.slice(0, toolStarted + 1), all),
      height: H,
    });
    expect(s.items.filter((i) => i.kind === 'tool').length).toBe(toolItems);
    expect(s.items.find((i) => i.kind === 'tool')!.events.map((e) => e.type)).toEqual([
      'tool.started',
      'tool.finished',
    ]);
  });

  it('the detail view opens on the selected item and scrolls within its lines', () => {
    const all = scriptedRun(3, 1);
    let s = apply(initialTraceState(3), { type: 'page', runId: 3, what: 'tail', page: pageOf(all, all), height: H });
    s = apply(s, { type: 'detail', open: true });
    expect(s.detail).toEqual({ key: s.items[s.cursor]!.key, line: 0 });
    s = apply(s, { type: 'detail-scroll', delta: 100, lines: 30, height: 10 });
    expect(s.detail?.line).toBe(20);
    s = apply(s, { type: 'detail', open: false });
    expect(s.detail).toBeNull();
  });

  it('a page for another run (a late answer after switching runs) is ignored', () => {
    const s = initialTraceState(2);
    expect(
      apply(s, { type: 'page', runId: 1, what: 'tail', page: pageOf(scriptedRun(1, 1), scriptedRun(1, 1)), height: H }),
    ).toBe(s);
  });

  it('a run that ends with a tool call open closes that call as cancelled, live or paged', () => {
    // Two tool steps; the run is cancelled while the second tool call runs.
    const started = scriptedRun(8, 2, { finished: false }).slice(0, 10);
    expect(started.at(-1)?.type).toBe('tool.started');
    const finished = {
      runId: 8,
      seq: 11,
      ts: new Date().toISOString(),
      type: 'run.finished',
      data: {
        status: 'cancelled',
        stopReason: 'cancelled',
        output: null,
        error: { code: 'cancelled', message: 'cancelled from the TUI by local:ann' },
        steps: 2,
        toolCalls: 2,
        tokens: { input: 10, output: 5, total: 15 },
        durationMs: 40,
      },
    } as RunEventView;
    const all = [...started, finished];
    const open = apply(initialTraceState(8), {
      type: 'page',
      runId: 8,
      what: 'tail',
      page: pageOf(started, started),
      height: H,
    });
    const pending = open.items.find((i) => i.key === 'tool:2:call_2');
    expect(pending?.status).toBe('pending');
    expect(open.ended).toBeNull();

    const live = apply(open, { type: 'live', events: [finished], height: H });
    const closed = live.items.find((i) => i.key === 'tool:2:call_2');
    expect(closed?.status).toBe('cancelled');
    expect(closed?.note).toBe('never finished: the run ended cancelled');
    expect(live.ended).toBe('cancelled');
    expect(live.items.some((i) => i.status === 'pending')).toBe(false);

    // Opened after the end, with the open call in an older page than the run.finished event.
    let paged = apply(initialTraceState(8), {
      type: 'page',
      runId: 8,
      what: 'tail',
      page: pageOf(all.slice(10), all),
      height: H,
    });
    expect(paged.ended).toBe('cancelled');
    paged = apply(paged, { type: 'page', runId: 8, what: 'older', page: pageOf(all.slice(0, 10), all), height: H });
    expect(paged.items.find((i) => i.key === 'tool:2:call_2')?.status).toBe('cancelled');
  });

  it('a model call left waiting by a timed-out run is closed too; a finished call keeps its status', () => {
    const events = scriptedRun(9, 1, { finished: false }).slice(0, 8);
    expect(events.at(-1)?.type).toBe('model.request');
    const end = {
      runId: 9,
      seq: 9,
      ts: new Date().toISOString(),
      type: 'run.finished',
      data: {
        status: 'timed_out',
        stopReason: 'timeout',
        output: null,
        error: { code: 'timeout', message: 'the run timed out after 1s' },
        steps: 2,
        toolCalls: 1,
        tokens: { input: 10, output: 5, total: 15 },
        durationMs: 1000,
      },
    } as RunEventView;
    const s = apply(initialTraceState(9), {
      type: 'page',
      runId: 9,
      what: 'tail',
      page: pageOf([...events, end], [...events, end]),
      height: H,
    });
    expect(s.items.find((i) => i.key === 'model:2')).toMatchObject({
      status: 'cancelled',
      note: 'never finished: the run ended timed out',
    });
    expect(s.items.find((i) => i.key === 'model:1')?.status).toBe('ok');
    expect(s.items.find((i) => i.key === 'tool:1:call_1')?.status).toBe('ok');
  });

  it('after a reconnect (resync) it pages in what it missed: the tail when following, else what follows', () => {
    const all = scriptedRun(5, 3);
    const upTo = 6;
    const held = apply(initialTraceState(5), {
      type: 'page',
      runId: 5,
      what: 'tail',
      page: pageOf(all.slice(0, upTo), all.slice(0, upTo)),
      height: H,
    });
    expect(traceNeeds(held, H)).toBeNull();
    // Following: the newest page again.
    let s = apply(held, { type: 'resync' });
    expect(traceNeeds(s, H)).toBe('tail');
    s = apply(
      s,
      { type: 'loading', what: 'tail' },
      { type: 'page', runId: 5, what: 'tail', page: pageOf(all, all), height: H },
    );
    expect(s.maxSeq).toBe(all.length);
    expect(traceNeeds(s, H)).toBeNull();
    // Scrolled back near the end: the events after the newest one held.
    s = apply(held, { type: 'follow', on: false, height: H }, { type: 'resync' });
    expect(traceNeeds(s, H)).toBe('newer');
    s = apply(
      s,
      { type: 'loading', what: 'newer' },
      { type: 'page', runId: 5, what: 'newer', page: pageOf(all.slice(upTo), all), height: H },
    );
    expect(s.maxSeq).toBe(all.length);
    // A trace that could not be loaded at all while disconnected opens at the tail again.
    const failed = apply(initialTraceState(5), { type: 'loading', what: 'tail' }, { type: 'load-failed' });
    expect(traceNeeds(apply(failed, { type: 'resync' }), H)).toBe('tail');
  });
});
