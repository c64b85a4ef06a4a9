import { Text } from 'ink';
import type { ReactNode } from 'react';
import type { ListState } from '../state/list-state.js';
import type { Theme } from '../theme.js';
import { ErrorLine } from './error-line.js';
import { ListTitle } from './list-title.js';
import { WindowList, type Segment } from './window-list.js';

export interface ListPaneProps<T> {
  title: string;
  /** Extra text after the title (filters, a legend). */
  extra?: string;
  list: ListState;
  items: readonly T[];
  /** The column headings line (already fitted to the columns). */
  header: string;
  /** A load error shown under the headings, or null. */
  error?: string | null;
  /** Rows the error may take (wrapped); the screen leaves them out of `rows`. */
  errorRows?: number;
  /** Rows available for items. */
  rows: number;
  width: number;
  theme: Theme;
  keyOf: (item: T) => string | number;
  renderRow: (item: T, width: number) => Segment[];
  /** Shown when there are no items (see emptyText). */
  empty: string;
  focused: boolean;
}

/** A browsable list as the screens show it: title with position and filter, headings, error line, the window. */
export function ListPane<T>({
  title,
  extra,
  list,
  items,
  header,
  error = null,
  errorRows = 1,
  ...rest
}: ListPaneProps<T>): ReactNode {
  const { rows, width, theme, keyOf, renderRow, empty, focused } = rest;
  return (
    <>
      <ListTitle
        title={title}
        {...(extra === undefined ? {} : { extra })}
        list={list}
        total={items.length}
        width={width}
        theme={theme}
      />
      <Text bold>{' ' + header}</Text>
      {error !== null ? <ErrorLine message={error} theme={theme} width={width} maxRows={errorRows} /> : null}
      <WindowList
        items={items}
        state={list}
        height={rows}
        width={width}
        theme={theme}
        keyOf={keyOf}
        renderRow={renderRow}
        empty={empty}
        focused={focused}
      />
    </>
  );
}

/** What an empty list says: still loading, nothing matching the filter, or nothing at all (and what to do). */
export function emptyText(loading: boolean, filter: string, noun: string, none: string): string {
  if (loading) return 'Loading…';
  if (filter !== '') return `No ${noun} matches "${filter}".`;
  return none;
}
