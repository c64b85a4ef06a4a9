import { useInput } from 'ink';
import type { Dispatch } from 'react';
import type { AppAction, ListId } from '../app/reducer.js';
import { resolveKey, type KeyAction, type Scope } from '../keymap.js';
import type { ListAction } from '../state/list-state.js';

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
 * Keys of a list screen: the screen's own bindings first (`scope`), then the generic list keys (cursor,
 * paging, `/` filter, esc), which move the list `id`. Whatever the screen binds goes to `onAction`.
 */
export function useListKeys(options: {
  id: ListId;
  scope: Scope;
  total: number;
  height: number;
  dispatch: Dispatch<AppAction>;
  onAction: (action: KeyAction) => void;
  isActive: boolean;
}): void {
  const { id, scope, total, height, dispatch, onAction, isActive } = options;
  useInput(
    (input, key) => {
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
