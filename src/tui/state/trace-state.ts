/**
 * The Trace screen's state: a bounded window of timeline items built from a run's events, a cursor, and
 * follow mode. Events arrive in pages from the store (opening at the tail, paging older or newer as the
 * user scrolls, the head or the tail directly on Home / End) and live from the client; at most `maxItems`
 * items are held, so a run with any number of events keeps memory bounded. Pure; tested without Ink.
 */
import type { EventPage, RunEventView } from '../client/station-client.js';
import { closeOpenCall, endedStatus, foldEvent, itemKey, type TraceItem } from './trace-items.js';
import { clamp, scrollIntoView } from './list-state.js';

export interface TraceState {
  runId: number | null;
  items: TraceItem[];
  /** Position of each item key in `items`. */
  keys: Map<string, number>;
  /** Seq range of the events held (0 when none). */
  minSeq: number;
  maxSeq: number;
  /** The store has events before minSeq / after maxSeq that are not held. */
  hasOlder: boolean;
  hasNewer: boolean;
  loaded: boolean;
  loading: TraceLoad | null;
  /**
   * Home asked for the run's first events while the window holds later ones: the head page is fetched by
   * seq (one query, whatever the run's length) and replaces the window, instead of paging back to it.
   */
  seekHead: boolean;
  follow: boolean;
  cursor: number;
  offset: number;
  /** The item whose full JSON is shown (by key), and the first line shown of it. */
  detail: { key: string; line: number } | null;
  maxItems: number;
  /** The run's final status once its run.finished event has been seen (kept when that item is paged out). */
  ended: string | null;
}

/** What the loader fetches: the last page, the first page, or the page before / after the window. */
export type TraceLoad = 'tail' | 'head' | 'older' | 'newer';

export const TRACE_MAX_ITEMS = 1000;
export const TRACE_PAGE = 300;

export function initialTraceState(runId: number | null = null, maxItems = TRACE_MAX_ITEMS): TraceState {
  return {
    runId,
    items: [],
    keys: new Map(),
    minSeq: 0,
    maxSeq: 0,
    hasOlder: false,
    hasNewer: false,
    loaded: false,
    loading: null,
    seekHead: false,
    follow: true,
    cursor: 0,
    offset: 0,
    detail: null,
    maxItems,
    ended: null,
  };
}

export type TraceAction =
  | { type: 'open'; runId: number }
  | { type: 'loading'; what: TraceLoad }
  | { type: 'page'; runId: number; what: TraceLoad; page: EventPage; height: number }
  | { type: 'load-failed' }
  | { type: 'resync' }
  | { type: 'live'; events: readonly RunEventView[]; height: number }
  | { type: 'move'; delta: number; height: number }
  | { type: 'page-move'; direction: 1 | -1; height: number }
  | { type: 'top' }
  | { type: 'bottom'; height: number }
  | { type: 'follow'; on: boolean; height: number }
  | { type: 'detail'; open: boolean }
  | { type: 'detail-scroll'; delta: number; lines: number; height: number };

function reindex(items: readonly TraceItem[]): Map<string, number> {
  return new Map(items.map((item, i) => [item.key, i]));
}

/** Folds events (ascending seq) into the items, appending new items at the end. */
function appendEvents(state: TraceState, events: readonly RunEventView[]): TraceState {
  const items = [...state.items];
  const keys = new Map(state.keys);
  let { minSeq, maxSeq } = state;
  for (const event of events) {
    if (event.seq <= maxSeq) continue;
    foldInto(items, keys, event);
    if (minSeq === 0) minSeq = event.seq;
    maxSeq = event.seq;
  }
  return { ...state, items, keys, minSeq, maxSeq };
}

/** Folds an older page (ascending seq, all < minSeq) in front of the items. */
function prependEvents(state: TraceState, events: readonly RunEventView[]): { state: TraceState; added: number } {
  const older = events.filter((e) => state.minSeq === 0 || e.seq < state.minSeq);
  if (older.length === 0) return { state, added: 0 };
  const front: TraceItem[] = [];
  const frontKeys = new Map<string, number>();
  const rest = [...state.items];
  for (const event of older) {
    const key = itemKey(event);
    const inFront = frontKeys.get(key);
    const inRest = state.keys.get(key);
    if (inFront !== undefined) front[inFront] = foldEvent(front[inFront], event);
    // The event belongs to an item already held (a tool call whose result is in the window).
    else if (inRest !== undefined) rest[inRest] = foldEvent(rest[inRest], event);
    else {
      frontKeys.set(key, front.length);
      front.push(foldEvent(undefined, event));
    }
  }
  const items = [...front, ...rest];
  const minSeq = older[0]?.seq ?? state.minSeq;
  const maxSeq = state.maxSeq === 0 ? (older.at(-1)?.seq ?? 0) : state.maxSeq;
  return { state: { ...state, items, keys: reindex(items), minSeq, maxSeq }, added: front.length };
}

function foldInto(items: TraceItem[], keys: Map<string, number>, event: RunEventView): void {
  const key = itemKey(event);
  const at = keys.get(key);
  if (at === undefined) {
    keys.set(key, items.length);
    items.push(foldEvent(undefined, event));
  } else {
    items[at] = foldEvent(items[at], event);
  }
}

/** Drops items from the front (following) or the back (browsing older) to keep at most maxItems. */
function trim(state: TraceState, from: 'front' | 'back'): TraceState {
  const excess = state.items.length - state.maxItems;
  if (excess <= 0) return state;
  if (from === 'front') {
    const items = state.items.slice(excess);
    return {
      ...state,
      items,
      keys: reindex(items),
      minSeq: items[0]?.firstSeq ?? state.minSeq,
      hasOlder: true,
      cursor: Math.max(0, state.cursor - excess),
      offset: Math.max(0, state.offset - excess),
    };
  }
  const items = state.items.slice(0, state.maxItems);
  return {
    ...state,
    items,
    keys: reindex(items),
    maxSeq: Math.max(...items.map((i) => i.lastSeq), 0),
    hasNewer: true,
    follow: false,
  };
}

function pinToEnd(state: TraceState, height: number): TraceState {
  const cursor = Math.max(0, state.items.length - 1);
  return { ...state, cursor, offset: scrollIntoView(state.offset, cursor, height, state.items.length) };
}

function moveCursor(state: TraceState, index: number, height: number): TraceState {
  const total = state.items.length;
  const cursor = total === 0 ? 0 : clamp(index, 0, total - 1);
  const atEnd = cursor >= total - 1 && !state.hasNewer;
  // Scrolling up leaves follow mode; reaching the end of the run's events again resumes it.
  const follow = index < state.cursor ? false : state.follow || atEnd;
  return { ...state, cursor, follow, offset: scrollIntoView(state.offset, cursor, height, total) };
}

/** Closes the calls left open by a run that has ended, whichever page brought the run.finished event. */
function settleOpenCalls(prev: TraceState, next: TraceState): TraceState {
  if (next.items === prev.items) return next;
  const ended = next.ended ?? next.items.map(endedStatus).find((s) => s !== null) ?? null;
  if (ended === null) return next;
  if (!next.items.some((i) => i.status === 'pending')) return ended === next.ended ? next : { ...next, ended };
  return { ...next, ended, items: next.items.map((i) => closeOpenCall(i, ended)) };
}

export function traceReducer(state: TraceState, action: TraceAction): TraceState {
  return settleOpenCalls(state, reduce(state, action));
}

function reduce(state: TraceState, action: TraceAction): TraceState {
  switch (action.type) {
    case 'open':
      if (action.runId === state.runId && state.loaded) return state;
      return initialTraceState(action.runId, state.maxItems);
    case 'loading':
      return { ...state, loading: action.what };
    case 'load-failed':
      return { ...state, loading: null, loaded: true };
    case 'resync':
      // Back after a lost connection: events may have been missed. Marked as having newer ones, the loader
      // pages them in from the store (the tail again while following); nothing loaded: the tail again.
      if (state.runId === null || !state.loaded) return state;
      if (state.items.length === 0) return initialTraceState(state.runId, state.maxItems);
      return { ...state, hasNewer: true };
    case 'page': {
      if (action.runId !== state.runId) return state;
      const { page } = action;
      if (action.what === 'tail') {
        const fresh = appendEvents(
          { ...initialTraceState(state.runId, state.maxItems), follow: state.follow },
          page.events,
        );
        const next = trim({ ...fresh, loaded: true, loading: null, hasOlder: page.hasOlder, hasNewer: false }, 'front');
        return pinToEnd(next, action.height);
      }
      if (action.what === 'head') {
        // End pressed while the head was on its way: the tail is wanted now, not this page.
        if (!state.seekHead) return { ...state, loading: null };
        const fresh = appendEvents(initialTraceState(state.runId, state.maxItems), page.events);
        return trim(
          { ...fresh, loaded: true, loading: null, hasOlder: page.hasOlder, hasNewer: page.hasNewer, follow: false },
          'back',
        );
      }
      if (action.what === 'newer') {
        const appended = appendEvents(state, page.events);
        let next: TraceState = { ...appended, loading: null, hasNewer: page.hasNewer };
        next = trim(next, 'front');
        return next.follow ? pinToEnd(next, action.height) : next;
      }
      const { state: prepended, added } = prependEvents(state, page.events);
      const next: TraceState = {
        ...prepended,
        loading: null,
        hasOlder: page.hasOlder,
        cursor: prepended.cursor + added,
        offset: prepended.offset + added,
      };
      return trim(next, 'back');
    }
    case 'live': {
      if (state.runId === null || !state.loaded) return state;
      const mine = action.events.filter((e) => e.runId === state.runId && e.seq > state.maxSeq);
      if (mine.length === 0) return state;
      // Live events only extend a window that holds the newest events with no gap; otherwise the
      // store is asked for the missing page (hasNewer) when the user gets there.
      if (state.hasNewer || (state.maxSeq !== 0 && (mine[0]?.seq ?? 0) > state.maxSeq + 1))
        return { ...state, hasNewer: true };
      if (!state.follow && state.items.length >= state.maxItems) return { ...state, hasNewer: true };
      const next = trim(appendEvents(state, mine), 'front');
      return next.follow ? pinToEnd(next, action.height) : next;
    }
    case 'move':
      return moveCursor(state, state.cursor + action.delta, action.height);
    case 'page-move':
      return moveCursor(state, state.cursor + action.direction * Math.max(1, action.height - 1), action.height);
    case 'top':
      return { ...state, cursor: 0, offset: 0, follow: false, seekHead: state.hasOlder };
    case 'bottom':
      return pinToEnd({ ...state, follow: true, seekHead: false }, action.height);
    case 'follow':
      return action.on ? pinToEnd({ ...state, follow: true }, action.height) : { ...state, follow: false };
    case 'detail': {
      const item = state.items[state.cursor];
      if (!action.open || item === undefined) return { ...state, detail: null };
      return { ...state, detail: { key: item.key, line: 0 } };
    }
    case 'detail-scroll': {
      if (state.detail === null) return state;
      const max = Math.max(0, action.lines - action.height);
      return { ...state, detail: { ...state.detail, line: clamp(state.detail.line + action.delta, 0, max) } };
    }
  }
}

/** What the hook feeding this state should fetch next, if anything. */
export function traceNeeds(state: TraceState, height: number): TraceLoad | null {
  if (state.runId === null || state.loading !== null) return null;
  if (!state.loaded) return 'tail';
  if (state.seekHead) return 'head';
  if (state.hasOlder && state.cursor < Math.max(3, Math.floor(height / 2))) return 'older';
  if (state.hasNewer && (state.follow || state.cursor >= state.items.length - Math.max(3, Math.floor(height / 2)))) {
    return state.follow ? 'tail' : 'newer';
  }
  return null;
}
