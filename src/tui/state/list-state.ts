import { applyTextEdit, type TextEdit } from './text-edit.js';

/**
 * A browsable list: a cursor, the first visible row (offset) and a filter. Pure; the windowing math lives
 * here so every list scrolls the same way and only the visible slice is ever rendered.
 */

export interface ListState {
  cursor: number;
  offset: number;
  filter: string;
  /** Is the filter being typed (keys go to the filter, not to the list)? */
  filtering: boolean;
}

export const initialListState: ListState = { cursor: 0, offset: 0, filter: '', filtering: false };

export type ListAction =
  | { type: 'move'; delta: number; total: number; height: number }
  | { type: 'page'; direction: 1 | -1; total: number; height: number }
  | { type: 'top' }
  | { type: 'bottom'; total: number; height: number }
  | { type: 'select'; index: number; total: number; height: number }
  | { type: 'filter-start' }
  | { type: 'filter-set'; text: string }
  | { type: 'filter-edit'; edit: TextEdit }
  | { type: 'filter-keep' }
  | { type: 'filter-clear' };

export function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/** The offset that keeps `cursor` visible in a window of `height` rows, moving as little as possible. */
export function scrollIntoView(offset: number, cursor: number, height: number, total: number): number {
  const rows = Math.max(1, height);
  let next = offset;
  if (cursor < next) next = cursor;
  if (cursor >= next + rows) next = cursor - rows + 1;
  return clamp(next, 0, Math.max(0, total - rows));
}

export interface ListWindow {
  start: number;
  end: number;
  cursor: number;
}

/** The visible slice [start, end) of a list of `total` rows and the cursor clamped to it. */
export function listWindow(state: ListState, total: number, height: number): ListWindow {
  const cursor = total === 0 ? 0 : clamp(state.cursor, 0, total - 1);
  const start = scrollIntoView(state.offset, cursor, height, total);
  return { start, end: Math.min(total, start + Math.max(1, height)), cursor };
}

function moveTo(state: ListState, index: number, total: number, height: number): ListState {
  if (total === 0) return { ...state, cursor: 0, offset: 0 };
  const cursor = clamp(index, 0, total - 1);
  return { ...state, cursor, offset: scrollIntoView(state.offset, cursor, height, total) };
}

export function listReducer(state: ListState, action: ListAction): ListState {
  switch (action.type) {
    case 'move':
      return moveTo(
        state,
        clamp(state.cursor, 0, Math.max(0, action.total - 1)) + action.delta,
        action.total,
        action.height,
      );
    case 'page':
      return moveTo(
        state,
        state.cursor + action.direction * Math.max(1, action.height - 1),
        action.total,
        action.height,
      );
    case 'top':
      return { ...state, cursor: 0, offset: 0 };
    case 'bottom':
      return moveTo(state, action.total - 1, action.total, action.height);
    case 'select':
      return moveTo(state, action.index, action.total, action.height);
    case 'filter-start':
      return { ...state, filtering: true };
    case 'filter-set':
      return { ...state, filter: action.text, cursor: 0, offset: 0 };
    case 'filter-edit':
      return { ...state, filter: applyTextEdit(state.filter, action.edit), cursor: 0, offset: 0 };
    case 'filter-keep':
      return { ...state, filtering: false };
    case 'filter-clear':
      return { ...state, filter: '', filtering: false, cursor: 0, offset: 0 };
  }
}

/** Case-insensitive filter over the given text fields; every word of the filter must match. */
export function matchesFilter(filter: string, ...fields: readonly (string | null | undefined)[]): boolean {
  const words = filter
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return true;
  const haystack = fields
    .filter((f): f is string => typeof f === 'string')
    .join(' ')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}
