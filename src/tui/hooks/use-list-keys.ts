import type { Dispatch } from 'react';
import type { AppAction, ListId } from '../app/reducer.js';
import { resolveKey, type KeyAction, type Scope } from '../keymap.js';
import type { ListAction } from '../state/list-state.js';
import { textEditFor } from '../state/text-edit.js';
import { useKeys } from './use-keys.js';

/** The list reducer action a generic list key means, if it is one. */
export function listActionFor(action: KeyAction, total: number, height: number): ListAction | undefined {
  switch (action) {
    case 'up':
      return { type: 'move', delta: -1, total, height };
    case 'down':
      return { type: 'move', delta: 1, total, height };
    case 'page-up':
      return { type: 'page', direction: -1, total, height };
    case 'page-down':
      return { type: 'page', direction: 1, total, height };
    case 'top':
      return { type: 'top' };
    case 'bottom':
      return { type: 'bottom', total, height };
    case 'filter':
      return { type: 'filter-start' };
    default:
      return undefined;
  }
}

/**
 * Keys of a list screen, in one handler so nothing is lost between modes: while the filter is typed,
 * keys edit it (enter keeps it, esc clears it); otherwise the screen's own bindings come first (`scope`),
 * then the generic list keys (cursor, paging, `/`, esc) move the list `id`. The screen's bindings go to
 * `onAction`.
 */
export function useListKeys(options: {
  id: ListId;
  scope: Scope;
  total: number;
  height: number;
  dispatch: Dispatch<AppAction>;
  onAction: (action: KeyAction) => void;
  /** Is the filter being typed? */
  filtering: boolean;
  isActive: boolean;
}): void {
  const { id, scope, total, height, dispatch, onAction, filtering, isActive } = options;
  useKeys(
    (input, key) => {
      if (filtering) {
        const filterAction = resolveKey('filter', input, key);
        if (filterAction === 'submit') dispatch({ type: 'list', id, action: { type: 'filter-keep' } });
        else if (filterAction === 'back') dispatch({ type: 'list', id, action: { type: 'filter-clear' } });
        else {
          const edit = textEditFor(input, key);
          if (edit !== undefined) dispatch({ type: 'list', id, action: { type: 'filter-edit', edit } });
        }
        return;
      }
      const action = resolveKey([scope, 'list'], input, key);
      if (action === undefined) return;
      const listAction = listActionFor(action, total, height);
      if (listAction !== undefined) dispatch({ type: 'list', id, action: listAction });
      else if (action === 'back') dispatch({ type: 'back' });
      else onAction(action);
    },
    { isActive },
  );
}
