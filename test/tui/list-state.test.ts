import { describe, expect, it } from 'vitest';
import {
  initialListState,
  listReducer,
  listWindow,
  matchesFilter,
  scrollIntoView,
  type ListAction,
  type ListState,
} from '../../src/tui/state/list-state.js';

const apply = (s: ListState, ...actions: ListAction[]): ListState => actions.reduce(listReducer, s);

describe('list state', () => {
  it('moves the cursor within bounds and scrolls only when it leaves the window', () => {
    let s = apply(initialListState, { type: 'move', delta: 1, total: 100, height: 10 });
    expect(s).toMatchObject({ cursor: 1, offset: 0 });
    s = apply(s, ...Array.from({ length: 9 }, () => ({ type: 'move', delta: 1, total: 100, height: 10 }) as const));
    expect(s).toMatchObject({ cursor: 10, offset: 1 });
    s = apply(s, { type: 'move', delta: -5, total: 100, height: 10 });
    expect(s).toMatchObject({ cursor: 5, offset: 1 });
    s = apply(s, { type: 'move', delta: -50, total: 100, height: 10 });
    expect(s).toMatchObject({ cursor: 0, offset: 0 });
  });

  it('pages, and goes to the top and the bottom', () => {
    let s = apply(initialListState, { type: 'page', direction: 1, total: 100, height: 10 });
    expect(s.cursor).toBe(9);
    s = apply(s, { type: 'bottom', total: 100, height: 10 });
    expect(s).toMatchObject({ cursor: 99, offset: 90 });
    s = apply(s, { type: 'top' });
    expect(s).toMatchObject({ cursor: 0, offset: 0 });
  });

  it('the window is the visible slice only, even for a huge list', () => {
    const s = apply(initialListState, { type: 'select', index: 5000, total: 10_000, height: 20 });
    expect(listWindow(s, 10_000, 20)).toEqual({ start: 4981, end: 5001, cursor: 5000 });
  });

  it('the window stays valid when the list shrinks (filter) or the height changes (resize)', () => {
    const s = apply(initialListState, { type: 'select', index: 50, total: 100, height: 10 });
    expect(listWindow(s, 5, 10)).toEqual({ start: 0, end: 5, cursor: 4 });
    expect(listWindow(s, 100, 30)).toEqual({ start: 41, end: 71, cursor: 50 });
    expect(listWindow(s, 0, 10)).toEqual({ start: 0, end: 0, cursor: 0 });
    expect(scrollIntoView(95, 99, 10, 100)).toBe(90);
  });

  it('filter: typing resets the cursor; keep ends typing; clear empties it', () => {
    let s = apply(initialListState, { type: 'select', index: 4, total: 10, height: 5 }, { type: 'filter-start' });
    expect(s.filtering).toBe(true);
    s = apply(s, { type: 'filter-set', text: 'abc' });
    expect(s).toMatchObject({ filter: 'abc', cursor: 0, filtering: true });
    s = apply(s, { type: 'filter-keep' });
    expect(s).toMatchObject({ filter: 'abc', filtering: false });
    s = apply(s, { type: 'filter-clear' });
    expect(s).toMatchObject({ filter: '', filtering: false });
  });

  it('matches every word of a filter, case-insensitively, across fields', () => {
    expect(matchesFilter('', 'x')).toBe(true);
    expect(matchesFilter('Hello fail', 'hello-agent', 'failed')).toBe(true);
    expect(matchesFilter('hello ok', 'hello-agent', 'failed')).toBe(false);
    expect(matchesFilter('x', null, undefined)).toBe(false);
  });
});
